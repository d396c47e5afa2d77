import { ConfigError } from "../errors.js";
import type { LuigiConfig } from "./config.js";

/**
 * The settings sections luigi-ts reads (`[core]`, `[worker]`, ...) as tables: per key its kind, default,
 * meaning and reader. The typed readers (`coreConfig`, `workerConfig`, ...) read through them, the
 * `luigi` command derives its `--section-key` flags and `--help-all` from them, and the check for
 * misspelt keys (`unknownConfigEntries`) knows what exists from them: a key is written down once.
 */

export type KeyKind = "bool" | "int" | "float" | "duration" | "string" | "choice";

export interface KeySpec<T> {
  readonly kind: KeyKind;
  /** One line for `--help-all`. */
  readonly help: string;
  /** The default as `--help-all` shows it. */
  readonly shownDefault: string;
  /** false: a configuration file key only, without a command-line flag. */
  readonly flag: boolean;
  /** Reads the key (at `section`/`key`, which a legacy spelling may have moved), or the default. */
  read(cfg: LuigiConfig, section: string, key: string): T;
}

interface KeyOptions {
  /** The default as help shows it, when it is not the value itself. */
  shown?: string;
  /** Default true. */
  flag?: boolean;
}

function spec<T>(
  kind: KeyKind,
  fallback: T,
  help: string,
  opts: KeyOptions,
  read: KeySpec<T>["read"],
): KeySpec<T> {
  const shown = opts.shown ?? (fallback === "" ? "none" : String(fallback));
  return { kind, help, shownDefault: shown, flag: opts.flag ?? true, read };
}

export const key = {
  bool: (fallback: boolean, help: string, opts: KeyOptions = {}): KeySpec<boolean> =>
    spec("bool", fallback, help, opts, (cfg, s, k) => cfg.getBool(s, k, fallback)),
  int: (fallback: number, help: string, opts: KeyOptions = {}): KeySpec<number> =>
    spec("int", fallback, help, opts, (cfg, s, k) => cfg.getInt(s, k, fallback)),
  /** An integer, or null (shown as "none") when not set. */
  optionalInt: (help: string, opts: KeyOptions = {}): KeySpec<number | null> =>
    spec("int", null, help, { shown: "none", ...opts }, (cfg, s, k) => cfg.getInt(s, k, null)),
  float: (fallback: number, help: string, opts: KeyOptions = {}): KeySpec<number> =>
    spec("float", fallback, help, opts, (cfg, s, k) => cfg.getFloat(s, k, fallback)),
  /** Seconds; see `toDuration` for the notations. */
  duration: (fallback: number, help: string, opts: KeyOptions = {}): KeySpec<number> =>
    spec("duration", fallback, help, opts, (cfg, s, k) => cfg.getDuration(s, k, fallback)),
  /** A string; a function default is computed when read (a path under the temporary directory). */
  string: (fallback: string | (() => string), help: string, opts: KeyOptions = {}): KeySpec<string> => {
    const value = typeof fallback === "function" ? fallback : () => fallback;
    return spec("string", typeof fallback === "function" ? "" : fallback, help, opts, (cfg, s, k) =>
      cfg.getString(s, k, value()),
    );
  },
  /** One of `choices`, compared after `normalise` (default: trimmed). */
  choice: <T extends string>(
    choices: readonly T[],
    fallback: T,
    help: string,
    opts: KeyOptions & { normalise?: (text: string) => string } = {},
  ): KeySpec<T> =>
    spec("choice", fallback, help, opts, (cfg, s, k) =>
      getChoice(cfg, s, k, choices, fallback, opts.normalise),
    ),
};

/** Reads a string key that must be one of `choices` (after `normalise`). */
export function getChoice<T extends string>(
  cfg: LuigiConfig,
  section: string,
  key: string,
  choices: readonly T[],
  fallback: T,
  normalise: (text: string) => string = (text) => text.trim(),
): T {
  const raw = cfg.get(section, key);
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = normalise(raw);
  const match = choices.find((choice) => choice === value);
  if (match !== undefined) return match;
  const expected = `one of ${choices.join(", ")}`;
  throw new ConfigError(`[${section}] ${key} = ${JSON.stringify(raw)}: expected ${expected}`, {
    section,
    key,
    value: raw,
    expected,
  });
}

export type SectionKeys = Readonly<Record<string, KeySpec<unknown>>>;

/** An older spelling of a key that is still read when the current one is absent. */
export interface LegacyKey {
  section: string;
  key: string;
  /** Said once when the old spelling is used; none for a silent alias. */
  warning?: string;
}

/** How `luigi` takes a section's keys as flags: `--key` (core), `--section-key`, or not at all. */
export type FlagStyle = "bare" | "prefixed" | "none";

export interface SectionDef<S extends SectionKeys = SectionKeys> {
  readonly name: string;
  readonly keys: S;
  readonly flags: FlagStyle;
  /** One line for `--help-all`. */
  readonly help: string;
  /** Where an older spelling of `key` may be (Luigi's `[core] worker-keep-alive`, ...). */
  readonly legacy?: (key: string) => LegacyKey | undefined;
}

export type SectionValues<S extends SectionKeys> = {
  -readonly [K in keyof S]: S[K] extends KeySpec<infer T> ? T : never;
};

export function defineSection<S extends SectionKeys>(def: SectionDef<S>): SectionDef<S> {
  return def;
}

/** Every key of a section, each from where it is set: its own spelling first, else a legacy one. */
export function readSection<S extends SectionKeys>(cfg: LuigiConfig, def: SectionDef<S>): SectionValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, keySpec] of Object.entries(def.keys)) {
    let at: [string, string] = [def.name, name];
    const old = def.legacy?.(name);
    if (old !== undefined && !cfg.has(def.name, name) && cfg.has(old.section, old.key)) {
      if (old.warning !== undefined) cfg.warn(old.warning);
      at = [old.section, old.key];
    }
    values[name] = keySpec.read(cfg, ...at);
  }
  return values as SectionValues<S>;
}
