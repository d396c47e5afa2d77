/**
 * UTC calendar helpers shared by the date kinds and DateInterval. Luigi's dates are naive; luigi-ts holds
 * them as JS Dates at UTC so that the same text always means the same instant, whatever the machine's zone.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * A UTC Date from calendar fields (month 1-12), refusing impossible ones (Feb 30) as Python's datetime
 * does. `Date.UTC` is avoided because it maps years 0-99 to 1900-1999.
 */
export function utcDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  if (year < 1 || year > 9999) throw new Error(`year ${year} is out of range 1-9999`);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    d.getUTCHours() !== hour ||
    d.getUTCMinutes() !== minute ||
    d.getUTCSeconds() !== second
  ) {
    throw new Error(`${year}-${pad(month, 2)}-${pad(day, 2)} is not a valid date`);
  }
  return d;
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** The UTC midnight of a Date's day. */
export function startOfDay(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/** First of the month `months` after the month of `d`. */
export function addMonths(d: Date, months: number): Date {
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  return utcDate(Math.floor(total / 12), (total % 12) + 1, 1);
}

/** Python's `%`: the result has the sign of the divisor, which the clamping arithmetic relies on. */
export function floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** ISO-8601 year and week of a date (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(d: Date): { year: number; week: number } {
  const day = startOfDay(d);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = addDays(day, 3 - weekday);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - utcDate(year, 1, 1).getTime()) / DAY_MS / 7) + 1;
  return { year, week };
}

/** The Monday starting ISO week `week` of `year`; throws when the year has no such week. */
export function isoWeekStart(year: number, week: number): Date {
  const jan4 = utcDate(year, 1, 4);
  const monday = addDays(jan4, -((jan4.getUTCDay() + 6) % 7) + (week - 1) * 7);
  const check = isoWeek(monday);
  if (week < 1 || check.year !== year || check.week !== week) throw new Error(`${year} has no week ${week}`);
  return monday;
}

// Python's strptime directives as regexes (from CPython's _strptime.py), so the same lenient inputs are
// accepted: one-digit months/days/hours and any case for literal letters.
const directives: Readonly<Record<string, string>> = {
  Y: String.raw`(\d\d\d\d)`,
  m: String.raw`(1[0-2]|0[1-9]|[1-9])`,
  d: String.raw`(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])`,
  H: String.raw`(2[0-3]|[01]\d|\d)`,
  M: String.raw`([0-5]\d|\d)`,
  S: String.raw`([0-5]\d|\d)`,
};

const compiled = new Map<string, { regex: RegExp; fields: string[] }>();

/** Parses `text` with a strftime format using %Y %m %d %H %M %S; the whole text must match. */
export function strptime(text: string, format: string): Date {
  let entry = compiled.get(format);
  if (entry === undefined) {
    const fields: string[] = [];
    const source = format.replace(/%(.)|[.*+?^${}()|[\]\\-]/g, (all, directive: string | undefined) => {
      if (directive === undefined) return `\\${all}`;
      const re = directives[directive];
      if (re === undefined) throw new Error(`unsupported directive %${directive}`);
      fields.push(directive);
      return re;
    });
    entry = { regex: new RegExp(`^${source}$`, "i"), fields };
    compiled.set(format, entry);
  }
  const m = entry.regex.exec(text);
  if (m === null) throw new Error(`does not match the format ${format}`);
  const f = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  entry.fields.forEach((name, i) => (f[name as keyof typeof f] = Number(m[i + 1])));
  return utcDate(f.Y, f.m, f.d, f.H, f.M, f.S);
}

/** strftime for %Y %m %d %H %M %S on the UTC fields. */
export function strftime(d: Date, format: string): string {
  return format.replace(/%([YmdHMS])/g, (_all, c: string) => {
    switch (c) {
      case "Y":
        return pad(d.getUTCFullYear(), 4);
      case "m":
        return pad(d.getUTCMonth() + 1, 2);
      case "d":
        return pad(d.getUTCDate(), 2);
      case "H":
        return pad(d.getUTCHours(), 2);
      case "M":
        return pad(d.getUTCMinutes(), 2);
      default:
        return pad(d.getUTCSeconds(), 2);
    }
  });
}

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A Date given in code, or an ISO-8601 string (`2024-01-15`, `2024-01-15T10:30:00Z`, `...+02:00`). A string
 * without a zone means UTC, unlike `new Date("2024-01-15T10:00")` which would take the local zone.
 */
export function toUtcDate(value: unknown): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error("invalid Date");
    return new Date(value.getTime());
  }
  if (typeof value !== "string") throw new Error("not a Date or an ISO date string");
  const m = isoPattern.exec(value.trim());
  if (m === null) throw new Error("not an ISO date string");
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const base = utcDate(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let offsetMin = 0;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    offsetMin =
      (zone.startsWith("-") ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3) || 0));
  }
  return new Date(base.getTime() + ms - offsetMin * MINUTE_MS);
}
