/**
 * Date and time kinds (SPEC 1.2): date, month, year, dateHour, dateMinute, dateSecond. Values are UTC JS
 * Dates. Every value, parsed or given in code, is clamped down onto the grid `start + k * interval`, as
 * Luigi's `normalize` does, so `param.date({ interval: 7 })` always names the same week start.
 */
import { Param, type ParamOptions } from "./param.js";
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  addMonths,
  floorMod,
  startOfDay,
  strftime,
  strptime,
  toUtcDate,
  utcDate,
} from "./calendar.js";

export interface DateOptions extends ParamOptions<Date> {
  /** Grid step in the kind's unit (days, months, years, hours, minutes, seconds). Default 1. */
  interval?: number;
  /** Origin of the grid; default 1970-01-01T00:00:00Z. A Date or an ISO string. */
  start?: Date | string;
}

const EPOCH = new Date(0);

/** What distinguishes one date kind from another. */
interface DateUnit {
  kind: string;
  expected: string;
  /** strftime format used to serialise, and accepted first when parsing. */
  format: string;
  /** Further accepted input formats (Luigi's deprecated ones). */
  legacyFormats?: readonly string[];
  clamp(value: Date, start: Date, interval: number): Date;
  next(value: Date, interval: number): Date;
}

export class DateKindParam<D extends boolean = boolean> extends Param<Date, D> {
  readonly kind: string;
  readonly expected: string;
  readonly interval: number;
  readonly start: Date;

  constructor(
    private readonly unit: DateUnit,
    options: DateOptions = {},
  ) {
    const { interval, start, ...rest } = options;
    super(rest);
    if (interval !== undefined && (!Number.isInteger(interval) || interval < 1)) {
      throw new RangeError(`${unit.kind}: interval must be a positive integer, got ${interval}`);
    }
    this.kind = unit.kind;
    this.expected = unit.expected;
    this.interval = interval ?? 1;
    this.start = start === undefined ? EPOCH : toUtcDate(start);
  }

  protected parseText(text: string): Date {
    // The deprecated forms are tried first, as Luigi does: the current form would reject them anyway.
    for (const legacy of this.unit.legacyFormats ?? []) {
      let parsed: Date;
      try {
        parsed = strptime(text, legacy);
      } catch {
        continue; // not the legacy form; try the current one
      }
      warnLegacyOnce(this.unit, text);
      return this.clamp(parsed);
    }
    return this.clamp(strptime(text, this.unit.format));
  }

  serialize(value: Date): string {
    return strftime(value, this.unit.format);
  }

  /** A Date, the kind's own text form, or any ISO-8601 date(-time) string (zone-less means UTC). */
  protected normalizeValue(value: unknown): Date {
    if (typeof value === "string") {
      try {
        return this.parseText(value);
      } catch {
        // not the kind's own form: try a full ISO string below
      }
    }
    return this.clamp(toUtcDate(value));
  }

  override nextInEnumeration(value: Date): Date {
    return this.unit.next(value, this.interval);
  }

  private clamp(value: Date): Date {
    return this.unit.clamp(value, this.start, this.interval);
  }
}

const warned = new Set<string>();

/** Luigi warns on every use of a deprecated form; once per kind is enough to be noticed. */
function warnLegacyOnce(unit: DateUnit, text: string): void {
  if (warned.has(unit.kind)) return;
  warned.add(unit.kind);
  process.emitWarning(
    `${unit.kind} value ${JSON.stringify(text)} uses a deprecated form; write ${unit.expected}`,
    {
      type: "DeprecationWarning",
    },
  );
}

/** dateHour, dateMinute, dateSecond: a fixed step in milliseconds; sub-second parts are dropped first. */
function fixedStep(kind: string, expected: string, format: string, stepMs: number): DateUnit {
  return {
    kind,
    expected,
    format,
    clamp(value, start, interval) {
      const t = Math.floor(value.getTime() / SECOND_MS) * SECOND_MS;
      return new Date(t - floorMod(t - start.getTime(), stepMs * interval));
    },
    next: (value, interval) => new Date(value.getTime() + stepMs * interval),
  };
}

export const dateUnits = {
  date: {
    kind: "date",
    expected: "YYYY-MM-DD",
    format: "%Y-%m-%d",
    clamp(value, start, interval) {
      const day = startOfDay(value).getTime();
      return new Date(day - floorMod(day - startOfDay(start).getTime(), DAY_MS * interval));
    },
    next: (value, interval) => new Date(value.getTime() + DAY_MS * interval),
  },
  month: {
    kind: "month",
    expected: "YYYY-MM",
    format: "%Y-%m",
    clamp(value, start, interval) {
      const months =
        (value.getUTCFullYear() - start.getUTCFullYear()) * 12 + (value.getUTCMonth() - start.getUTCMonth());
      return addMonths(start, months - floorMod(months, interval));
    },
    next: (value, interval) => addMonths(value, interval),
  },
  year: {
    kind: "year",
    expected: "YYYY",
    format: "%Y",
    clamp(value, start, interval) {
      const year = value.getUTCFullYear();
      return utcDate(year - floorMod(year - start.getUTCFullYear(), interval), 1, 1);
    },
    next: (value, interval) => utcDate(value.getUTCFullYear() + interval, 1, 1),
  },
  dateHour: fixedStep("dateHour", "YYYY-MM-DDTHH", "%Y-%m-%dT%H", HOUR_MS),
  dateMinute: {
    ...fixedStep("dateMinute", "YYYY-MM-DDTHHMM", "%Y-%m-%dT%H%M", MINUTE_MS),
    legacyFormats: ["%Y-%m-%dT%HH%M"],
  },
  dateSecond: fixedStep("dateSecond", "YYYY-MM-DDTHHMMSS", "%Y-%m-%dT%H%M%S", SECOND_MS),
} satisfies Record<string, DateUnit>;
