// Dates and times as the card shows them. `now` is always a parameter, for the tests.

import type { Strings } from "./strings";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A tag Intl accepts: Home Assistant's language, or English when Intl refuses it. */
export function intlLocale(tag: string | undefined | null): string {
  try {
    return Intl.getCanonicalLocales(tag || "en")[0] ?? "en";
  } catch {
    return "en";
  }
}

/** Intl's hour12 for Home Assistant's time format preference ("12", "24", ...). */
export function hour12Of(timeFormat: string | undefined): boolean | undefined {
  if (timeFormat === "12") return true;
  if (timeFormat === "24") return false;
  return undefined;
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

function unitFormat(locale: string, unit: "minute" | "hour"): Intl.NumberFormat {
  const key = `n|${locale}|${unit}`;
  let format = cache.get(key) as Intl.NumberFormat | undefined;
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short" });
    cache.set(key, format);
  }
  return format;
}

function nowWord(locale: string): string {
  const key = `r|${locale}`;
  let format = cache.get(key) as Intl.RelativeTimeFormat | undefined;
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    cache.set(key, format);
  }
  return format.format(0, "second");
}

export function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

/** Whole local days from date's day to now's day (0 today, 1 yesterday). */
export function daysAgo(date: Date, now: Date): number {
  // Rounded: a day with a daylight saving change is 23 or 25 hours long.
  return Math.round((startOfDay(now).getTime() - startOfDay(date).getTime()) / (24 * HOUR));
}

/** A key that is the same for two times on the same local day. */
export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/** The divider above a day's messages: "Today", "Yesterday", else the date. */
export function dividerLabel(date: Date, now: Date, locale: string, strings: Strings): string {
  const days = daysAgo(date, now);
  if (days === 0) return strings.today;
  if (days === 1) return strings.yesterday;
  const options: Intl.DateTimeFormatOptions =
    date.getFullYear() === now.getFullYear()
      ? { weekday: "long", day: "numeric", month: "long" }
      : { day: "numeric", month: "long", year: "numeric" };
  return dateFormat(intlLocale(locale), options).format(date);
}

// hourCycle, not hour12: { hour12: false } gives "24:30" for half past midnight in en.
function setHourCycle(options: Intl.DateTimeFormatOptions, hour12: boolean | undefined): void {
  if (hour12 !== undefined) options.hourCycle = hour12 ? "h12" : "h23";
}

export function timeOfDay(date: Date, locale: string, hour12?: boolean): string {
  const options: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit" };
  setHourCycle(options, hour12);
  return dateFormat(intlLocale(locale), options).format(date);
}

/**
 * A bubble's time: "now", "5 min", "2 hr", then the time of day (the divider above
 * says which day). A time in the future (a clock ahead) is "now".
 */
export function relativeTime(date: Date, now: Date, locale: string, hour12?: boolean): string {
  const tag = intlLocale(locale);
  const diff = now.getTime() - date.getTime();
  if (diff < MINUTE) return nowWord(tag);
  if (diff < HOUR) return unitFormat(tag, "minute").format(Math.floor(diff / MINUTE));
  if (diff < 12 * HOUR) return unitFormat(tag, "hour").format(Math.floor(diff / HOUR));
  return timeOfDay(date, tag, hour12);
}

/**
 * A thread's time in the list, where no divider says the day: relative while recent,
 * then the time of day, "Yesterday", the weekday within a week, else the date.
 */
export function listTime(
  date: Date,
  now: Date,
  locale: string,
  strings: Strings,
  hour12?: boolean,
): string {
  const tag = intlLocale(locale);
  const diff = now.getTime() - date.getTime();
  const days = daysAgo(date, now);
  if (diff < 12 * HOUR || days <= 0) {
    return diff < 12 * HOUR ? relativeTime(date, now, tag, hour12) : timeOfDay(date, tag, hour12);
  }
  if (days === 1) return strings.yesterday;
  if (days < 7) return dateFormat(tag, { weekday: "short" }).format(date);
  if (date.getFullYear() === now.getFullYear()) {
    return dateFormat(tag, { day: "numeric", month: "short" }).format(date);
  }
  return dateFormat(tag, { day: "numeric", month: "short", year: "numeric" }).format(date);
}

/** The exact time, for a title attribute. */
export function exactTime(date: Date, locale: string, hour12?: boolean): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    second: "2-digit",
  };
  setHourCycle(options, hour12);
  return dateFormat(intlLocale(locale), options).format(date);
}
