/**
 * Python-compatible JSON and float text (SPEC Appendix A). Step ids and Dict/List/Tuple parameter values
 * must be byte-identical to what Luigi's Python `json.dumps` and `repr(float)` produce, otherwise a Python
 * and a TypeScript worker would disagree on step ids. `JSON.stringify` differs in three ways that matter:
 * it does not escape non-ASCII, it cannot tell `1.0` from `1`, and it sorts nothing.
 *
 * How the int/float distinction survives: values stay plain JS numbers (what users expect to read), and
 * every container produced by `pyJsonLoads` or `freezeJson` is frozen and registered in a side table that
 * records which of its positions hold a Python float, and (for objects) the key order Python would keep.
 * Freezing is what makes the side table sound: a registered container can never change afterwards. A
 * number at an unrecorded position is an int when it is integral and a float otherwise. Code that needs an
 * integral float in a fresh value (or at top level) writes `new PyFloat(1)`.
 */

/** A number that must be written as a Python float even when integral: `new PyFloat(1)` dumps as `1.0`. */
export class PyFloat {
  constructor(readonly value: number) {
    Object.freeze(this);
  }
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return pyFloatRepr(this.value);
  }
}

/** A JSON value as luigi-ts holds it: bigint only for integers beyond 2^53, which Python keeps exactly. */
export type JsonValue = null | boolean | number | bigint | string | JsonArray | JsonObject;
export type JsonArray = readonly JsonValue[];
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export interface PyJsonDumpsOptions {
  /** Sort object keys by code point, like `sort_keys=True`. */
  sortKeys?: boolean;
  /** Separators `,` and `:` (the step id) instead of Python's default `, ` and `: ` (parameter values). */
  compact?: boolean;
}

interface Shape {
  /** Indexes (arrays) or keys (objects) whose numbers are Python floats. */
  readonly floats: ReadonlySet<string | number>;
  /** Python's key order when it differs from JS's (integer-like keys come first in JS). */
  readonly keys?: readonly string[];
}

const shapes = new WeakMap<object, Shape>();

// ---------------------------------------------------------------------------------------------------------
// Float text

/**
 * Python's `repr(float)`. `String(n)` already gives the shortest round-trip digits (the spec requires the
 * closest of the shortest candidates, as Python's dtoa does), so only the layout is converted: Python
 * switches to exponent form below 1e-4 and from 1e16, pads the exponent to two digits, and keeps `.0` on
 * integral values.
 */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const { digits, exp } = shortestDigits(Math.abs(n));
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absExp = Math.abs(exp);
    return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${absExp < 10 ? "0" : ""}${absExp}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Significant digits (no leading/trailing zeros) and decimal exponent of a positive finite number. */
function shortestDigits(x: number): { digits: string; exp: number } {
  const text = String(x);
  const e = text.indexOf("e");
  const mantissa = e < 0 ? text : text.slice(0, e);
  const dot = mantissa.indexOf(".");
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const fracPart = dot < 0 ? "" : mantissa.slice(dot + 1);
  let digits = intPart + fracPart;
  let exp = (e < 0 ? 0 : Number(text.slice(e + 1))) + intPart.length - 1;
  const leadingZeros = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leadingZeros).replace(/0+$/, "");
  exp -= leadingZeros;
  return { digits, exp };
}

/** A float as `json.dumps` writes it: like repr, but `Infinity`, `-Infinity`, `NaN`. */
function jsonFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  return pyFloatRepr(n);
}

