/** Kinds with a closed set of values: enum (by member name, like Luigi's EnumParameter) and choice. */
import { pyFloatRepr } from "../pyjson.js";
import { Param, type ParamOptions } from "./param.js";
import { parsePyFloat } from "./scalar.js";

/**
 * Members of an enum: a list of names (each name is its own value), or a TypeScript string enum object,
 * whose member names are what Luigi serialises (`Color.Red = "red"` is written `Red`).
 */
export type EnumSource = readonly string[] | Readonly<Record<string, string>>;

export class EnumParam<T extends string, D extends boolean = boolean> extends Param<T, D> {
  readonly kind = "enum";
  readonly expected: string;
  /** member name -> value, in declaration order. */
  readonly members: ReadonlyMap<string, T>;
  private readonly names: ReadonlyMap<T, string>;

  constructor(source: EnumSource, options: ParamOptions<T> = {}) {
    super(options);
    const entries: [string, T][] = Array.isArray(source)
      ? (source as readonly T[]).map((v) => [v, v])
      : (Object.entries(source) as [string, T][]);
    if (entries.length === 0) throw new RangeError("enum: no members");
    this.members = new Map(entries);
    this.names = new Map(entries.map(([name, value]) => [value, name]));
    this.expected = `one of ${[...this.members.keys()].join(", ")}`;
  }

  /** By member name, as Luigi; the member's value is accepted as well when no name takes precedence. */
  protected parseText(text: string): T {
    const byName = this.members.get(text);
    if (byName !== undefined) return byName;
    if (this.names.has(text as T)) return text as T;
    throw new Error("not a member");
  }
  serialize(value: T): string {
    return this.names.get(value) ?? value;
  }
  protected normalizeValue(value: unknown): T {
    if (typeof value === "string" && this.names.has(value as T)) return value as T;
    throw new Error("not a member");
  }
}

/**
 * Luigi's ChoiceParameter. Numbers are written like Python's `str()` (integers as ints, others as floats);
 * text is matched against those forms first, then compared numerically (`"01"` is the choice 1), as
 * Luigi converts with `var_type` before checking membership.
 */
export class ChoiceParam<T extends string | number, D extends boolean = boolean> extends Param<T, D> {
  readonly kind = "choice";
  readonly expected: string;
  readonly choices: readonly T[];

  constructor(choices: readonly T[], options: ParamOptions<T> = {}) {
    super(options);
    if (choices.length === 0) throw new RangeError("choice: no choices");
    for (const c of choices) {
      if (typeof c !== "string" && typeof c !== "number")
        throw new TypeError(`choice: bad choice ${String(c)}`);
    }
    this.choices = Object.freeze([...choices]);
    this.expected = `one of ${this.choices.map((c) => this.serialize(c)).join(", ")}`;
  }

  /** Luigi appends the choices to the description, so they show in help. */
  override get description(): string {
    const own = this.options.description;
    const list = `Choices: {${this.choices.map((c) => this.serialize(c)).join(", ")}}`;
    return own === undefined || own === "" ? list : `${own} ${list}`;
  }

  protected parseText(text: string): T {
    const exact = this.choices.find((c) => this.serialize(c) === text);
    if (exact !== undefined) return exact;
    let n: number | undefined;
    try {
      n = parsePyFloat(text);
    } catch {
      n = undefined;
    }
    const numeric = n === undefined ? undefined : this.choices.find((c) => c === n);
    if (numeric !== undefined) return numeric;
    throw new Error("not a valid choice");
  }
  serialize(value: T): string {
    if (typeof value === "string") return value;
    return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : pyFloatRepr(value);
  }
  protected normalizeValue(value: unknown): T {
    const found = this.choices.find((c) => c === value);
    if (found === undefined) throw new Error("not a valid choice");
    return found;
  }
}
