/**
 * JSON as it travels between Luigi's Python processes: Python's encoder writes `Infinity`, `-Infinity` and
 * `NaN` for non-finite floats (add_task_batcher's default `max_batch_size` really is sent as `Infinity`),
 * so both directions must handle those tokens.
 */
import { pyJsonLoads } from "../step/pyjson.js";

/**
 * Parses wire JSON. `JSON.parse` first (fast, and what nearly every request needs); Python's tokens fall
 * back to pyJsonLoads, whose frozen containers and bigints are copied into plain values so that callers
 * never see a difference between the two paths. Throws the parser's SyntaxError/Error when invalid.
 */
export function parseWireJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (fast) {
    // Only retry when a Python token could be the reason; otherwise JSON.parse's message is as good.
    if (!/NaN|Infinity/.test(text)) throw fast;
    return plain(pyJsonLoads(text));
  }
}

/** A mutable copy; integers beyond 2^53 become (rounded) numbers, as JSON.parse would have made them. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a `__proto__` key stays a plain key, as JSON.parse keeps it.
      Object.defineProperty(out, key, {
        value: plain(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * Encodes like `JSON.stringify` (undefined members dropped, `toJSON` honoured, undefined array items as
 * null) except that non-finite numbers are written as Python's tokens, so a Luigi server reading our
 * requests gets `Infinity` back rather than `null`.
 */
export function encodeWireJson(value: unknown): string {
  if (!mayHoldNonFinite(value, 0)) return JSON.stringify(value) ?? "null";
  let nonFinite = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v)) nonFinite = true;
    return v;
  });
  if (text === undefined) return "null";
  return nonFinite ? encodeSlow(value) : text;
}

/**
 * Whether a non-finite number may be in `value`. A plain recursive scan followed by a plain
 * JSON.stringify costs a third of a stringify with a replacer, which calls back into JavaScript for every
 * member (the walk of a 10,000-step graph sends 10,000 registrations). Objects with `toJSON` (dates) and
 * anything deeper than 64 levels (or cyclic) answer "maybe": the replacer then decides, as before.
 */
function mayHoldNonFinite(value: unknown, depth: number): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (typeof value !== "object" || value === null) return false;
  if (depth > 64 || typeof (value as { toJSON?: unknown }).toJSON === "function") return true;
  if (Array.isArray(value)) {
    for (const item of value) if (mayHoldNonFinite(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && mayHoldNonFinite((value as Record<string, unknown>)[key], depth + 1))
      return true;
  }
  return false;
}

/** The rare path: a hand-written encoder that can emit the bare tokens. */
function encodeSlow(value: unknown): string {
  const write = (v: unknown, inArray: boolean): string | undefined => {
    if (typeof v === "object" && v !== null && typeof (v as { toJSON?: unknown }).toJSON === "function") {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    if (typeof v === "number") {
      if (Number.isNaN(v)) return "NaN";
      if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
      return JSON.stringify(v);
    }
    if (Array.isArray(v)) return `[${v.map((item) => write(item, true) ?? "null").join(",")}]`;
    if (typeof v === "object" && v !== null) {
      const parts: string[] = [];
      for (const [key, item] of Object.entries(v)) {
        const text = write(item, false);
        if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(",")}}`;
    }
    const text = JSON.stringify(v) as string | undefined;
    return text === undefined && inArray ? "null" : text;
  };
  return write(value, false) ?? "null";
}

/**
 * The body of a successful answer: `{"response": value}` with `</` escaped as `<\/`, as Luigi (Tornado's
 * json_encode) does so that a response can never close a `<script>` element it is embedded in. Standard
 * JSON here (non-finite numbers become null): browsers parse responses with JSON.parse.
 */
export function encodeResponse(value: unknown): string {
  return escapeScriptClose(JSON.stringify({ response: value === undefined ? null : value }));
}

export function escapeScriptClose(json: string): string {
  return json.includes("</") ? json.replaceAll("</", "<\\/") : json;
}