/** An integral JS number as Python's int text (`String()` would switch to exponent form at 1e21). */
function intText(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/** Whether a JS number at a position without a float mark is a Python float (-0 cannot be an int). */
function isFloatNumber(n: number): boolean {
  return !Number.isInteger(n) || Object.is(n, -0);
}

// ---------------------------------------------------------------------------------------------------------
// Strings and key order

/** `ensure_ascii` escaping: everything outside 0x20-0x7E is `\uXXXX` (UTF-16 units, so astral = pairs). */
export function pyJsonString(s: string): string {
  return `"${s.replace(/["\\]|[^\x20-\x7e]/g, escapeChar)}"`;
}

const shortEscapes: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function escapeChar(c: string): string {
  return shortEscapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Orders strings by code point, as Python sorts str. Plain `<` compares UTF-16 units, which puts astral
 * characters (surrogates, 0xD800-0xDFFF) before U+E000-U+FFFF; shifting the units fixes that.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** The keys of a JSON object in the order Python would iterate them. */
export function pyKeys(obj: object): readonly string[] {
  return shapes.get(obj)?.keys ?? Object.keys(obj);
}

/** Whether position `key` of a container from pyJsonLoads/freezeJson holds a Python float. */
export function isPyFloatAt(container: object, key: string | number): boolean {
  return shapes.get(container)?.floats.has(key) ?? false;
}

// ---------------------------------------------------------------------------------------------------------
// Dumping

/** Python's `json.dumps(value, ensure_ascii=True, sort_keys=..., separators=...)`. */
export function pyJsonDumps(value: unknown, options: PyJsonDumpsOptions = {}): string {
  const itemSep = options.compact === true ? "," : ", ";
  const keySep = options.compact === true ? ":" : ": ";
  const sortKeys = options.sortKeys === true;
  const active = new Set<object>();
  const parts: string[] = [];

  const write = (v: unknown, markedFloat: boolean): void => {
    if (v === null) parts.push("null");
    else if (v === true) parts.push("true");
    else if (v === false) parts.push("false");
    else if (typeof v === "string") parts.push(pyJsonString(v));
    else if (typeof v === "number") parts.push(markedFloat || isFloatNumber(v) ? jsonFloat(v) : intText(v));
    else if (typeof v === "bigint") parts.push(v.toString());
    else if (v instanceof PyFloat) parts.push(jsonFloat(v.value));
    else if (typeof v === "object") {
      if (active.has(v)) throw new TypeError("Circular reference detected");
      active.add(v);
      if (Array.isArray(v)) {
        parts.push("[");
        for (let i = 0; i < v.length; i++) {
          if (i > 0) parts.push(itemSep);
          write(v[i], isPyFloatAt(v, i));
        }
        parts.push("]");
      } else if (isPlainObject(v)) {
        let keys = pyKeys(v);
        if (sortKeys) keys = [...keys].sort(compareCodePoints);
        parts.push("{");
        keys.forEach((key, i) => {
          if (i > 0) parts.push(itemSep);
          parts.push(pyJsonString(key), keySep);
          write((v as Record<string, unknown>)[key], isPyFloatAt(v, key));
        });
        parts.push("}");
      } else {
        throw notSerializable(v);
      }
      active.delete(v);
    } else {
      throw notSerializable(v);
    }
  };

  write(value, false);
  return parts.join("");
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function notSerializable(v: unknown): TypeError {
  const type =
    typeof v === "object" && v !== null
      ? ((v.constructor as { name?: string } | undefined)?.name ?? "object")
      : typeof v;
  return new TypeError(`Object of type ${type} is not JSON serializable`);
}

// ---------------------------------------------------------------------------------------------------------
// Freezing code-given values

/**
 * A deeply frozen copy of a JSON-like value given in code (arrays, plain objects, strings, numbers,
 * bigints, booleans, null, PyFloat), registered so that pyJsonDumps knows its floats. Containers that are
 * already registered are returned as they are, so values passed from one step to another keep their
 * float marks and key order. Anything else (undefined, functions, Dates, Maps, cycles) is rejected.
 */
export function freezeJson(value: unknown): JsonValue {
  return freezeValue(value, new Set());
}

/** Registers and freezes a container built by this module or by a parameter kind. */
export function registerFrozen<C extends object>(
  container: C,
  floats: ReadonlySet<string | number>,
  keys?: readonly string[],
): C {
  Object.freeze(container);
  shapes.set(container, keys === undefined ? { floats } : { floats, keys });
  return container;
}

/** Whether a value is a container registered by pyJsonLoads / freezeJson (hence deeply frozen). */
export function isFrozenJson(value: unknown): boolean {
  return typeof value === "object" && value !== null && shapes.has(value);
}

function freezeValue(value: unknown, active: Set<object>): JsonValue {
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    typeof value === "bigint"
  ) {
    return value;
  }
  if (typeof value === "number") return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value !== "object") throw notSerializable(value);
  if (shapes.has(value)) return value as JsonValue;
  if (active.has(value)) throw new TypeError("Circular reference detected");
  active.add(value);
  const floats = new Set<string | number>();
  let out: JsonValue;
  if (Array.isArray(value)) {
    const items = Array.from(value as unknown[], (item, i) => {
      if (item instanceof PyFloat) floats.add(i);
      return freezeValue(item, active);
    });
    out = registerFrozen(items, floats);
  } else if (isPlainObject(value)) {
    const obj: Record<string, JsonValue> = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item instanceof PyFloat) floats.add(key);
      defineEntry(obj, key, freezeValue(item, active));
    }
    out = registerFrozen(obj, floats);
  } else {
    throw notSerializable(value);
  }
  active.delete(value);
  return out;
}

