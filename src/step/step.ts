/**
 * Glossary.
 * - step: a unit of work (Luigi's "task"): typed parameters, `requires()` (other steps), `output()`
 *   (targets) and `run()`. Identified by its step id, computed from its family and significant parameters.
 * - target: something a step produces, that either exists or not (a file, a table row...).
 * - worker: the process that walks the requirements of the steps it is asked to build, registers them
 *   with a scheduler, and runs whatever the scheduler hands it.
 * - scheduler: decides which step runs where and when; in-process (local) or the `luigid` daemon. It
 *   executes nothing itself.
 * - run: one execution of a step's `run()` by a worker.
 */
import { ErrorCode, ParameterError, StepDefinitionError } from "../errors.js";
import { createLogger, type Logger } from "../log/logger.js";
import type { Target } from "../target/index.js";
import { externalParamText } from "./context.js";
import { addHandler, handlersFor, type StepEventArgs, type StepEventName } from "./events.js";
import { visibilityCode, type Param, type ParamValue } from "./params/param.js";
import { registerClass } from "./registry.js";
import { stepId } from "./step-id.js";
import { flatten, mapStructure, type Structure } from "./structure.js";

/** A step's parameter declarations: name -> parameter kind. */
export type Schema = { readonly [name: string]: Param<unknown, boolean> };

type RequiredNames<S> = { [K in keyof S]: S[K] extends Param<unknown, true> ? never : K }[keyof S];
type OptionalNames<S> = { [K in keyof S]: S[K] extends Param<unknown, true> ? K : never }[keyof S];

/** Constructor arguments: parameters without a default are required. */
export type StepArgs<S> = { [K in RequiredNames<S>]: ParamValue<S[K]> } & {
  [K in OptionalNames<S>]?: ParamValue<S[K]>;
};
/** The typed, read-only parameter fields of an instance. */
export type StepValues<S> = { readonly [K in keyof S]: ParamValue<S[K]> };

type ArgsTuple<S> = [RequiredNames<S>] extends [never] ? [args?: StepArgs<S>] : [args: StepArgs<S>];

/**
 * What `Base.with(schema)` returns: a subclass of `C` whose constructor and fields are typed from the
 * schema and C's own. `Extra`'s members come first, so their signatures win in calls (inherits.ts types
 * `requires()` and `input()` with it).
 */
export type StepClassWith<C extends AnyStepClass, S extends Schema, Extra = unknown> = Omit<
  C,
  "prototype"
> & {
  new (...args: ArgsTuple<S & SchemaOf<C>>): WithInstance<C, S, Extra>;
  readonly schema: S & SchemaOf<C>;
  prototype: WithInstance<C, S, Extra>;
};

type WithInstance<C extends AnyStepClass, S, Extra> = Extra & InstanceType<C> & StepValues<S & SchemaOf<C>>;

/** What run() may return: nothing, or an async generator yielding requirements (dynamic dependencies). */
export type RunResult =
  | void
  | Promise<void>
  | AsyncGenerator<Structure<Step>, void, unknown>
  | Generator<Structure<Step>, void, unknown>;

/** The outputs of a requirements structure, in the same shape (what input() returns). */
export type OutputOf<R> = R extends Step
  ? ReturnType<R["output"]>
  : R extends readonly (infer U)[]
    ? OutputOf<U>[]
    : R extends null | undefined
      ? R
      : R extends object
        ? { [K in keyof R]: OutputOf<R[K]> }
        : never;

/** Worker-side retry policy, applied before a failure is reported to the scheduler. */
export interface RetryPolicy {
  /** Total attempts including the first (default 1: no retry). */
  attempts?: number;
  /** Delay before the first retry, in seconds (default 1). */
  initialDelay?: number;
  /** Multiplier of the delay after each attempt (default 2). */
  backoff?: number;
  /** Upper bound of a delay, in seconds (default 60). */
  maxDelay?: number;
  /** Fraction of random jitter added or removed, 0..1 (default 0.2). */
  jitter?: number;
}

/** The hooks a worker attaches to a running step so that it can report progress. */
export interface StepReporter {
  setStatusMessage(message: string): void;
  setProgressPercentage(percent: number): void;
  setTrackingUrl(url: string): void;
  decreaseRunningResources(resources: Record<string, number>): void;
  /** Aborted when the step times out or the worker shuts down. */
  readonly signal: AbortSignal;
  /** The step's logger while it runs (its lines go to the run's captured log). */
  readonly logger?: Logger;
}

