/**
 * Luigi's date_interval module: a year, month, ISO week, day or custom range of days, as an immutable value
 * object, and the dateInterval parameter kind that parses `2015`, `2015-05`, `2015-W35`, `2015-11-04` and
 * `2015-11-04-2015-12-04` (end exclusive).
 */
import { Param } from "./param.js";
import {
  DAY_MS,
  HOUR_MS,
  addDays,
  addMonths,
  isoWeek,
  isoWeekStart,
  pad,
  startOfDay,
  strftime,
  utcDate,
} from "./calendar.js";

export type DateIntervalKind = "year" | "month" | "week" | "date" | "custom";

export class DateInterval {
  readonly #start: number;
  readonly #end: number;

  private constructor(
    readonly kind: DateIntervalKind,
    start: Date,
    end: Date,
  ) {
    if (end.getTime() <= start.getTime())
      throw new Error("the end of a date interval must be after its start");
    this.#start = start.getTime();
    this.#end = end.getTime();
    Object.freeze(this);
  }

  static year(year: number): DateInterval {
    return new DateInterval("year", utcDate(year, 1, 1), utcDate(year + 1, 1, 1));
  }
  static month(year: number, month: number): DateInterval {
    const start = utcDate(year, month, 1);
    return new DateInterval("month", start, addMonths(start, 1));
  }
  static week(isoYear: number, week: number): DateInterval {
    const start = isoWeekStart(isoYear, week);
    return new DateInterval("week", start, addDays(start, 7));
  }
  static date(year: number, month: number, day: number): DateInterval {
    const start = utcDate(year, month, day);
    return new DateInterval("date", start, addDays(start, 1));
  }
  /** Days from `start` up to, not including, `end` (both truncated to UTC days). */
  static custom(start: Date, end: Date): DateInterval {
    return new DateInterval("custom", startOfDay(start), startOfDay(end));
  }

  /** The interval of `kind` holding `d` (Luigi's `from_date`); "custom" has no natural one. */
  static fromDate(kind: Exclude<DateIntervalKind, "custom">, d: Date): DateInterval {
    switch (kind) {
      case "year":
        return DateInterval.year(d.getUTCFullYear());
      case "month":
        return DateInterval.month(d.getUTCFullYear(), d.getUTCMonth() + 1);
      case "week": {
        const { year, week } = isoWeek(d);
        return DateInterval.week(year, week);
      }
      case "date":
        return DateInterval.date(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    }
  }

  /** Tries each textual form in Luigi's order (date, week, month, year, custom). */
  static parse(text: string): DateInterval {
    let m: RegExpExecArray | null;
    if ((m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text))) return DateInterval.date(num(m[1]), num(m[2]), num(m[3]));
    if ((m = /^(\d{4})-W(\d\d)$/.exec(text))) return DateInterval.week(num(m[1]), num(m[2]));
    if ((m = /^(\d{4})-(\d\d)$/.exec(text))) return DateInterval.month(num(m[1]), num(m[2]));
    if ((m = /^(\d{4})$/.exec(text))) return DateInterval.year(num(m[1]));
    if ((m = /^(\d{4})-(\d\d)-(\d\d)-(\d{4})-(\d\d)-(\d\d)$/.exec(text))) {
      const start = utcDate(num(m[1]), num(m[2]), num(m[3]));
      return DateInterval.custom(start, utcDate(num(m[4]), num(m[5]), num(m[6])));
    }
    throw new Error("not a year, month, ISO week, date or date range");
  }

  /** First day (UTC midnight). */
  get start(): Date {
    return new Date(this.#start);
  }
  /** The day after the last day (exclusive end). */
  get end(): Date {
    return new Date(this.#end);
  }

  /** Every day of the interval, in order. */
  dates(): Date[] {
    const out: Date[] = [];
    for (let t = this.#start; t < this.#end; t += DAY_MS) out.push(new Date(t));
    return out;
  }

  /** Every hour of the interval, in order. */
  hours(): Date[] {
    const out: Date[] = [];
    for (let t = this.#start; t < this.#end; t += HOUR_MS) out.push(new Date(t));
    return out;
  }

  /**
   * The interval of the same kind just before. Luigi has none for custom ranges; here a custom range
   * shifts by its own length, which is what callers of prev()/next() on a range expect.
   */
  prev(): DateInterval {
    if (this.kind === "custom") {
      const length = this.#end - this.#start;
      return DateInterval.custom(new Date(this.#start - length), new Date(this.#start));
    }
    return DateInterval.fromDate(this.kind, new Date(this.#start - DAY_MS));
  }

  /** The interval of the same kind just after. */
  next(): DateInterval {
    if (this.kind === "custom") {
      const length = this.#end - this.#start;
      return DateInterval.custom(new Date(this.#end), new Date(this.#end + length));
    }
    return DateInterval.fromDate(this.kind, new Date(this.#end));
  }

  /** Whether the day of `d` lies in the interval. */
  contains(d: Date): boolean {
    const day = startOfDay(d).getTime();
    return day >= this.#start && day < this.#end;
  }

  equals(other: DateInterval): boolean {
    return this.kind === other.kind && this.#start === other.#start && this.#end === other.#end;
  }

  /** Luigi's `to_string()`, which is also the serialised parameter value. */
  toString(): string {
    const start = this.start;
    switch (this.kind) {
      case "year":
        return strftime(start, "%Y");
      case "month":
        return strftime(start, "%Y-%m");
      case "week": {
        const { year, week } = isoWeek(start);
        return `${year}-W${pad(week, 2)}`;
      }
      case "date":
        return strftime(start, "%Y-%m-%d");
      case "custom":
        return `${strftime(start, "%Y-%m-%d")}-${strftime(this.end, "%Y-%m-%d")}`;
    }
  }

  toJSON(): string {
    return this.toString();
  }
}

function num(digits: string | undefined): number {
  return Number(digits);
}

export class DateIntervalParam<D extends boolean = boolean> extends Param<DateInterval, D> {
  readonly kind = "dateInterval";
  readonly expected = "YYYY, YYYY-MM, YYYY-Www, YYYY-MM-DD or YYYY-MM-DD-YYYY-MM-DD (end exclusive)";
  protected parseText(text: string): DateInterval {
    return DateInterval.parse(text);
  }
  serialize(value: DateInterval): string {
    return value.toString();
  }
  /** A DateInterval, or its text form. */
  protected normalizeValue(value: unknown): DateInterval {
    if (value instanceof DateInterval) return value;
    if (typeof value === "string") return DateInterval.parse(value);
    throw new Error("not a DateInterval");
  }
}
