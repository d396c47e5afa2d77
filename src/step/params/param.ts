import { ErrorCode, ParameterError } from "../../errors.js";

/**
 * PUBLIC: in the step id, shown in the UI, stored in history. HIDDEN: not in the id nor in the UI's
 * `params`, but sent to the scheduler. PRIVATE: never leaves the process.
 */
export type Visibility = "public" | "hidden" | "private";

/** Wire value of a visibility in `param_visibilities` (Luigi: 0 public, 1 hidden, 2 private). */
export const visibilityCode: Record<Visibility, number> = { public: 0, hidden: 1, private: 2 };

/** Options every parameter kind accepts. */
export interface ParamOptions<T> {
  /** Value used when neither the constructor, the command line nor the config gives one. No default: required. */
  default?: T;
  /** Part of the step id (default true). Insignificant parameters are still sent to the scheduler. */
  significant?: boolean;
  /** May be given positionally to the constructor (default true). */
  positional?: boolean;
  /** One line for `--help` and the UI. */
  description?: string;
  /** Default "public". */
  visibility?: Visibility;
}

/**
 * One parameter kind: how a value of type T is parsed from command-line or config text, serialised back
 * (byte-identical to Luigi's serialisation, so ids match across languages), and normalised when it is
 * given in code. `D` records at the type level whether a default exists, so that `Step.with()` can make
 * such constructor arguments optional.
 */
export abstract class Param<T, D extends boolean = boolean> {
  /** Short kind name shown in help: "int", "date", "list", ... */
  abstract readonly kind: string;
  readonly options: Readonly<ParamOptions<T>>;
  /** Phantom field carrying D; never read at run time. */
  declare readonly __hasDefault: D;

  constructor(options: ParamOptions<T> = {}) {
    this.options = Object.freeze({ ...options });
  }

  get hasDefault(): boolean {
    return Object.prototype.hasOwnProperty.call(this.options, "default");
  }
  get significant(): boolean {
    return this.options.significant ?? true;
  }
  get positional(): boolean {
    return this.options.positional ?? true;
  }
  get visibility(): Visibility {
    return this.options.visibility ?? "public";
  }
  get description(): string | undefined {
    return this.options.description;
  }

  /** The text form expected by parse(), for error messages and help, e.g. "YYYY-MM-DD". */
  abstract readonly expected: string;

  /** Parses command-line / config text. Throws a plain Error with a short reason on bad input. */
  protected abstract parseText(text: string): T;

  /** Python-compatible text form (what goes into the step id and onto the wire). */
  abstract serialize(value: T): string;

  /**
   * Checks and canonicalises a value given in code (constructor argument or default), e.g. clamps a
   * date, freezes a list. Throws a plain Error with a short reason on a wrong type.
   */
  protected abstract normalizeValue(value: unknown): T;

  /** Parses text for the parameter `name` of `family`, throwing a ParameterError that names both. */
  parse(text: string, name: string, family?: string): T {
    try {
      return this.parseText(text);
    } catch (err) {
      throw this.invalid(name, family, `cannot parse ${JSON.stringify(text)}`, err);
    }
  }

  /** Normalises a code-given value for the parameter `name` of `family`, throwing a ParameterError. */
  normalize(value: unknown, name: string, family?: string): T {
    try {
      return this.normalizeValue(value);
    } catch (err) {
      throw this.invalid(name, family, `bad value ${describeValue(value)}`, err);
    }
  }

  /** Equality of two normalised values, used by the instance cache (default: equal serialisations). */
  equals(a: T, b: T): boolean {
    return this.serialize(a) === this.serialize(b);
  }

  /**
   * The value after `value` in this kind's natural enumeration (int + 1, the next date step), or null when
   * the kind has none. Only the execution summary uses it, to print runs like `x=1...9` (Luigi's
   * `next_in_enumeration`).
   */
  nextInEnumeration(_value: T): T | null {
    return null;
  }

  /**
   * Wrapper kinds (optional) delegate to another kind's raw parse: going through its public `parse()` would
   * wrap the error twice.
   */
  protected static parseWith<U>(kind: Param<U>, text: string): U {
    return kind.parseText(text);
  }

  /** Same as parseWith, for normalisation. */
  protected static normalizeWith<U>(kind: Param<U>, value: unknown): U {
    return kind.normalizeValue(value);
  }

  private invalid(name: string, family: string | undefined, what: string, err: unknown): ParameterError {
    const reason = err instanceof Error ? err.message : String(err);
    const where = family === undefined ? `parameter '${name}'` : `parameter '${name}' of ${family}`;
    return new ParameterError(
      ErrorCode.PARAMETER_INVALID,
      `${where}: ${what}: ${reason} (expected ${this.kind}: ${this.expected})`,
      { details: { param: name, family, kind: this.kind, expected: this.expected } },
    );
  }
}

/**
 * Whether an options object type carries a default: `{ default: 3 }` gives true, `{}` false, and an options
 * type whose `default` is optional (a variable typed `ParamOptions<T>`) gives boolean. Factories use it to
 * type `param.int({ default: 3 })` as `Param<number, true>`.
 */
export type HasDefault<O> = "default" extends keyof O
  ? O extends { default: unknown }
    ? true
    : boolean
  : false;

/** The value type held by a parameter. */
export type ParamValue<P> = P extends Param<infer T, boolean> ? T : never;

function describeValue(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
