import { DEFAULT_SECTION, type ConfigData, type ConfigEntry, type Env } from "./entry.js";
import { parseIni } from "./ini.js";
import { interpolate } from "./interpolate.js";
import { mergeTables, parseToml, valueToText } from "./toml.js";
import { toBool, toDuration, toFloat, toInt, type ValueSource } from "./values.js";

/** "cfg" is Python ConfigParser INI (luigi.cfg); "toml" is luigi.toml. */
export type ConfigFormat = "cfg" | "toml";

/** The sections [DEFAULT] does not leak into: resource capacities must be declared one by one. */
const NO_DEFAULTS = new Set(["resources"]);

/** Lookup order for a key: underscore form (the recommended one), then dashed, then as written. */
function keyForms(key: string): string[] {
  return [...new Set([key.replaceAll("-", "_"), key.replaceAll("_", "-"), key])];
}

/** A resolved key: the spelling that matched, and its entry (from the section itself or from DEFAULT). */
interface Found {
  key: string;
  entry: ConfigEntry;
}

/**
 * Merged configuration: section -> key -> value, from one or more files of one format plus
 * command-line overrides. INI values are interpolated each time they are read, so an override of a
 * referenced key (or an environment change in tests) is seen by every value that refers to it.
 */
export class LuigiConfig {
  readonly format: ConfigFormat;
  /** Sources merged so far, in order (file paths, or the name given to `fromString`). */
  readonly files: string[] = [];
  /** Non-fatal problems (missing LUIGI_CONFIG_PATH, deprecated names, dashed keys), each reported once. */
  readonly warnings: string[] = [];
  private readonly data: ConfigData = new Map();
  private readonly env: Env;

  constructor(format: ConfigFormat = "cfg", opts: { env?: Env } = {}) {
    this.format = format;
    this.env = opts.env ?? process.env;
  }

  /** A configuration from one document; `name` appears in error messages and in `files`. */
  static fromString(
    text: string,
    format: ConfigFormat,
    name = "<string>",
    opts: { env?: Env } = {},
  ): LuigiConfig {
    return new LuigiConfig(format, opts).addSource(text, name);
  }

  /** Parses `text` in this config's format and merges it over what is loaded, key by key. */
  addSource(text: string, name: string): this {
    let parsed: ConfigData;
    if (this.format === "toml") {
      const result = parseToml(text, name);
      parsed = result.data;
      for (const key of result.ignored) {
        this.warn(`${name}: top-level key "${key}" is outside any [table]; ignored`);
      }
    } else {
      parsed = parseIni(text, name);
    }
    for (const [sectionName, entries] of parsed) {
      const section = this.sectionMap(sectionName);
      for (const [key, entry] of entries) {
        const old = section.get(key);
        const merged =
          old !== undefined && entry.origin === "toml"
            ? { ...entry, value: mergeTables(old.value, entry.value) }
            : entry;
        section.set(key, merged);
      }
    }
    this.files.push(name);
    return this;
  }

  /** Records a warning once. Typed sections use it for deprecated names. */
  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** Section names in load order, without DEFAULT. */
  sections(): string[] {
    return [...this.data.keys()].filter((name) => name !== DEFAULT_SECTION);
  }

  /**
   * The keys written in the section itself, not inherited from DEFAULT, each with where it was set last
   * (file undefined for `set()` overrides; line only for INI files).
   */
  ownKeys(section: string): Array<{ key: string; file: string | undefined; line: number | undefined }> {
    return [...(this.data.get(section) ?? [])].map(([key, entry]) => ({
      key,
      file: entry.file,
      line: entry.line,
    }));
  }

  /** `has(section)`: the section exists. `has(section, key)`: the key resolves (DEFAULT and dashed forms count). */
  has(section: string, key?: string): boolean {
    if (key === undefined) return section !== DEFAULT_SECTION && this.data.has(section);
    return this.find(section, key) !== undefined;
  }

  /** The value as text: INI values interpolated, TOML scalars converted (arrays and tables as JSON). */
  get(section: string, key: string): string | undefined {
    const found = this.find(section, key);
    return found === undefined ? undefined : this.render(section, found);
  }

  /** The stored value without interpolation or conversion (TOML keeps its types). */
  getRaw(section: string, key: string): unknown {
    return this.find(section, key)?.entry.value;
  }

