import { parseArgs, type ParseArgsConfig } from "node:util";
import { SETTINGS_SECTIONS, type KeySpec, type SectionDef } from "../config/index.js";
import { UsageError } from "../errors.js";
import { hasBareFlags } from "../step/config-class.js";
import type { Param } from "../step/params/param.js";
import type { Step } from "../step/step.js";
import { closestName } from "./closest-name.js";

type FlagType = "string" | "boolean";

/** A flag that sets a configuration key (SPEC 6.1): `--workers` is `[core] workers`. */
interface SettingFlag {
  type: FlagType;
  section: SectionDef;
  key: string;
  spec: KeySpec<unknown>;
}

/** Flags of the command itself; `parsed.core` carries them as `help`, `help_all`, `version`. */
const COMMAND_FLAGS: Record<string, { type: "boolean"; short?: string; key: string; help: string }> = {
  help: { type: "boolean", short: "h", key: "help", help: "show this help, with the step's parameters" },
  "help-all": {
    type: "boolean",
    key: "help_all",
    help: "show every flag: every setting, every known step's parameters",
  },
  version: { type: "boolean", key: "version", help: "print luigi-ts's version" },
};

export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replaceAll("_", "-")
    .toLowerCase();
}

/** Every settings flag, from the sections' key tables: `--workers`, `--worker-keep-alive`, ... */
function settingFlags(): Map<string, SettingFlag> {
  const flags = new Map<string, SettingFlag>();
  for (const section of SETTINGS_SECTIONS) {
    if (section.flags === "none") continue;
    const prefix = section.flags === "bare" ? "" : `${kebab(section.name)}-`;
    for (const [key, spec] of Object.entries(section.keys)) {
      if (!spec.flag) continue;
      const type = spec.kind === "bool" ? "boolean" : "string";
      flags.set(`${prefix}${kebab(key)}`, { type, section, key, spec });
    }
  }
  return flags;
}

const SETTING_FLAGS = settingFlags();

/** What the command line says, before anything is parsed into parameter values. */
export interface ParsedCommandLine {
  family: string | undefined;
  /** `[core]` keys given as flags (raw text, or "true" for booleans), and `help`, `help_all`, `version`. */
  core: Record<string, string>;
  /** section -> key -> raw text, from `--worker-keep-alive` and the like. */
  sections: Record<string, Record<string, string>>;
  /** Root step parameter name -> raw text. */
  rootParams: Record<string, string>;
  /** family -> parameter -> raw text, from `--Family-param`. */
  familyParams: Record<string, Record<string, string>>;
}

export interface Prescan {
  module: string | undefined;
  family: string | undefined;
  /** `--version` was given: nothing else matters. */
  version: boolean;
}

/** First pass: the `--module` value and the family, without knowing the step's parameters. */
export function prescan(argv: string[]): Prescan {
  const result: Prescan = { module: undefined, family: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") break;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = token.slice(2, eq === -1 ? undefined : eq);
      const value = eq === -1 ? undefined : token.slice(eq + 1);
      if (name === "version") result.version = true;
      const takesValue = COMMAND_FLAGS[name] ? false : SETTING_FLAGS.get(name)?.type !== "boolean";
      if (name === "module") result.module = value ?? argv[i + 1];
      if (eq === -1 && takesValue && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith("--"))
        i++;
      continue;
    }
    if (token.startsWith("-")) continue;
    result.family ??= token;
  }
  return result;
}

type AnyParam = Param<unknown, boolean>;

function isBoolParam(kind: AnyParam): boolean {
  return kind.kind === "bool";
}

/** " Did you mean --day?" for the known flag closest to an unknown one, if one is close enough. */
export function flagSuggestion(unknown: string, known: Iterable<string>): string {
  const best = closestName(unknown.replace(/^-+/, "").split("=")[0] as string, known);
  return best === undefined ? "" : ` Did you mean --${best}?`;
}

