import { describe, expect, it } from "vitest";

import { countSegments, isGsm7 } from "../src/segments";

const a = (n: number): string => "a".repeat(n);

describe("countSegments: GSM-7", () => {
  it("counts nothing for no text", () => {
    expect(countSegments("")).toEqual({ encoding: "gsm7", units: 0, parts: 0, remaining: 160 });
  });

  it("counts a short text in one part", () => {
    expect(countSegments("hello")).toEqual({ encoding: "gsm7", units: 5, parts: 1, remaining: 155 });
  });

  it("fits 160 in one SMS and splits 161 into parts of 153", () => {
    expect(countSegments(a(160))).toEqual({ encoding: "gsm7", units: 160, parts: 1, remaining: 0 });
    expect(countSegments(a(161))).toEqual({ encoding: "gsm7", units: 161, parts: 2, remaining: 145 });
  });

  it("fits 306 in two parts and needs a third for 307", () => {
    expect(countSegments(a(306))).toMatchObject({ parts: 2, remaining: 0 });
    expect(countSegments(a(307))).toMatchObject({ parts: 3, remaining: 152 });
    expect(countSegments(a(459))).toMatchObject({ parts: 3, remaining: 0 });
    expect(countSegments(a(460))).toMatchObject({ parts: 4, remaining: 152 });
  });

  it("counts each extension character as two septets", () => {
    expect(countSegments("^{}\\[~]|€")).toEqual({
      encoding: "gsm7",
      units: 18,
      parts: 1,
      remaining: 142,
    });
    expect(countSegments("€")).toMatchObject({ units: 2, remaining: 158 });
  });

  it("tips into two parts when an extension character passes 160", () => {
    expect(countSegments(a(158) + "€")).toMatchObject({ units: 160, parts: 1, remaining: 0 });
    expect(countSegments(a(159) + "€")).toMatchObject({ units: 161, parts: 2 });
  });

  it("never splits an extension character across two parts", () => {
    // 152 + 2 does not fit in 153: the € starts part two, which then holds 2 + 151.
    expect(countSegments(a(152) + "€" + a(151))).toMatchObject({
      units: 305,
      parts: 2,
      remaining: 0,
    });
    // 306 septets, which two parts would hold if the escape could be split.
    expect(countSegments(a(152) + "€" + a(152))).toMatchObject({
      units: 306,
      parts: 3,
      remaining: 152,
    });
  });

  it("keeps £, é, newlines and the rest of the basic set in GSM-7", () => {
    expect(countSegments("£5 café\nà demain\r")).toMatchObject({ encoding: "gsm7", units: 17 });
    expect(isGsm7("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà")).toBe(true);
  });
});

describe("countSegments: UCS-2", () => {
  it("switches the whole text to UCS-2 for one character outside GSM-7", () => {
    expect(countSegments("ê")).toEqual({ encoding: "ucs2", units: 1, parts: 1, remaining: 69 });
    expect(countSegments(a(69) + "ê")).toEqual({
      encoding: "ucs2",
      units: 70,
      parts: 1,
      remaining: 0,
    });
    expect(countSegments(a(70) + "ê")).toEqual({
      encoding: "ucs2",
      units: 71,
      parts: 2,
      remaining: 63,
    });
  });

  it("fits 134 in two parts of 67 and needs a third for 135", () => {
    expect(countSegments("ê" + a(133))).toMatchObject({ parts: 2, remaining: 0 });
    expect(countSegments("ê" + a(134))).toMatchObject({ parts: 3, remaining: 66 });
  });

  it("counts an extension character as one unit once the text is UCS-2", () => {
    expect(countSegments("€ê")).toMatchObject({ encoding: "ucs2", units: 2 });
  });

  it("counts an emoji as two UTF-16 units", () => {
    expect(countSegments("😀")).toEqual({ encoding: "ucs2", units: 2, parts: 1, remaining: 68 });
    expect(countSegments(a(68) + "😀")).toMatchObject({ units: 70, parts: 1, remaining: 0 });
    expect(countSegments(a(69) + "😀")).toMatchObject({ units: 71, parts: 2 });
  });

  it("never splits a surrogate pair across two parts", () => {
    // 66 + 2 does not fit in 67: the emoji starts part two.
    expect(countSegments(a(66) + "😀" + a(10))).toMatchObject({
      units: 78,
      parts: 2,
      remaining: 55,
    });
  });

  it("takes ê, curly quotes and tabs as outside GSM-7", () => {
    for (const text of ["fête", "it’s", "a\tb", "“quoted”"]) {
      expect(countSegments(text).encoding, text).toBe("ucs2");
    }
  });
});