/** Assignment would treat a `__proto__` key specially; a data property never does. */
export function defineEntry(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------------------
// Loading

/**
 * Python's `json.loads`, returning deeply frozen, registered containers: a number written without `.` or
 * an exponent is an int (a bigint beyond 2^53), anything else a float; `NaN`, `Infinity` and `-Infinity`
 * are accepted like Python does; a repeated key keeps its first position and its last value (Python's
 * ordered dict). A top-level number cannot carry a mark: `1.0` alone comes back as the number 1.
 * Hand-written because `JSON.parse` loses exactly the distinctions listed above.
 */
export function pyJsonLoads(text: string): JsonValue {
  const parser = new JsonParser(text);
  parser.skipWhitespace();
  const value = parser.value();
  parser.skipWhitespace();
  if (parser.pos < text.length) throw parser.error("Extra data");
  return value.value;
}

interface Parsed {
  value: JsonValue;
  isFloat: boolean;
}

const numberPattern = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

class JsonParser {
  pos = 0;
  constructor(private readonly text: string) {}

  error(what: string): Error {
    return new Error(`${what} at character ${this.pos}`);
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text.charAt(this.pos))) this.pos++;
  }

  value(): Parsed {
    const c = this.text.charAt(this.pos);
    if (c === "{") return { value: this.object(), isFloat: false };
    if (c === "[") return { value: this.array(), isFloat: false };
    if (c === '"') return { value: this.string(), isFloat: false };
    for (const [word, value, isFloat] of literals) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { value, isFloat };
      }
    }
    return this.number();
  }

  private number(): Parsed {
    numberPattern.lastIndex = this.pos;
    const m = numberPattern.exec(this.text);
    if (m === null) throw this.error("Expecting value");
    this.pos += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return { value: Number(m[0]), isFloat: true };
    const n = Number(m[0]);
    if (Number.isSafeInteger(n)) return { value: n === 0 ? 0 : n, isFloat: false };
    return { value: BigInt(m[0]), isFloat: false };
  }

  private string(): string {
    let out = "";
    let start = ++this.pos;
    for (;;) {
      if (this.pos >= this.text.length) throw this.error("Unterminated string");
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) break;
      if (code < 0x20) throw this.error("Invalid control character");
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.text.slice(start, this.pos);
      const esc = this.text.charAt(this.pos + 1);
      if (esc === "u") {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.error("Invalid \\uXXXX escape");
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const decoded = jsonEscapes[esc];
        if (decoded === undefined) throw this.error("Invalid \\escape");
        out += decoded;
        this.pos += 2;
      }
      start = this.pos;
    }
    out += this.text.slice(start, this.pos);
    this.pos++;
    return out;
  }

  private array(): JsonArray {
    this.pos++;
    const items: JsonValue[] = [];
    const floats = new Set<number>();
    this.skipWhitespace();
    if (this.text.charAt(this.pos) === "]") {
      this.pos++;
      return registerFrozen(items, floats);
    }
    for (;;) {
      this.skipWhitespace();
      const item = this.value();
      if (item.isFloat) floats.add(items.length);
      items.push(item.value);
      this.skipWhitespace();
      const c = this.text.charAt(this.pos++);
      if (c === "]") return registerFrozen(items, floats);
      if (c !== ",") {
        this.pos--;
        throw this.error("Expecting ',' delimiter");
      }
    }
  }

  private object(): JsonObject {
    this.pos++;
    const obj: Record<string, JsonValue> = {};
    const keys: string[] = [];
    const floats = new Set<string>();
    this.skipWhitespace();
    if (this.text.charAt(this.pos) === "}") {
      this.pos++;
      return registerFrozen(obj, floats, keys);
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charAt(this.pos) !== '"')
        throw this.error("Expecting property name enclosed in double quotes");
      const key = this.string();
      this.skipWhitespace();
      if (this.text.charAt(this.pos) !== ":") throw this.error("Expecting ':' delimiter");
      this.pos++;
      this.skipWhitespace();
      const item = this.value();
      if (!Object.prototype.hasOwnProperty.call(obj, key)) keys.push(key);
      if (item.isFloat) floats.add(key);
      else floats.delete(key);
      defineEntry(obj, key, item.value);
      this.skipWhitespace();
      const c = this.text.charAt(this.pos++);
      if (c === "}") return registerFrozen(obj, floats, keys);
      if (c !== ",") {
        this.pos--;
        throw this.error("Expecting ',' delimiter");
      }
    }
  }
}

const literals: readonly (readonly [string, JsonValue, boolean])[] = [
  ["null", null, false],
  ["true", true, false],
  ["false", false, false],
  ["NaN", NaN, true],
  ["Infinity", Infinity, true],
  ["-Infinity", -Infinity, true],
];

const jsonEscapes: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
