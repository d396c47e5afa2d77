/**
 * The part of Python's `ast.literal_eval` that TupleParameter relies on: tuples, lists, dicts, strings,
 * numbers, True/False/None. Luigi falls back to it when a tuple value is not JSON, so `((1,2),(3,4))` in a
 * config file must be read here too. Sets, bytes, complex numbers and triple-quoted strings are refused.
 */
import { defineEntry, pyFloatRepr, registerFrozen, type JsonValue } from "../pyjson.js";

interface Parsed {
  value: JsonValue;
  isFloat: boolean;
}

/** Evaluates a Python literal into a frozen JSON value (floats marked, so `(1.0,)` dumps as `[1.0]`). */
export function parsePyLiteral(text: string): JsonValue {
  const p = new LiteralParser(text);
  const result = p.expr();
  p.skipSpace();
  if (p.pos < text.length) throw p.error("unexpected text");
  return result.value;
}

const simpleEscapes: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\n": "",
};

const numberPattern =
  /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?)/y;

class LiteralParser {
  pos = 0;
  constructor(private readonly text: string) {}

  error(what: string): Error {
    return new Error(`malformed Python literal: ${what} at character ${this.pos}`);
  }

  skipSpace(): void {
    while (/\s/.test(this.text.charAt(this.pos))) this.pos++;
  }

  private peek(): string {
    this.skipSpace();
    return this.text.charAt(this.pos);
  }

  expr(): Parsed {
    const c = this.peek();
    if (c === "(") return this.tuple();
    if (c === "[") return { value: this.sequence("]", []), isFloat: false };
    if (c === "{") return { value: this.dict(), isFloat: false };
    if (c === "-" || c === "+") {
      this.pos++;
      const operand = this.expr();
      if (typeof operand.value === "number")
        return { value: c === "-" ? -operand.value : operand.value, isFloat: operand.isFloat };
      if (typeof operand.value === "bigint")
        return { value: c === "-" ? -operand.value : operand.value, isFloat: false };
      throw this.error("sign before a non-number");
    }
    if (/['"]/.test(c) || /^[rRuU]['"]/.test(this.text.slice(this.pos, this.pos + 2))) {
      let s = "";
      while (/['"]/.test(this.peek()) || /^[rRuU]['"]/.test(this.text.slice(this.pos, this.pos + 2)))
        s += this.string();
      return { value: s, isFloat: false };
    }
    const word = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos))?.[0];
    if (word !== undefined) {
      this.pos += word.length;
      if (word === "True") return { value: true, isFloat: false };
      if (word === "False") return { value: false, isFloat: false };
      if (word === "None") return { value: null, isFloat: false };
      throw this.error(`name ${word} is not a literal`);
    }
    return this.number();
  }

  private number(): Parsed {
    numberPattern.lastIndex = this.pos;
    const text = numberPattern.exec(this.text)?.[0] ?? "";
    if (!/\d/.test(text)) throw this.error("expected a value");
    this.pos += text.length;
    const clean = text.replaceAll("_", "");
    if (/^0[xob]/i.test(clean) || /^\d+$/.test(clean)) {
      if (/^0\d/.test(clean) && /[1-9]/.test(clean)) throw this.error("leading zeros in an integer");
      const big = BigInt(clean);
      const small = Number(big);
      return { value: Number.isSafeInteger(small) ? small : big, isFloat: false };
    }
    return { value: Number(clean), isFloat: true };
  }

  private string(): string {
    let raw = false;
    if (/[rRuU]/.test(this.text.charAt(this.pos))) raw = /[rR]/.test(this.text.charAt(this.pos++));
    const quote = this.text.charAt(this.pos);
    if (this.text.startsWith(quote.repeat(3), this.pos))
      throw this.error("triple-quoted strings are not supported");
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === "" || c === "\n") throw this.error("unterminated string");
      this.pos++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text.charAt(this.pos);
      if (raw) {
        out += `\\${e}`;
        this.pos++;
        continue;
      }
      out += this.escape(e);
    }
  }

  private escape(e: string): string {
    const simple = simpleEscapes[e];
    if (simple !== undefined) {
      this.pos++;
      return simple;
    }
    const hexLength = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.text.slice(this.pos + 1, this.pos + 1 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) throw this.error(`bad \\${e} escape`);
      this.pos += 1 + hexLength;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos))?.[0];
    if (octal !== undefined) {
      this.pos += octal.length;
      return String.fromCharCode(parseInt(octal, 8));
    }
    return "\\"; // Python keeps unknown escapes as written; the next character follows as usual
  }

  /** `()`, `(x)` (just x), `(x,)`, `(x, y, ...)`. */
  private tuple(): Parsed {
    this.pos++;
    if (this.peek() === ")") {
      this.pos++;
      return { value: registerFrozen([], new Set()), isFloat: false };
    }
    const first = this.expr();
    if (this.peek() === ")") {
      this.pos++;
      return first;
    }
    if (this.peek() !== ",") throw this.error("expected ',' or ')'");
    this.pos++;
    return { value: this.sequence(")", [first]), isFloat: false };
  }

  /** Items up to `close`, with an optional trailing comma; `items` holds any already read. */
  private sequence(close: string, items: Parsed[]): JsonValue {
    if (items.length === 0) this.pos++;
    while (this.peek() !== close) {
      items.push(this.expr());
      const c = this.peek();
      if (c === ",") this.pos++;
      else if (c !== close) throw this.error(`expected ',' or '${close}'`);
    }
    this.pos++;
    const floats = new Set<number>();
    items.forEach((item, i) => item.isFloat && floats.add(i));
    return registerFrozen(
      items.map((item) => item.value),
      floats,
    );
  }

  private dict(): JsonValue {
    this.pos++;
    const obj: Record<string, JsonValue> = {};
    const keys: string[] = [];
    const floats = new Set<string>();
    while (this.peek() !== "}") {
      const key = this.expr();
      if (this.peek() !== ":") throw this.error("expected ':'");
      this.pos++;
      const item = this.expr();
      const name = keyText(key);
      if (!Object.prototype.hasOwnProperty.call(obj, name)) keys.push(name);
      if (item.isFloat) floats.add(name);
      else floats.delete(name);
      defineEntry(obj, name, item.value);
      const c = this.peek();
      if (c === ",") this.pos++;
      else if (c !== "}") throw this.error("expected ',' or '}'");
    }
    this.pos++;
    return registerFrozen(obj, floats, keys);
  }
}

/** The JSON key `json.dumps` would write for a Python dict key. */
function keyText(key: Parsed): string {
  const v = key.value;
  if (typeof v === "string") return v;
  if (typeof v === "number") return key.isFloat ? pyFloatRepr(v) : String(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v === null) return "null";
  throw new Error("malformed Python literal: unhashable dict key");
}