/** Second pass: every flag checked against the core flags, the sections, and the known steps' parameters. */
export function parseCommandLine(
  argv: string[],
  rootClass: typeof Step | undefined,
  families: (typeof Step)[],
): ParsedCommandLine {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  const routes = new Map<string, (value: string) => void>();
  const result: ParsedCommandLine = {
    family: undefined,
    core: {},
    sections: {},
    rootParams: {},
    familyParams: {},
  };
  const bools = new Set<string>();
  const define = (flag: string, type: FlagType, route: (value: string) => void, short?: string): void => {
    if (options[flag]) return; // the first definition wins: the command's, settings, then parameters
    options[flag] = short === undefined ? { type } : { type, short };
    if (type === "boolean") bools.add(flag);
    routes.set(flag, route);
  };
  for (const [flag, spec] of Object.entries(COMMAND_FLAGS))
    define(flag, spec.type, (v) => (result.core[spec.key] = v), spec.short);
  for (const [flag, { type, section, key }] of SETTING_FLAGS) {
    define(flag, type, (v) => {
      if (section.name === "core") result.core[key] = v;
      else (result.sections[section.name] ??= {})[key] = v;
    });
  }
  if (rootClass) {
    for (const [name, kind] of Object.entries(rootClass.schema)) {
      define(kebab(name), isBoolParam(kind) ? "boolean" : "string", (v) => (result.rootParams[name] = v));
    }
  }
  for (const cls of families) {
    const prefix = familyFlagPrefix(cls);
    for (const [name, kind] of Object.entries(cls.schema)) {
      define(`${prefix}${kebab(name)}`, isBoolParam(kind) ? "boolean" : "string", (v) => {
        (result.familyParams[cls.family] ??= {})[name] = v;
      });
    }
  }
  // parseArgs has no `--flag=false` for booleans: turn it into an explicit value here.
  const explicitBools: [string, string][] = [];
  const tokens: string[] = [];
  for (const token of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(token);
    if (m && bools.has(m[1] as string)) {
      const value = (m[2] as string).toLowerCase();
      if (value !== "true" && value !== "false") {
        throw new UsageError(`--${m[1]} takes true or false, not ${JSON.stringify(m[2])}`, { flag: m[1] });
      }
      explicitBools.push([m[1] as string, value]);
      continue;
    }
    tokens.push(token);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: tokens, options, strict: true, allowPositionals: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      throw new UsageError(
        `unknown flag ${unknown}.${flagSuggestion(unknown, Object.keys(options))} See --help.`,
        {
          flag: unknown,
        },
      );
    }
    const reason = message.replace(/\. To specify a positional argument.*$/s, "").replace(/\.$/, "");
    throw new UsageError(`${reason}. See --help.`);
  }
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (value === undefined) continue;
    const text =
      typeof value === "boolean" ? String(value) : Array.isArray(value) ? String(value.at(-1)) : value;
    routes.get(flag)?.(text);
  }
  for (const [flag, value] of explicitBools) routes.get(flag)?.(value);
  if (parsed.positionals.length > 1) {
    throw new UsageError(
      `one step family expected, got ${parsed.positionals.length}: ${parsed.positionals.join(" ")} (parameters take --flags)`,
    );
  }
  result.family = parsed.positionals[0];
  return result;
}

/** `Family-`, or nothing for a Config class without its command-line section (Luigi's use_cmdline_section). */
function familyFlagPrefix(cls: typeof Step): string {
  return hasBareFlags(cls) ? "" : `${cls.family}-`;
}

const COLUMN = 34;

function line(flag: string, text: string): string {
  const head = `  ${flag}`;
  return head.length < COLUMN ? head.padEnd(COLUMN) + text : `${head}\n${"".padEnd(COLUMN)}${text}`;
}

function settingLine(flag: string, { type, spec }: SettingFlag): string {
  // A boolean flag alone means true; one that defaults to true is turned off with =false.
  const value = type === "string" ? " VALUE" : spec.shownDefault === "true" ? "[=false]" : "";
  return line(`--${flag}${value}`, `${spec.help} (default: ${spec.shownDefault})`);
}

function describeParams(cls: typeof Step, prefix: string, lines: string[]): void {
  const shown = Object.entries(cls.schema).filter(([, kind]) => kind.visibility !== "private");
  if (shown.length === 0) lines.push("  (none)");
  for (const [name, kind] of shown) {
    const flag = `--${prefix}${kebab(name)}${isBoolParam(kind) ? "" : ` ${kind.expected}`}`;
    const bits = [kind.kind];
    if (kind.hasDefault)
      bits.push(`default: ${kind.options.default === null ? "none" : kind.serialize(kind.options.default)}`);
    else bits.push("required");
    const description = kind.description ? `${kind.description} ` : "";
    lines.push(line(flag, `${description}(${bits.join(", ")})`));
  }
}

/**
 * Help text: the command's flags and the `[core]` settings, then the root step's parameters. With
 * `all`, also every other section's settings (`--worker-keep-alive`, ...) and every other registered
 * family's parameters (`--Family-param`), each once.
 */
export function helpText(
  rootClass: typeof Step | undefined,
  families: (typeof Step)[],
  all: boolean,
  usage = "luigi [--module MODULE] FAMILY [--param value ...] [options]",
): string {
  const lines = [`Usage: ${usage}`, "", "Options:"];
  for (const [flag, spec] of Object.entries(COMMAND_FLAGS)) {
    lines.push(line(spec.short ? `-${spec.short}, --${flag}` : `--${flag}`, spec.help));
  }
  const bySection = new Map<SectionDef, [string, SettingFlag][]>();
  for (const entry of SETTING_FLAGS) {
    const list = bySection.get(entry[1].section) ?? [];
    list.push(entry);
    bySection.set(entry[1].section, list);
  }
  for (const [section, flags] of bySection) {
    if (section.flags === "bare") {
      for (const [flag, setting] of flags) lines.push(settingLine(flag, setting));
    }
  }
  const prefixed = [...bySection.keys()].filter((s) => s.flags === "prefixed");
  if (all) {
    for (const section of prefixed) {
      lines.push("", `[${section.name}]: ${section.help}; as --${kebab(section.name)}-KEY:`);
      for (const [flag, setting] of bySection.get(section) ?? []) lines.push(settingLine(flag, setting));
    }
  } else {
    const names = prefixed.map((s) => `--${kebab(s.name)}-KEY`);
    lines.push(line(`${names.join(", ")} VALUE`, "a setting of that section (see --help-all)"));
  }
  if (rootClass) {
    lines.push("", `Parameters of ${rootClass.family}:`);
    describeParams(rootClass, "", lines);
  }
  if (all) {
    for (const cls of families) {
      if (cls === rootClass) continue;
      const prefix = familyFlagPrefix(cls);
      lines.push("", `Parameters of ${cls.family} (as --${prefix}NAME):`);
      describeParams(cls, prefix, lines);
    }
  }
  if (!rootClass && families.length > 0 && !all) {
    lines.push("", "Step families:", ...families.map((c) => `  ${c.family}`));
  }
  return lines.join("\n");
}