const reporterKey = Symbol("luigi-ts.reporter");
const RESERVED = new Set([
  "id",
  "stepId",
  "family",
  "params",
  "requires",
  "output",
  "input",
  "run",
  "complete",
  "priority",
  "resources",
  "retry",
  "retryCount",
  "disableWindow",
  "disableHardTimeout",
  "workerTimeout",
  "disabled",
  "owners",
  "signal",
  "logger",
  "constructor",
  "toString",
  "clone",
]);

/** The name of the class that declared the `reservedParams` in force for `cls`. */
function keeperOf(cls: typeof Step): string {
  let c: unknown = cls;
  while (typeof c === "function" && !Object.prototype.hasOwnProperty.call(c, "reservedParams"))
    c = Object.getPrototypeOf(c);
  return typeof c === "function" ? c.name : "its base class";
}

/** Any step class, abstract ones included. */
export type AnyStepClass = abstract new (...args: never[]) => Step;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function isStep(value: unknown): value is Step {
  return value instanceof Step;
}

/** A schema's entries, computed once per schema (schemas are frozen): steps are built by the thousand. */
const schemaEntries = new WeakMap<Schema, readonly (readonly [string, Param<unknown, boolean>])[]>();

function entriesOf(schema: Schema): readonly (readonly [string, Param<unknown, boolean>])[] {
  let entries = schemaEntries.get(schema);
  if (!entries) schemaEntries.set(schema, (entries = Object.entries(schema)));
  return entries;
}

/** Instance cache: class -> key of the significant parameter values -> instance. */
const instanceCache = new WeakMap<object, Map<string, Step>>();

export class Step {
  /** Parameter declarations, inherited and extended by `with()`. */
  static readonly schema: Schema = {};
  /** Explicit family name; default: the class name, prefixed by `stepNamespace`. */
  static stepFamily?: string;
  /** Namespace prefixed to the family as `namespace.ClassName`. Inherited by subclasses. */
  static stepNamespace?: string;
  /** The module the class was loaded from, sent to the scheduler (set by `luigi --module`). */
  static stepModule?: string;

  /**
   * Optional: which of `steps` (instances of this class) are complete, answered in one go (Luigi's
   * `bulk_complete`); return the complete ones. Range steps ask it for every date they cover, instead
   * of each instance's complete(): `static override async bulkComplete(steps: readonly Report[]) {...}`.
   * See src/step/bulk-complete.ts for what is asked when a family defines none.
   */
  static bulkComplete?(steps: readonly Step[]): Iterable<Step> | Promise<Iterable<Step>>;

  /**
   * Names a base class keeps for its own members, refused by `with()` as parameter names of its
   * subclasses, as the names Step itself reserves are (ExternalProgramStep keeps `program`, `timeout`...).
   */
  static readonly reservedParams?: readonly string[];

  static get family(): string {
    if (Object.prototype.hasOwnProperty.call(this, "stepFamily") && this.stepFamily) return this.stepFamily;
    const ns = this.stepNamespace;
    return ns ? `${ns}.${this.name}` : this.name;
  }

  /**
   * A subclass of this class with the given parameters added (typed constructor and fields):
   * `class Report extends Step.with({ day: param.date() }) { ... }`.
   */
  static with<C extends AnyStepClass, S extends Schema>(this: C, schema: S): StepClassWith<C, S> {
    const kept = (this as unknown as typeof Step).reservedParams;
    for (const name of Object.keys(schema)) {
      const byBase = kept?.includes(name) === true && !RESERVED.has(name);
      if (RESERVED.has(name) || name.startsWith("_") || byBase) {
        throw new StepDefinitionError(
          ErrorCode.STEP_DEFINITION,
          `parameter name '${name}' is reserved by ${byBase ? keeperOf(this as unknown as typeof Step) : "Step"}; choose another name`,
          { details: { param: name } },
        );
      }
    }
    const base = this as unknown as typeof Step;
    const merged = Object.freeze({ ...base.schema, ...schema });
    // An intermediate class that only carries the schema; its name never becomes a family because users
    // extend it.
    const WithSchema = class extends base {
      static override readonly schema: Schema = merged;
    };
    return WithSchema as never;
  }

  /** Registers a handler for an event of this class and its subclasses; returns a function removing it. */
  static on<C extends typeof Step, E extends StepEventName>(
    this: C,
    event: E,
    handler: (step: InstanceType<C>, ...args: StepEventArgs[E]) => void | Promise<void>,
  ): () => void {
    return addHandler(this, event, handler as never);
  }

