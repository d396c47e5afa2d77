/** Plain scalar kinds: str, int, float, bool (SPEC 1.2), plus Python's number syntax shared by others. */
import { pyFloatRepr } from "../pyjson.js";
import { Param, type ParamOptions } from "./param.js";

// Python's int() and float() accept surrounding whitespace, a sign and `_` between digits; float() also
// accepts `inf`, `infinity` and `nan` in any case. Matching that keeps config files portable.
const pyIntPattern = /^[+-]?\d+(?:_\d+)*$/;
const digitsPart = String.raw`\d+(?:_\d+)*`;
const pyFloatPattern = new RegExp(
  String.raw`^[+-]?(?:(?:${digitsPart}(?:\.(?:${digitsPart})?)?|\.${digitsPart})(?:[eE][+-]?${digitsPart})?|inf|infinity|nan)$`,
  "i",
);

/** Python `int(text)`, limited to safe JS integers. */
export function parsePyInt(text: string): number {
  const t = text.trim();
  if (!pyIntPattern.test(t)) throw new Error("not an integer");
  const n = Number(t.replaceAll("_", ""));
  if (!Number.isSafeInteger(n)) throw new Error("integer out of the safe range (±2^53)");
  return n === 0 ? 0 : n;
}

/** Python `float(text)`. */
export function parsePyFloat(text: string): number {
  const t = text.trim();
  if (!pyFloatPattern.test(t)) throw new Error("not a number");
  const lower = t.toLowerCase().replace(/^\+/, "");
  if (lower.endsWith("nan")) return NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity"))
    return lower.startsWith("-") ? -Infinity : Infinity;
  return Number(lower.replaceAll("_", ""));
}

/** Python `str(int)`. */
export function serializeInt(n: number): string {
  return String(n === 0 ? 0 : n);
}

export function checkInt(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new Error("not an integer");
  if (!Number.isSafeInteger(value)) throw new Error("integer out of the safe range (±2^53)");
  return value === 0 ? 0 : value;
}

export function checkFloat(value: unknown): number {
  if (typeof value !== "number") throw new Error("not a number");
  return value;
}

/** Luigi's `Parameter`: any string, unchanged. */
export class StrParam<D extends boolean = boolean> extends Param<string, D> {
  readonly kind = "str";
  readonly expected = "any text";
  protected parseText(text: string): string {
    return text;
  }
  serialize(value: string): string {
    return value;
  }
  protected normalizeValue(value: unknown): string {
    if (typeof value !== "string") throw new Error("not a string");
    return value;
  }
}

export class IntParam<D extends boolean = boolean> extends Param<number, D> {
  readonly kind = "int";
  readonly expected = "an integer";
  protected parseText(text: string): number {
    return parsePyInt(text);
  }
  serialize(value: number): string {
    return serializeInt(value);
  }
  protected normalizeValue(value: unknown): number {
    return checkInt(value);
  }
  override nextInEnumeration(value: number): number {
    return value + 1;
  }
}

/** Serialised with Python's float repr, so `1` becomes `1.0` as in a Python worker's step id. */
export class FloatParam<D extends boolean = boolean> extends Param<number, D> {
  readonly kind = "float";
  readonly expected = "a number (e.g. 1, 1.5, 1e3, inf)";
  protected parseText(text: string): number {
    return parsePyFloat(text);
  }
  serialize(value: number): string {
    return pyFloatRepr(value);
  }
  protected normalizeValue(value: unknown): number {
    return checkFloat(value);
  }
}

export interface BoolOptions extends ParamOptions<boolean> {
  /**
   * Command-line form: "implicit" (default) means a bare `--flag` is true and takes no value; "explicit"
   * means `--flag true|false`, with a bare `--flag` still true.
   */
  parsing?: "implicit" | "explicit";
}

/** True/False like Python's `str(bool)`; without a default it defaults to false, as in Luigi. */
export class BoolParam extends Param<boolean, true> {
  readonly kind = "bool";
  readonly expected = "true or false";
  readonly parsing: "implicit" | "explicit";

  constructor(options: BoolOptions = {}) {
    const { parsing, ...rest } = options;
    super(Object.prototype.hasOwnProperty.call(rest, "default") ? rest : { ...rest, default: false });
    this.parsing = parsing ?? "implicit";
  }

  protected parseText(text: string): boolean {
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    throw new Error("not true or false");
  }
  serialize(value: boolean): string {
    return value ? "True" : "False";
  }
  /** Luigi normalises through `str(value).lower()`, so the strings "true"/"false" are accepted too. */
  protected normalizeValue(value: unknown): boolean {
    if (typeof value === "boolean") return value;
    if (typeof value === "string") return this.parseText(value);
    throw new Error("not a boolean");
  }
}
