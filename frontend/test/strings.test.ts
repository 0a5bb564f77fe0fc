import { describe, expect, it } from "vitest";

import { format, languageOf, STRINGS, stringsFor } from "../src/strings";

describe("strings", () => {
  it("has every string, not empty, in every language", () => {
    const keys = Object.keys(STRINGS.en).sort();
    for (const [language, strings] of Object.entries(STRINGS)) {
      expect(Object.keys(strings).sort(), language).toEqual(keys);
      for (const [key, value] of Object.entries(strings)) {
        expect(value.trim(), `${language}.${key}`).not.toBe("");
      }
    }
  });

  it("keeps the {n} of each string in every language", () => {
    for (const [key, value] of Object.entries(STRINGS.en)) {
      const wants = value.includes("{n}");
      for (const [language, strings] of Object.entries(STRINGS)) {
        expect(strings[key as keyof typeof strings].includes("{n}"), `${language}.${key}`).toBe(wants);
      }
    }
  });

  it("picks the language by prefix, English otherwise", () => {
    expect(languageOf("de-CH")).toBe("de");
    expect(languageOf("fr")).toBe("fr");
    expect(languageOf("nl_BE")).toBe("nl");
    expect(languageOf("IT")).toBe("it");
    expect(languageOf("es-419")).toBe("es");
    expect(languageOf("en-GB")).toBe("en");
    expect(languageOf("pt-BR")).toBe("en");
    expect(languageOf(undefined)).toBe("en");
    expect(stringsFor("de-AT").back).toBe("Zurück");
  });

  it("fills in {n}", () => {
    expect(format(STRINGS.en.left, { n: 120 })).toBe("120 left");
    expect(format(STRINGS.en.parts, { n: 3 })).toBe("3 SMS");
    expect(format("{n} and {m}", { n: 1 })).toBe("1 and {m}");
  });
});