  /**
   * Luigi's positional construction: `Report.of(day, "eu")` gives the values in the declaration order of
   * the parameters that allow it (`positional`, default true); the rest come from flags, config, defaults.
   */
  static of<C extends typeof Step>(this: C, ...values: unknown[]): InstanceType<C> {
    const names = Object.entries(this.schema)
      .filter(([, kind]) => kind.positional)
      .map(([name]) => name);
    if (values.length > names.length) {
      throw new ParameterError(
        ErrorCode.TOO_MANY_POSITIONALS,
        `${this.family}: ${values.length} positional values given, at most ${names.length} accepted (${names.join(", ") || "none"})`,
        { details: { family: this.family } },
      );
    }
    const args = Object.fromEntries(values.map((value, i) => [names[i] as string, value]));
    return new (this as unknown as new (a: Record<string, unknown>) => InstanceType<C>)(args);
  }

  /** Forgets every cached instance (tests that rebuild steps with new config use it). */
  static clearInstanceCache(): void {
    instanceCache.delete(this);
  }

  /** Luigi-compatible step id: `Family_<summary>_<md5 prefix>`. */
  declare readonly id: string;
  /** Every parameter value, normalised, by name. */
  declare readonly params: Readonly<Record<string, unknown>>;

  /** Higher runs first among ready steps; pushed down to dependencies by the scheduler. */
  priority = 0;
  /** Resources held while running, e.g. `{ db: 1 }`; the scheduler enforces the capacities. */
  resources: Record<string, number> = {};
  /** Scheduler-side: failures within `disableWindow` that disable the step (null: scheduler default). */
  retryCount: number | null = null;
  /** Scheduler-side failure counting window in seconds (null: scheduler default). */
  disableWindow: number | null = null;
  /** Scheduler-side: disable on any failure this long after the first (null: scheduler default). */
  disableHardTimeout: number | null = null;
  /** Seconds after which a run is stopped and failed (null: `[worker] timeout`; 0: none). */
  workerTimeout: number | null = null;
  /** Worker-side retries before a failure is reported (null: none). */
  retry: RetryPolicy | null = null;
  /** When true the worker reports the step DISABLED instead of scheduling it. */
  disabled = false;
  /** Addresses told about failures (kept for the scheduler's `owners`). */
  owners: string[] = [];

  constructor(args?: Record<string, unknown>) {
    const cls = new.target;
    registerClass(cls);
    const family = cls.family;
    const schema = cls.schema;
    if (args !== undefined && !isPlainObject(args)) {
      throw new ParameterError(
        ErrorCode.PARAMETER_INVALID,
        `${family}: constructor arguments must be an object`,
        {
          details: { family },
        },
      );
    }
    const given = args ?? {};
    for (const name of Object.keys(given)) {
      if (!(name in schema)) {
        throw new ParameterError(
          ErrorCode.PARAMETER_UNKNOWN,
          `${family}: unknown parameter '${name}' (known: ${Object.keys(schema).join(", ") || "none"})`,
          { details: { family, param: name } },
        );
      }
    }
    const values: Record<string, unknown> = {};
    // One serialisation per significant parameter serves both the instance key and the id.
    let cacheKey = "";
    const idParams: Record<string, string> = {};
    for (const [name, kind] of entriesOf(schema)) {
      const value = resolveParam(family, name, kind, given[name]);
      values[name] = value;
      // Equal significant parameters make the same step, hence the same instance (hidden and private
      // significant parameters count too: they distinguish instances though not ids).
      if (kind.significant) {
        const text = kind.serialize(value);
        cacheKey += cacheKey === "" ? `${name}=${text}` : `\u0000${name}=${text}`;
        if (kind.visibility === "public") idParams[name] = text;
      }
    }
    let cache = instanceCache.get(cls);
    if (!cache) instanceCache.set(cls, (cache = new Map<string, Step>()));
    const cached = cache.get(cacheKey);
    if (cached) return cached;

    Object.defineProperty(this, "params", { value: Object.freeze(values), enumerable: false });
    for (const name in values) {
      Object.defineProperty(this, name, { value: values[name], enumerable: true, writable: false });
    }
    Object.defineProperty(this, "id", { value: stepId(family, idParams), enumerable: false });
    cache.set(cacheKey, this);
  }

  /** The family of this step's class. */
  get family(): string {
    return (this.constructor as typeof Step).family;
  }

  /** Steps this one needs: one, an array or an object of steps. Default: none. */
  requires(): Structure<Step> {
    return [];
  }

  /** Targets this step produces: one, an array or an object of targets. Default: none. */
  output(): Structure<Target> {
    return [];
  }

