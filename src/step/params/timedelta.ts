/**
 * Luigi's TimeDeltaParameter with a small immutable TimeDelta value (Python's timedelta, to the
 * microsecond). A value object rather than a bare number, because Luigi's text uses seconds while JS code
 * thinks in milliseconds; an explicit unit at every construction avoids that trap.
 */
import { Param } from "./param.js";
import { floorMod } from "./calendar.js";
import { parsePyFloat } from "./scalar.js";

const US_PER_SECOND = 1_000_000;
const US_PER_DAY = 86_400 * US_PER_SECOND;

export interface TimeDeltaParts {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
  microseconds?: number;
}

export class TimeDelta {
  /** The whole length in microseconds (an integer), like Python's timedelta resolution. */
  readonly totalMicroseconds: number;

  private constructor(microseconds: number) {
    if (!Number.isFinite(microseconds)) throw new Error("time delta is not finite");
    const us = Math.round(microseconds);
    if (!Number.isSafeInteger(us)) throw new Error("time delta is too large");
    this.totalMicroseconds = us === 0 ? 0 : us;
    Object.freeze(this);
  }

  static of(parts: TimeDeltaParts): TimeDelta {
    const seconds =
      (parts.weeks ?? 0) * 604_800 +
      (parts.days ?? 0) * 86_400 +
      (parts.hours ?? 0) * 3600 +
      (parts.minutes ?? 0) * 60;
    return new TimeDelta(
      seconds * US_PER_SECOND +
        (parts.seconds ?? 0) * US_PER_SECOND +
        (parts.milliseconds ?? 0) * 1000 +
        (parts.microseconds ?? 0),
    );
  }
  static fromSeconds(seconds: number): TimeDelta {
    return new TimeDelta(seconds * US_PER_SECOND);
  }
  static fromMilliseconds(ms: number): TimeDelta {
    return new TimeDelta(ms * 1000);
  }

  /** Python's `total_seconds()`. */
  get totalSeconds(): number {
    return this.totalMicroseconds / US_PER_SECOND;
  }
  /** For setTimeout and Date arithmetic. */
  get totalMilliseconds(): number {
    return this.totalMicroseconds / 1000;
  }
  /** Python's normalised `days` (negative for negative deltas). */
  get days(): number {
    return Math.floor(this.totalMicroseconds / US_PER_DAY);
  }
  /** Python's normalised `seconds`, 0-86399. */
  get seconds(): number {
    return Math.floor(floorMod(this.totalMicroseconds, US_PER_DAY) / US_PER_SECOND);
  }
  /** Python's normalised `microseconds`, 0-999999. */
  get microseconds(): number {
    return floorMod(this.totalMicroseconds, US_PER_SECOND);
  }

  equals(other: TimeDelta): boolean {
    return this.totalMicroseconds === other.totalMicroseconds;
  }

  /**
   * Luigi's serialisation, `W w D d H h M m S s`, computed from Python's normalised fields (so a negative
   * delta reads `-1 w 6 d 23 h 59 m 55 s`, as in Luigi); microseconds are not shown.
   */
  toString(): string {
    const days = this.days;
    const seconds = this.seconds;
    const weeks = Math.floor(days / 7);
    return `${weeks} w ${floorMod(days, 7)} d ${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} m ${seconds % 60} s`;
  }

  toJSON(): string {
    return this.toString();
  }
}

// ISO 8601 as Luigi reads it: either `PnW`, or days and/or a `T` part with hours, minutes, seconds.
const isoPattern = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/;
// "1 w 2 d 3 h 4 m 5 s": each unit as its first letter, optionally the rest of the word and a plural s.
const simplePattern = new RegExp(
  `^${["weeks", "days", "hours", "minutes", "seconds"]
    .map((k) => String.raw`(?:(\d+) ?${k[0]}(?:${k.slice(1, -1)})?s? ?)?`)
    .join("")}$`,
);

/**
 * Bare number = seconds, then ISO 8601, then the simple form, in Luigi's order. Unlike Luigi (which uses
 * `re.match`), trailing text is refused instead of being silently ignored.
 */
export function parseTimeDelta(text: string): TimeDelta {
  const trimmed = text.trim();
  try {
    return TimeDelta.fromSeconds(parsePyFloat(trimmed));
  } catch {
    // not a bare number
  }
  const fields = isoPattern.exec(trimmed) ?? simplePattern.exec(trimmed);
  const [weeks, days, hours, minutes, seconds] = fields?.slice(1) ?? [];
  if (fields === null || fields.slice(1).every((f) => f === undefined)) {
    throw new Error("not a time delta");
  }
  return TimeDelta.of({
    weeks: Number(weeks ?? 0),
    days: Number(days ?? 0),
    hours: Number(hours ?? 0),
    minutes: Number(minutes ?? 0),
    seconds: Number(seconds ?? 0),
  });
}

export class TimeDeltaParam<D extends boolean = boolean> extends Param<TimeDelta, D> {
  readonly kind = "timeDelta";
  readonly expected =
    'seconds, "1 w 2 d 3 h 4 m 5 s" (long or short unit names) or ISO 8601 like P1DT2H or P2W';
  protected parseText(text: string): TimeDelta {
    return parseTimeDelta(text);
  }
  serialize(value: TimeDelta): string {
    return value.toString();
  }
  /**
   * A TimeDelta, a parts object (`{ hours: 2 }`) or text. Bare numbers are refused: seconds (Luigi's text)
   * and milliseconds (JS habit) are too easy to confuse.
   */
  protected normalizeValue(value: unknown): TimeDelta {
    if (value instanceof TimeDelta) return value;
    if (typeof value === "string") return parseTimeDelta(value);
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      const parts = value as Record<string, unknown>;
      for (const [key, v] of Object.entries(parts)) {
        if (!partNames.has(key)) throw new Error(`unknown time delta part ${JSON.stringify(key)}`);
        if (typeof v !== "number") throw new Error(`time delta part ${key} is not a number`);
      }
      return TimeDelta.of(parts);
    }
    throw new Error("not a TimeDelta (use TimeDelta.of({ seconds: 5 }) or a parts object)");
  }
}

const partNames = new Set(["weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds"]);
