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

export function escapeCopyText(text: string): string {
  return text.replace(SPECIAL, (c) => ESCAPES[c] ?? c);
}

/**
 * A value's text as PostgreSQL reads it: dates as ISO 8601 (UTC), bytes as bytea's hex form, objects
 * and arrays as JSON (for json/jsonb columns), anything else by String().
 */
export function copyTextOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array)
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}
