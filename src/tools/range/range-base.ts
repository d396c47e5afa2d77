/**
 * What every range step shares (Luigi's `RangeBase`): a wrapper step that requires the missing
 * instances of a date-parameterised family over a window, at most `task_limit` of them per run.
 *
 * The window is `[start, stop)` cut down to the moving one, `now - X_back .. now + X_forward` (so a start
 * ten years back checks ten years only with an `X_back` that long). Its instants are the subclass's grid
 * (days, hours, minutes, months); the missing ones are found by `missingDatetimes`, oldest first, and
 * the first `task_limit` required (the newest, newest first, with `reverse`).
 *
 * The requirements are known only after a look at the outputs, which is asynchronous while `requires()`
 * is not: the first `complete()` looks (the worker always asks it before `requires()`) and keeps what
 * it found for the life of the instance, as Luigi keeps its range's requirements; `requires()` returns
 * that, and later calls to `complete()` re-check only those instances. So the range is complete once
 * the instances it required are, also for a step that requires it and checks it again before running.
 * Equal steps are one instance: a program that builds the same range again later passes its own `now`
 * (a new step), or calls `RangeDaily.clearInstanceCache()` first.
 */
import { ErrorCode, ParameterError, StepDefinitionError } from "../../errors.js";
import { completeEach, completeInBulk } from "../../step/bulk-complete.js";
import { param } from "../../step/params/index.js";
import type { DateOptions } from "../../step/params/dates.js";
import type { Param } from "../../step/params/param.js";
import { Step, WrapperStep } from "../../step/step.js";
import { RangeEvent } from "./events.js";
import { noneOr } from "./none-or.js";

/** A grid this long is refused: each instant is a step, and its list is held in memory. */
export const MAX_RANGE_INSTANTS = 2_000_000;

/** What a range step found when it looked at its window. */
interface Found {
  required: Step[];
  requiredDatetimes: Date[];
}
// Outside the instance: a subclass's field initialisers run again on the cached instance each time an
// equal step is constructed, which would forget what was found. `looks` holds the look in progress, so
// that two complete() calls at once look (and fire the events) once.
const looks = new WeakMap<RangeBase, Promise<Found>>();
const found = new WeakMap<RangeBase, Found>();

type StepClass = typeof Step & (new (args: Record<string, unknown>) => Step);