  /** The outputs of `requires()`, in the same shape. */
  // Typed through a `this` parameter rather than `this["requires"]` in the return type: the latter makes
  // TypeScript recurse without end on steps that require their own class (a chain of days).
  input<T extends Step>(this: T): OutputOf<ReturnType<T["requires"]>> {
    return mapStructure(this.requires(), isStep, (dep) => dep.output()) as OutputOf<
      ReturnType<T["requires"]>
    >;
  }

  /** The work. May be an async generator yielding further steps (dynamic dependencies). */
  run(): RunResult {
    throw new StepDefinitionError(ErrorCode.STEP_DEFINITION, `${this.family} has no run() method`, {
      details: { family: this.family },
    });
  }

  /** True when every output exists; false (with nothing to check) when there are no outputs. */
  async complete(): Promise<boolean> {
    const outputs = flatten(this.output(), isTarget);
    if (outputs.length === 0) return false;
    const exists = await Promise.all(outputs.map((t) => t.exists()));
    return exists.every(Boolean);
  }

  /** Called after a successful run; the returned text is the explanation sent to the scheduler. */
  onSuccess(): string | void | Promise<string | void> {}

  /** Called after a failed run; the returned text replaces the error sent to the scheduler. */
  onFailure(_error: unknown): string | void | Promise<string | void> {}

  /** Requirements as a flat list. */
  dependencies(): Step[] {
    const deps = flatten(this.requires(), isStep);
    for (const dep of deps) {
      if (!isStep(dep)) {
        throw new StepDefinitionError(
          ErrorCode.STEP_DEFINITION,
          `${this.family}.requires() returned ${describe(dep)}, not a step (wrap a target in an ExternalStep)`,
          { details: { family: this.family } },
        );
      }
    }
    return deps;
  }

  /** Significant PUBLIC parameters, serialised: what the step id is computed from. */
  significantParams(): Record<string, string> {
    const out: Record<string, string> = {};
    const schema = (this.constructor as typeof Step).schema;
    for (const [name, kind] of Object.entries(schema)) {
      if (kind.significant && kind.visibility === "public") out[name] = kind.serialize(this.params[name]);
    }
    return out;
  }

  /** Every non-private parameter serialised, and their visibilities: what is sent to the scheduler. */
  wireParams(): { params: Record<string, string>; visibilities: Record<string, number> } {
    const params: Record<string, string> = {};
    const visibilities: Record<string, number> = {};
    const schema = (this.constructor as typeof Step).schema;
    for (const [name, kind] of Object.entries(schema)) {
      if (kind.visibility === "private") continue;
      params[name] = kind.serialize(this.params[name]);
      visibilities[name] = visibilityCode[kind.visibility];
    }
    return { params, visibilities };
  }

  /** `Family(p1=v1, p2=v2)` with significant parameters in declaration order (as Luigi's repr). */
  toString(): string {
    const schema = (this.constructor as typeof Step).schema;
    const parts: string[] = [];
    for (const [name, kind] of Object.entries(schema)) {
      if (kind.significant && kind.visibility !== "private")
        parts.push(`${name}=${kind.serialize(this.params[name])}`);
    }
    return `${this.family}(${parts.join(", ")})`;
  }

  /**
   * Luigi's `clone`: an instance of `cls` given every parameter of `cls` that this step has too, with
   * `overrides` over them. `report.clone(Extract)` is `new Extract({ day: report.day })`;
   * `day.clone({ day: previous })`, without a class, is this step's class.
   */
  clone<C extends AnyStepClass & { readonly schema: Schema }>(
    cls: C,
    overrides?: Partial<StepArgs<SchemaOf<C>>>,
  ): InstanceType<C>;
  clone<T extends Step>(this: T, overrides?: Readonly<Record<string, unknown>>): T;
  clone(
    clsOrOverrides?: (AnyStepClass & { readonly schema: Schema }) | Readonly<Record<string, unknown>>,
    overrides?: Readonly<Record<string, unknown>>,
  ): Step {
    const cls = (typeof clsOrOverrides === "function" ? clsOrOverrides : this.constructor) as typeof Step;
    const given = (typeof clsOrOverrides === "function" ? overrides : clsOrOverrides) ?? {};
    const args: Record<string, unknown> = {};
    for (const name of Object.keys(cls.schema)) {
      if (given[name] !== undefined) args[name] = given[name];
      else if (Object.prototype.hasOwnProperty.call(this.params, name)) args[name] = this.params[name];
    }
    // An override the class does not have is refused by its constructor, which lists the known ones.
    for (const name of Object.keys(given)) if (!(name in cls.schema)) args[name] = given[name];
    return new (cls as unknown as new (a: Record<string, unknown>) => Step)(args);
  }

