/** One stored configuration value and where it came from (for error messages and interpolation rules). */
export interface ConfigEntry {
  /** INI: the raw, uninterpolated text. TOML: the typed value. Override: what `set()` was given. */
  readonly value: unknown;
  /**
   * "cfg" values are `%(name)s`/`${VAR}`-interpolated when read; "toml" values are used as typed; "override"
   * values (command-line `set()`) are literal, so a `%` typed on a command line never needs escaping.
   */
  readonly origin: "cfg" | "toml" | "override";
  readonly file?: string;
  readonly line?: number;
}

/** Section name -> key -> entry, in file order. */
export type ConfigData = Map<string, Map<string, ConfigEntry>>;

/** Environment variables as `process.env` holds them; injectable for tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Python ConfigParser's name for the section whose keys every other section inherits. */
export const DEFAULT_SECTION = "DEFAULT";
