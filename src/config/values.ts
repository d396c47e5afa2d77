import { ConfigError } from "../errors.js";
import { valueToText } from "./toml.js";

/** Where a value was found, for error messages. */
export interface ValueSource {
  section: string;
  key: string;
  file: string | undefined;
}

function bad(src: ValueSource, value: unknown, expected: string): never {
  const text = valueToText(value);
  const from = src.file === undefined ? "" : ` (in ${src.file})`;
  throw new ConfigError(
    `[${src.section}] ${src.key} = ${JSON.stringify(text)}${from}: expected ${expected}`,
    {
      file: src.file,
      section: src.section,
      key: src.key,
      value: text,
      expected,
    },
  );
}

/**
 * The typed parsers below return undefined for an empty string: `timeout =` in a cfg file means "not
 * set" (as an empty value on Luigi's command line does), so the caller's fallback applies.
 */
function blank(value: unknown): boolean {
  return typeof value === "string" && value.trim() === "";
}

export function toInt(value: unknown, src: ValueSource): number | undefined {
  if (blank(value)) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "bigint" && Number.isSafeInteger(Number(value))) return Number(value);
  if (typeof value === "string" && /^[+-]?\d+$/.test(value.trim())) {
    const n = Number(value.trim());
    if (Number.isSafeInteger(n)) return n;
  }
  return bad(src, value, "an integer");
}

export function toFloat(value: unknown, src: ValueSource): number | undefined {
  if (blank(value)) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  // Number("") is 0 and Number("0x10") is 16: check the shape first so only decimal notation passes.
  if (typeof value === "string" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) {
    return Number(value.trim());
  }
  return bad(src, value, "a number");
}

const TRUE_WORDS = new Set(["true", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "off", "0"]);

export function toBool(value: unknown, src: ValueSource): boolean | undefined {
  if (blank(value)) return undefined;
  if (typeof value === "boolean") return value;
  const word =
    typeof value === "number" ? String(value) : typeof value === "string" ? value.trim().toLowerCase() : "";
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return bad(src, value, "a boolean (true/false, yes/no, on/off, 1/0)");
}

const UNIT_SECONDS: ReadonlyArray<[RegExp, number]> = [
  [/^(w|wk|wks|weeks?)$/, 604800],
  [/^(d|days?)$/, 86400],
  [/^(h|hr|hrs|hours?)$/, 3600],
  [/^(m|min|mins|minutes?)$/, 60],
  [/^(s|sec|secs|seconds?)$/, 1],
  [/^(ms|msecs?|milliseconds?)$/, 0.001],
];

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * A duration in seconds. Accepts a plain number of seconds ("90", 1.5), ISO 8601 ("P1DT2H", "PT30M"),
 * and Luigi's TimeDeltaParameter style ("1 hour 30 minutes", "2d 4h", "1w").
 */
export function toDuration(value: unknown, src: ValueSource): number | undefined {
  if (blank(value)) return undefined;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== "string") return bad(src, value, "a duration");
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);

  const iso = ISO_DURATION.exec(text);
  if (iso !== null && text.length > 1 && !/T$/i.test(text)) {
    const [w, d, h, m, s] = iso.slice(1).map((part) => Number(part ?? 0));
    return (w ?? 0) * 604800 + (d ?? 0) * 86400 + (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
  }

  let total = 0;
  let matched = false;
  const rest = text
    .toLowerCase()
    .replace(/(\d+(?:\.\d+)?)\s*([a-z]+)[\s,]*/g, (_all, num: string, unit: string) => {
      const factor = UNIT_SECONDS.find(([re]) => re.test(unit))?.[1];
      if (factor === undefined) return _all;
      total += Number(num) * factor;
      matched = true;
      return "";
    });
  if (matched && rest.trim() === "") return total;
  return bad(src, value, 'a duration (seconds, "1 hour 30 minutes", "2d 4h" or ISO 8601 "PT1H30M")');
}

/** A comma-separated list (addresses, origins, names): items trimmed, empty ones dropped. */
export function commaList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