  /** Every key of a section (DEFAULT keys included, except for [resources]) as interpolated text. */
  section(name: string): Record<string, string> {
    const keys = new Set<string>(
      this.defaultsApply(name) ? this.data.get(DEFAULT_SECTION)?.keys() : undefined,
    );
    for (const key of this.data.get(name)?.keys() ?? []) keys.add(key);
    const entries: Array<[string, string]> = [];
    for (const key of keys) {
      const found = this.findExact(name, key);
      if (found !== undefined) entries.push([key, this.render(name, found)]);
    }
    // fromEntries defines own properties, so even a key named "__proto__" stays a plain key.
    return Object.fromEntries(entries);
  }

  /**
   * Sets a value as given on a command line (`--scheduler-retry-delay 60`). It is literal (never
   * interpolated) and replaces the key in every spelling, so a file's `retry_delay` cannot shadow a
   * `retry-delay` override.
   */
  set(section: string, key: string, value: string | number | boolean): void {
    const entries = this.sectionMap(section);
    for (const form of keyForms(key)) entries.delete(form);
    entries.set(key, { value, origin: "override" });
  }

  getString<F>(section: string, key: string, fallback: F): string | F {
    return this.get(section, key) ?? fallback;
  }

  getInt<F>(section: string, key: string, fallback: F): number | F {
    return this.typed(section, key, toInt) ?? fallback;
  }

  getFloat<F>(section: string, key: string, fallback: F): number | F {
    return this.typed(section, key, toFloat) ?? fallback;
  }

  /** true/false, yes/no, on/off, 1/0, case-insensitive (TOML booleans as they are). */
  getBool<F>(section: string, key: string, fallback: F): boolean | F {
    return this.typed(section, key, toBool) ?? fallback;
  }

  /** Seconds; see `toDuration` for the accepted notations. */
  getDuration<F>(section: string, key: string, fallback: F): number | F {
    return this.typed(section, key, toDuration) ?? fallback;
  }

  private typed<T>(
    section: string,
    key: string,
    convert: (value: unknown, src: ValueSource) => T | undefined,
  ): T | undefined {
    const found = this.find(section, key);
    if (found === undefined) return undefined;
    const value = found.entry.origin === "cfg" ? this.render(section, found) : found.entry.value;
    return convert(value, { section, key: found.key, file: found.entry.file });
  }

  private sectionMap(name: string): Map<string, ConfigEntry> {
    let entries = this.data.get(name);
    if (entries === undefined) {
      entries = new Map();
      this.data.set(name, entries);
    }
    return entries;
  }

  /** ConfigParser semantics (DEFAULT) belong to the INI format only; a TOML [DEFAULT] table is just a table. */
  private defaultsApply(section: string): boolean {
    return this.format === "cfg" && section !== DEFAULT_SECTION && !NO_DEFAULTS.has(section);
  }

  private findExact(section: string, key: string): Found | undefined {
    const own = this.data.get(section)?.get(key);
    if (own !== undefined) return { key, entry: own };
    if (!this.defaultsApply(section)) return undefined;
    const inherited = this.data.get(DEFAULT_SECTION)?.get(key);
    return inherited === undefined ? undefined : { key, entry: inherited };
  }

  private find(section: string, key: string): Found | undefined {
    const [preferred] = keyForms(key);
    for (const form of keyForms(key)) {
      const found = this.findExact(section, form);
      if (found === undefined) continue;
      // Only when the caller used the recommended spelling: a caller asking for a dashed legacy name
      // (`default-scheduler-host`) warns about it itself.
      if (form !== preferred && key === preferred && found.entry.file !== undefined) {
        this.warn(
          `Configuration [${section}] ${form} (with dashes) should be avoided. Please use underscores: ${preferred}.`,
        );
      }
      return found;
    }
    return undefined;
  }

  private render(section: string, found: Found): string {
    const { entry } = found;
    if (entry.origin !== "cfg" || typeof entry.value !== "string") return valueToText(entry.value);
    return interpolate(entry.value, {
      file: entry.file,
      section,
      key: found.key,
      env: this.env,
      lookup: (name) => {
        const ref = this.findExact(section, name);
        if (ref === undefined) return undefined;
        return { value: valueToText(ref.entry.value), literal: ref.entry.origin !== "cfg" };
      },
    });
  }
}