export abstract class RangeBase extends WrapperStep.with({
  of: param.step<typeof Step>({
    description:
      "the step family to complete; its date parameter is the first of the range's kind, or param_name",
  }),
  of_params: param.dict({ default: {}, description: "the of family's other parameters, as JSON" }),
  reverse: param.bool({ description: "catch up from the newest missing instance backward" }),
  task_limit: param.int({ default: 50, description: "most missing instances required in one run" }),
  now: noneOr(param.int({ description: "the current time in seconds since the epoch (default: now)" })),
  param_name: noneOr(
    param.str({
      positional: false,
      description: "the of family's parameter that takes the date (default: found by its kind)",
    }),
  ),
}) {
  /** The `of` parameter kinds this range fills, in order of preference ("date", "dateHour", ...). */
  protected abstract readonly parameterKinds: readonly string[];

  /** Where the window starts when `start` is earlier or not given (`now - X_back`). */
  abstract movingStart(now: Date): Date;
  /** Where the window stops when `stop` is later or not given (`now + X_forward`). */
  abstract movingStop(now: Date): Date;
  /** The instants of the grid in `[finiteStart, finiteStop)`, sorted. */
  abstract finiteDatetimes(finiteStart: Date, finiteStop: Date): Date[];
  /**
   * How many instants `finiteDatetimes(from, to)` would give, without listing them: the events count
   * over `[start, stop)`, which may hold far more instants than the window checked. Override the two
   * together.
   */
  abstract countDatetimes(from: Date, to: Date): number;
  /** An instant as the range's own parameters write it (`2026-11-01`, `2026-11-01T13`, ...). */
  abstract formatDatetime(datetime: Date): string;

  /**
   * The instants among `datetimes` whose instance is not complete. Here, each instance's complete(),
   * a few at a time (Luigi's `...Base` forms); RangeDaily and its siblings check in bulk. Override it for
   * a check of your own.
   */
  async missingDatetimes(datetimes: readonly Date[]): Promise<Date[]> {
    const complete = await completeEach(datetimes.map(this.instanceMaker()));
    return datetimes.filter((_, i) => !complete[i]);
  }

  /** The check of RangeDaily and its siblings: see completeInBulk (src/step/bulk-complete.ts). */
  protected async missingInBulk(datetimes: readonly Date[]): Promise<Date[]> {
    const complete = await completeInBulk(datetimes.map(this.instanceMaker()));
    return datetimes.filter((_, i) => !complete[i]);
  }

  /** The instance of the `of` family at an instant: `of_params` plus the date parameter. */
  instanceAt(datetime: Date): Step {
    return this.instanceMaker()(datetime);
  }

  /** instanceAt for many instants: the family's parameters are looked at once. */
  protected instanceMaker(): (datetime: Date) => Step {
    const cls = this.ofClass();
    const args = this.ofArgs(cls);
    const name = this.dateParamName(cls);
    return (datetime) => new cls({ ...args, [name]: datetime });
  }

  /** Complete when none is missing: at first in the window, then among the instances it required. */
  override async complete(): Promise<boolean> {
    const earlier = looks.get(this);
    if (earlier !== undefined) {
      const last = await earlier;
      return (await this.missingDatetimes(last.requiredDatetimes)).length === 0;
    }
    const look = this.look();
    looks.set(this, look);
    try {
      const last = await look;
      found.set(this, last);
      return last.required.length === 0;
    } catch (err) {
      looks.delete(this); // a failed look (bad parameters, an unreadable folder) is tried again
      throw err;
    }
  }

  /** The missing instances found by the last complete(), at most task_limit. */
  override requires(): Step[] {
    const last = found.get(this);
    if (last === undefined) {
      throw new StepDefinitionError(
        ErrorCode.STEP_DEFINITION,
        `${this.toString()}: its requirements are the missing instances that complete() finds; await complete() before requires()`,
        { details: { family: this.family } },
      );
    }
    return last.required;
  }

  private async look(): Promise<Found> {
    const requiredDatetimes = await this.requiredDatetimes();
    return { required: requiredDatetimes.map(this.instanceMaker()), requiredDatetimes };
  }

  /** Luigi's `requires()` computation: the window, its missing instants, the events, the limit. */
  private async requiredDatetimes(): Promise<Date[]> {
    const start = this.params.start as Date | null;
    const stop = this.params.stop as Date | null;
    if (start === null && stop === null) this.refuse("at least one of start and stop needs to be given");
    if (start === null && !this.reverse) this.refuse("without start, reverse needs to be true");
    if (start !== null && stop !== null && start > stop) this.refuse("start is after stop");
    if (this.task_limit < 0) this.refuse(`task_limit must be 0 or more, not ${this.task_limit}`);
    this.dateParamName(this.ofClass());

    const now = new Date(this.now === null ? Date.now() : this.now * 1000);
    const movingStart = this.checkedDate(() => this.movingStart(now), "the moving start (now - X_back)");
    const movingStop = this.checkedDate(() => this.movingStop(now), "the moving stop (now + X_forward)");
    const finiteStart = start === null ? movingStart : later(start, movingStart);
    const finiteStop = stop === null ? movingStop : earlier(stop, movingStop);
    const count = finiteStart <= finiteStop ? this.countDatetimes(finiteStart, finiteStop) : 0;
    if (count > MAX_RANGE_INSTANTS) {
      this.refuse(
        `the window from ${this.formatDatetime(finiteStart)} holds ${count} instants, more than ${MAX_RANGE_INSTANTS}; narrow start, stop or the X_back/X_forward parameters`,
      );
    }
    const datetimes = count > 0 ? this.finiteDatetimes(finiteStart, finiteStop) : [];
    const missing = datetimes.length > 0 ? sortedUnique(await this.missingDatetimes(datetimes)) : [];
    await this.emitMetrics(missing, start, stop, finiteStart, finiteStop);

    const limit = this.task_limit;
    return this.reverse ? missing.slice(missing.length - limit).reverse() : missing.slice(0, limit);
  }

  /**
   * Luigi's `_emit_metrics`: counted over `[start, stop)` widened to the moving window, an open end
   * replaced by the moving one.
   */
  private async emitMetrics(
    missing: readonly Date[],
    start: Date | null,
    stop: Date | null,
    finiteStart: Date,
    finiteStop: Date,
  ): Promise<void> {
    const from = start === null ? finiteStart : earlier(start, finiteStart);
    const to = stop === null ? finiteStop : later(stop, finiteStop);
    const expected = this.countDatetimes(from, to);
    const first = missing[0];
    // Luigi: the instants from the first missing one to the end of the widened window.
    const delay = first !== undefined && expected > 0 ? this.countDatetimes(first, to) : 0;
    const completeCount = expected - missing.length;
    const family = this.ofClass().family;
    await this.fireRangeEvent(RangeEvent.DELAY, family, delay);
    await this.fireRangeEvent(RangeEvent.COMPLETE_COUNT, family, completeCount);
    await this.fireRangeEvent(RangeEvent.COMPLETE_FRACTION, family, expected ? completeCount / expected : 1);
  }

  /** A handler's error is reported and swallowed, as for every step event. */
  private async fireRangeEvent(
    event: (typeof RangeEvent)[keyof typeof RangeEvent],
    family: string,
    value: number,
  ): Promise<void> {
    for (const err of await this.fireEvent(event, family, value)) {
      const reason = err instanceof Error ? err.message : String(err);
      process.emitWarning(`${this.family}: a ${event} handler failed: ${reason}`);
    }
  }

  /** The grid instants from `first` (the grid point at or before `from`) that lie in `[from, stop)`. */
  protected grid(first: Date, from: Date, stop: Date, next: (t: Date) => Date): Date[] {
    const out: Date[] = [];
    for (let t = first; t < stop; t = next(t)) if (t >= from) out.push(t);
    return out;
  }

  private ofClass(): StepClass {
    const of: unknown = this.of;
    if (typeof of !== "function" || !(of.prototype instanceof Step)) {
      this.refuse(`of is not a step class: ${String((of as { family?: unknown }).family ?? of)}`);
    }
    return of as StepClass;
  }

  /** The `of` family's parameter that takes the instant: param_name, else the first of a kind it fills. */
  private dateParamName(cls: StepClass): string {
    const schema = cls.schema;
    const describe = (): string =>
      Object.entries(schema)
        .map(([name, kind]) => `${name} (${kind.kind})`)
        .join(", ") || "none";
    if (this.param_name !== null) {
      if (this.param_name in schema) return this.param_name;
      this.refuse(
        `param_name '${this.param_name}' is not a parameter of ${cls.family} (it has ${describe()})`,
      );
    }
    for (const kind of this.parameterKinds) {
      const name = Object.entries(schema).find(([n, k]) => k.kind === kind && !(n in this.of_params))?.[0];
      if (name !== undefined) return name;
    }
    return this.refuse(
      `${cls.family} has no ${this.parameterKinds.join(" or ")} parameter to range over (it has ${describe()}); name one with param_name`,
    );
  }

  /**
   * `of_params` as constructor arguments: a JSON value is taken as given in code, and a string the
   * parameter does not take as a value is parsed as on the command line (`{"n": "5"}` for an int).
   */
  private ofArgs(cls: StepClass): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.of_params)) {
      const kind: Param<unknown, boolean> | undefined = cls.schema[name];
      args[name] =
        kind !== undefined && typeof value === "string" ? asArgument(kind, name, value, cls) : value;
    }
    return args;
  }

  private checkedDate(compute: () => Date, what: string): Date {
    let date: Date;
    try {
      date = compute();
    } catch (err) {
      return this.refuse(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (Number.isNaN(date.getTime())) this.refuse(`${what} is out of the representable dates`);
    return date;
  }

  protected refuse(reason: string): never {
    throw new ParameterError(ErrorCode.PARAMETER_INVALID, `${this.toString()}: ${reason}`, {
      details: { family: this.family },
    });
  }
}

function asArgument(kind: Param<unknown, boolean>, name: string, text: string, cls: StepClass): unknown {
  try {
    return kind.normalize(text, name, cls.family);
  } catch {
    return kind.parse(text, name, cls.family);
  }
}

function later(a: Date, b: Date): Date {
  return a >= b ? a : b;
}

function earlier(a: Date, b: Date): Date {
  return a <= b ? a : b;
}

function sortedUnique(dates: readonly Date[]): Date[] {
  const times = [...new Set(dates.map((d) => d.getTime()))].sort((a, b) => a - b);
  return times.map((t) => new Date(t));
}

/** A range's `start` and `stop`, of the kind of its grid: `rangeBounds(param.date, "day")`. */
export function rangeBounds(kind: (options: DateOptions) => Param<Date>, unit: string) {
  return {
    start: noneOr(kind({ description: `first ${unit}, inclusive (none: work backward, needs reverse)` })),
    stop: noneOr(kind({ description: `last ${unit}, exclusive (none: work forward forever)` })),
  };
}

/** A range's `X_back` and `X_forward`: `movingWindow("days", 100)` gives days_back (100), days_forward (0). */
export function movingWindow<U extends string>(
  units: U,
  back: number,
): { readonly [K in `${U}_back` | `${U}_forward`]: Param<number, true> } {
  return {
    [`${units}_back`]: param.int({
      default: back,
      description: `how far back from now to make sure of the ${units}; raise it to fill older gaps`,
    }),
    [`${units}_forward`]: param.int({
      default: 0,
      description: `how far forward from now to make sure of the ${units}`,
    }),
  } as { readonly [K in `${U}_back` | `${U}_forward`]: Param<number, true> };
}
