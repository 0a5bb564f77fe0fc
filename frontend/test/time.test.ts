import { describe, expect, it } from "vitest";

import { STRINGS } from "../src/strings";
import {
  dayKey,
  daysAgo,
  dividerLabel,
  exactTime,
  hour12Of,
  intlLocale,
  listTime,
  relativeTime,
} from "../src/time";

// Local times: these hold in any time zone.
const now = new Date(2026, 11, 1, 12, 0, 0); // Tuesday 1 December 2026, noon
const before = (ms: number): Date => new Date(now.getTime() - ms);
const MIN = 60_000;
const HOUR = 60 * MIN;
const en = STRINGS.en;
// ICU puts a narrow no-break space before AM/PM.
const plain = (text: string): string => text.replace(/\s/g, " ");

describe("days", () => {
  it("counts calendar days, not 24 hours", () => {
    expect(daysAgo(new Date(2026, 11, 1, 0, 1), now)).toBe(0);
    expect(daysAgo(new Date(2026, 10, 30, 23, 59), now)).toBe(1);
    expect(daysAgo(new Date(2026, 10, 29, 12, 0), now)).toBe(2);
    expect(dayKey(new Date(2026, 11, 1, 0, 1))).toBe(dayKey(new Date(2026, 11, 1, 23, 59)));
    expect(dayKey(new Date(2026, 11, 1))).not.toBe(dayKey(new Date(2026, 10, 30)));
  });
});

describe("dividerLabel", () => {
  it("says Today and Yesterday", () => {
    expect(dividerLabel(new Date(2026, 11, 1, 0, 5), now, "en", en)).toBe("Today");
    expect(dividerLabel(new Date(2026, 10, 30, 23, 55), now, "en", en)).toBe("Yesterday");
    expect(dividerLabel(new Date(2026, 10, 30, 8, 0), now, "de", STRINGS.de)).toBe("Gestern");
  });

  it("gives the date of an older day in the language", () => {
    const sunday = new Date(2026, 10, 29, 9, 0);
    expect(dividerLabel(sunday, now, "en", en)).toBe("Sunday, November 29");
    expect(dividerLabel(sunday, now, "de", STRINGS.de)).toBe("Sonntag, 29. November");
  });

  it("adds the year for another year", () => {
    expect(dividerLabel(new Date(2025, 11, 1, 9, 0), now, "en", en)).toBe("December 1, 2025");
    expect(dividerLabel(new Date(2025, 11, 1, 9, 0), now, "fr", STRINGS.fr)).toBe("1 décembre 2025");
  });
});

describe("relativeTime", () => {
  it("says now for under a minute, and for a time ahead of the clock", () => {
    expect(relativeTime(before(30_000), now, "en")).toBe("now");
    expect(relativeTime(new Date(now.getTime() + 5 * MIN), now, "en")).toBe("now");
    expect(relativeTime(before(10_000), now, "de")).toBe("jetzt");
  });

  it("counts minutes, then hours", () => {
    expect(relativeTime(before(MIN), now, "en")).toBe("1 min");
    expect(relativeTime(before(5 * MIN + 59_000), now, "en")).toBe("5 min");
    expect(relativeTime(before(59 * MIN), now, "en")).toBe("59 min");
    expect(relativeTime(before(2 * HOUR + 10 * MIN), now, "en")).toBe("2 hr");
    expect(plain(relativeTime(before(2 * HOUR), now, "fr"))).toBe("2 h");
    expect(relativeTime(before(11 * HOUR), now, "en")).toBe("11 hr");
  });

  it("gives the time of day from 12 hours on", () => {
    const late = new Date(2026, 10, 30, 23, 0);
    expect(plain(relativeTime(late, now, "en"))).toBe("11:00 PM");
    expect(relativeTime(late, now, "en", false)).toBe("23:00");
    expect(relativeTime(late, now, "de")).toBe("23:00");
  });
});

describe("listTime", () => {
  it("is relative while recent", () => {
    expect(listTime(before(5 * MIN), now, "en", en)).toBe("5 min");
  });

  it("says Yesterday, the weekday, then the date", () => {
    expect(listTime(new Date(2026, 10, 30, 9, 0), now, "en", en)).toBe("Yesterday");
    expect(listTime(new Date(2026, 10, 28, 9, 0), now, "en", en)).toBe("Sat");
    expect(listTime(new Date(2026, 10, 1, 9, 0), now, "en", en)).toBe("Nov 1");
    expect(listTime(new Date(2025, 11, 1, 9, 0), now, "en", en)).toBe("Dec 1, 2025");
  });

  it("gives the time of day for earlier today, past 12 hours", () => {
    const early = new Date(2026, 11, 2, 0, 30);
    const laterNow = new Date(2026, 11, 2, 23, 0);
    expect(listTime(early, laterNow, "en", en, false)).toBe("00:30");
    expect(plain(listTime(early, laterNow, "en", en, true))).toBe("12:30 AM");
  });
});

describe("exactTime and locales", () => {
  it("gives the full date and time", () => {
    expect(plain(exactTime(new Date(2026, 10, 29, 9, 0, 5), "en"))).toBe(
      "Sun, Nov 29, 2026, 9:00:05 AM",
    );
  });

  it("takes HA's time format preference", () => {
    expect(hour12Of("12")).toBe(true);
    expect(hour12Of("24")).toBe(false);
    expect(hour12Of("language")).toBeUndefined();
    expect(hour12Of(undefined)).toBeUndefined();
  });

  it("falls back to English for a tag Intl refuses", () => {
    expect(intlLocale("de-CH")).toBe("de-CH");
    expect(intlLocale("not a tag!")).toBe("en");
    expect(intlLocale(undefined)).toBe("en");
  });
});
