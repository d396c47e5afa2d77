/**
 * Values in COPY's text format (Luigi's `map_column` and `default_escape`): the null marker `\N` for
 * the step's null values, else the value's text with backslash, tab, newline, carriage return,
 * vertical tab, backspace and form feed escaped, so no value can end a column or a row early.
 */

export const COPY_NULL = "\\N";

const SPECIAL = /[\\\t\n\r\v\b\f]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\v": "\\v",
  "\b": "\\b",
  "\f": "\\f",
};

const HAS_SPECIAL = /[\\\t\n\r\v\b\f]/;

export function escapeCopyText(text: string): string {
  // Most values hold none of these: a test is cheaper than a replace that finds nothing.
  return HAS_SPECIAL.test(text) ? text.replace(SPECIAL, (c) => ESCAPES[c] ?? c) : text;
}

/**
 * A value's text as PostgreSQL reads it: dates as ISO 8601 (UTC), bytes as bytea's hex form, objects
 * and arrays as JSON (for json/jsonb columns), anything else by String().
 */
export function copyTextOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value instanceof Date) return isoText(value);
  if (value instanceof Uint8Array)
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

/*
 * toISOString() costs about 0.4 µs, more than the rest of a row's encoding, and a load's dates repeat
 * (the day being loaded): the last one's text is kept. An invalid date still throws (NaN never matches).
 */
let lastTime = Number.NaN;
let lastText = "";

function isoText(date: Date): string {
  const time = date.getTime();
  if (time !== lastTime) {
    lastText = date.toISOString();
    lastTime = time;
  }
  return lastText;
}
