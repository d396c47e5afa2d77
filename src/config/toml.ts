import { createRequire } from "node:module";
import type * as SmolToml from "smol-toml";
import { ConfigError } from "../errors.js";
import type { ConfigData, ConfigEntry } from "./entry.js";

let smolToml: typeof SmolToml | undefined;

/** smol-toml, loaded on the first TOML file read: a run with no TOML configuration never loads it. */
function toml(): typeof SmolToml {
  smolToml ??= createRequire(import.meta.url)("smol-toml") as typeof SmolToml;
  return smolToml;
}

/** True for a TOML table (a plain object), false for scalars, arrays and dates. */
export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Tables are frozen so a value read through `getRaw()` cannot change the configuration behind its back. */
function deepFreeze<T>(value: T): T {
  if (Array.isArray(value)) value.forEach(deepFreeze);
  else if (isTable(value)) Object.values(value).forEach(deepFreeze);
  return typeof value === "object" && value !== null && !(value instanceof Date)
    ? Object.freeze(value)
    : value;
}

/**
 * Parses a TOML document into sections. Each top-level table is a section; its keys keep their TOML types
 * and nested tables stay (frozen) objects. Top-level keys that are not tables cannot be addressed as
 * `[section] key`, so they are reported in `ignored` rather than silently dropped.
 */
export function parseToml(text: string, file: string): { data: ConfigData; ignored: string[] } {
  const { parse, TomlError } = toml();
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split("\n")[0] ?? err.message;
      throw new ConfigError(
        `${file}:${err.line}: ${reason}`,
        { file, line: err.line, column: err.column },
        err,
      );
    }
    throw err;
  }
  const data: ConfigData = new Map();
  const ignored: string[] = [];
  for (const [name, table] of Object.entries(doc)) {
    if (!isTable(table)) {
      ignored.push(name);
      continue;
    }
    const section = new Map<string, ConfigEntry>();
    for (const [key, value] of Object.entries(table)) {
      section.set(key, { value: deepFreeze(value), origin: "toml", file });
    }
    data.set(name, section);
  }
  return { data, ignored };
}

/** Merges TOML tables key by key, recursively (Luigi merges nested dicts from several files this way). */
export function mergeTables(base: unknown, over: unknown): unknown {
  if (!isTable(base) || !isTable(over)) return over;
  // A null-prototype copy, so a TOML key named "__proto__" stays an ordinary key.
  const out = Object.assign(Object.create(null) as Record<string, unknown>, base);
  for (const [key, value] of Object.entries(over)) out[key] = mergeTables(base[key], value);
  return Object.freeze(out);
}

/** The text form of a value: TOML scalars as written, dates in ISO form, arrays and tables as JSON. */
export function valueToText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  // A TomlDate is a Date whose toISOString() keeps the written precision: a local date stays "2026-11-20".
  if (value instanceof Date) return value.toISOString();
  if (value === undefined || value === null) return "";
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