  /** Same step: same id. */
  equals(other: unknown): boolean {
    return other instanceof Step && other.id === this.id;
  }

  // ---- progress reporting from run() ----

  /** Attached by the worker while the step runs. */
  get reporter(): StepReporter | undefined {
    return (this as unknown as Record<symbol, StepReporter | undefined>)[reporterKey];
  }
  /** @internal used by the worker. */
  attachReporter(reporter: StepReporter | undefined): void {
    (this as unknown as Record<symbol, StepReporter | undefined>)[reporterKey] = reporter;
  }

  /** Aborted when the run times out or the worker stops: pass it to fetch(), streams, timers. */
  get signal(): AbortSignal {
    return this.reporter?.signal ?? neverAborted;
  }

  /**
   * A logger for the step's own lines: `this.logger.info("read %d rows", n)`. While a worker runs the
   * step, each line goes to the run's captured log (shown by luigid's visualiser and the step history)
   * and to the worker's log, naming the step; outside a run, to stderr.
   */
  get logger(): Logger {
    return this.reporter?.logger ?? (outsideRun ??= createLogger());
  }

  /** Shown in the visualiser next to the running step. */
  setStatusMessage(message: string): void {
    this.reporter?.setStatusMessage(message);
  }
  /** 0..100, shown as a progress bar. */
  setProgressPercentage(percent: number): void {
    this.reporter?.setProgressPercentage(percent);
  }
  setTrackingUrl(url: string): void {
    this.reporter?.setTrackingUrl(url);
  }
  /** Gives back part of the resources this step holds, for the rest of its run. */
  decreaseRunningResources(resources: Record<string, number>): void {
    this.reporter?.decreaseRunningResources(resources);
  }

  /** Fires an event to the handlers of this step's class and its ancestors; handler errors are returned. */
  async fireEvent<E extends StepEventName>(event: E, ...args: StepEventArgs[E]): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const handler of handlersFor(this, event)) {
      try {
        await (handler as unknown as (step: Step, ...a: StepEventArgs[E]) => void | Promise<void>)(
          this,
          ...args,
        );
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }
}

/**
 * The declared schema of a step class. The base classes' `Schema` index signature counts as "no
 * parameters", also where it is intersected with declared ones (a class made by `with()` from a class
 * made by `with()`).
 */
export type SchemaOf<C> = C extends { schema: infer S } ? DeclaredParams<S> : Record<never, never>;

type DeclaredParams<S> = {
  [K in keyof S as string extends K ? never : number extends K ? never : K]: S[K];
};

const neverAborted = new AbortController().signal;

let outsideRun: Logger | undefined;

/** A step whose completion is its requirements' completion; it has no output and nothing to run. */
export class WrapperStep extends Step {
  override async complete(): Promise<boolean> {
    // A few checks at a time, stopping at the first incomplete requirement: a wrapper over 10,000 steps
    // neither opens 10,000 files at once nor checks them all when the first is missing.
    const deps = this.dependencies();
    let incomplete = false;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (!incomplete && next < deps.length) {
        if (!(await (deps[next++] as Step).complete())) incomplete = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, deps.length) }, lane));
    return !incomplete;
  }
  override run(): RunResult {}
}

/** Data that must appear by other means: checked, never run. */
export class ExternalStep extends Step {}

/** True for classes that cannot be run by a worker (only checked). */
export function isExternal(step: Step): boolean {
  return step instanceof ExternalStep;
}

export function isTarget(value: unknown): value is Target {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { exists?: unknown }).exists === "function"
  );
}

/** Resolves one parameter: constructor argument, `--Family-param`, `[Family]` config, default. */
function resolveParam(family: string, name: string, kind: Param<unknown, boolean>, given: unknown): unknown {
  if (given !== undefined) return kind.normalize(given, name, family);
  const external = externalParamText(family, name);
  if (external !== undefined) {
    try {
      return kind.parse(external.text, name, family);
    } catch (err) {
      if (err instanceof ParameterError) {
        throw new ParameterError(err.code, `${err.message} (from ${external.source})`, {
          details: err.details,
        });
      }
      throw err;
    }
  }
  if (kind.hasDefault) return kind.normalize(kind.options.default, name, family);
  throw new ParameterError(
    ErrorCode.PARAMETER_MISSING,
    `${family}: missing parameter '${name}' (${kind.kind}: ${kind.expected})`,
    { details: { family, param: name, kind: kind.kind, expected: kind.expected } },
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return typeof value;
}
