// How many SMS parts a text takes, the rules of custom_components/esendex/sms_text.py.
//
// GSM-7 (160 septets, or 153 per part of a longer message) when every character is in
// the GSM 03.38 alphabet; characters of its extension table take two septets. Any other
// character makes the whole message UCS-2: 70 UTF-16 units, or 67 per part. A character
// is never split across two parts (an escape stays with its character, a surrogate pair
// stays whole).

/** GSM 03.38, the basic alphabet (without the escape character itself). */
export const GSM7_BASIC: ReadonlySet<string> = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
/** The extension table: each is sent as an escape and the character, two septets. */
export const GSM7_EXTENSION: ReadonlySet<string> = new Set("^{}\\[~]|€");

export const GSM7_SINGLE = 160;
export const GSM7_PART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;

export type Encoding = "gsm7" | "ucs2";

export interface SegmentCount {
  encoding: Encoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text. */
  units: number;
  /** SMS parts the text is sent in; 0 for no text. */
  parts: number;
  /** Units still free in the current (last) part. */
  remaining: number;
}

export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return false;
  }
  return true;
}

export function countSegments(text: string): SegmentCount {
  // for...of walks code points, as Python walks a str.
  const chars = Array.from(text);
  const gsm7 = isGsm7(text);
  const encoding: Encoding = gsm7 ? "gsm7" : "ucs2";
  const widths = chars.map((char) =>
    gsm7 ? (GSM7_EXTENSION.has(char) ? 2 : 1) : char.length,
  );
  const units = widths.reduce((sum, width) => sum + width, 0);
  const single = gsm7 ? GSM7_SINGLE : UCS2_SINGLE;
  if (units === 0) return { encoding, units, parts: 0, remaining: single };
  if (units <= single) return { encoding, units, parts: 1, remaining: single - units };
  const size = gsm7 ? GSM7_PART : UCS2_PART;
  let parts = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > size) {
      parts += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding, units, parts, remaining: size - used };
}
