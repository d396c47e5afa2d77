import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";
import type { Param } from "../step/params/param.js";
import type { Step } from "../step/step.js";

type FlagType = "string" | "boolean";

/** `[core]` settings that are flags without a section prefix (SPEC 6.1). */
export const CORE_FLAGS: Record<string, { type: FlagType; key: string; help: string }> = {
  module: { type: "string", key: "module", help: "module (file or package) that defines the steps" },
  "local-scheduler": {
    type: "boolean",
    key: "local_scheduler",
    help: "use an in-process scheduler instead of luigid",
  },
  "scheduler-host": { type: "string", key: "scheduler_host", help: "luigid host (default localhost)" },
  "scheduler-port": { type: "string", key: "scheduler_port", help: "luigid port (default 8082)" },
  "scheduler-url": { type: "string", key: "scheduler_url", help: "full luigid URL; wins over host and port" },
  workers: { type: "string", key: "workers", help: "steps run at once (default 1)" },
  assistant: { type: "boolean", key: "assistant", help: "run any pending step this process can load" },
  "no-lock": { type: "boolean", key: "no_lock", help: "do not take the same-command process lock" },
  "lock-size": { type: "string", key: "lock_size", help: "identical commands allowed at once (default 1)" },
  "lock-pid-dir": {
    type: "string",
    key: "lock_pid_dir",
    help: "where pid files live (default $TMPDIR/luigi)",
  },
  "take-lock": {
    type: "boolean",
    key: "take_lock",
    help: "ask running identical commands to stop, then run",
  },
  "parallel-scheduling": {
    type: "boolean",
    key: "parallel_scheduling",
    help: "accepted for Luigi compatibility (complete() checks are always concurrent)",
  },
  "log-level": { type: "string", key: "log_level", help: "DEBUG, INFO, WARNING, ERROR (default INFO)" },
  "log-format": { type: "string", key: "log_format", help: "pretty (default) or json" },
  help: { type: "boolean", key: "help", help: "show this help, with the step's parameters" },
  "help-all": { type: "boolean", key: "help_all", help: "show every flag of every known step and section" },
};

/** Settings sections that also take flags, `--<section>-<key>` (SPEC 6.1). */
export const SECTION_FLAGS: Record<string, Record<string, FlagType>> = {
  worker: {
    id: "string",
    ping_interval: "string",
    keep_alive: "boolean",
    count_uniques: "boolean",
    count_last_scheduled: "boolean",
    wait_interval: "string",
    wait_jitter: "string",
    max_keep_alive_idle_duration: "string",
    max_reschedules: "string",
    timeout: "string",
    task_limit: "string",
    retry_external_tasks: "boolean",
    check_unfulfilled_deps: "boolean",
    check_complete_on_run: "boolean",
    cache_task_completion: "boolean",
    no_install_shutdown_handler: "boolean",
    isolation: "string",
    completion_concurrency: "string",
  },
  scheduler: {
    retry_delay: "string",
    remove_delay: "string",
    worker_disconnect_delay: "string",
    disable_window: "string",
    retry_count: "string",
    disable_hard_timeout: "string",
    disable_persist: "string",
    max_shown_tasks: "string",
    max_graph_nodes: "string",
    prune_on_get_work: "boolean",
    pause_enabled: "boolean",
    stable_done_cooldown_secs: "string",
  },
  retcode: {
    unhandled_exception: "string",
    missing_data: "string",
    task_failed: "string",
    already_running: "string",
    scheduling_error: "string",
    not_run: "string",
    scheduler_unreachable: "string",
  },
  execution_summary: { summary_length: "string" },
};

export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replaceAll("_", "-")
    .toLowerCase();
}

/** What the command line says, before anything is parsed into parameter values. */
export interface ParsedCommandLine {
  family: string | undefined;
  /** `[core]` keys given as flags (raw text, or "true" for booleans). */
  core: Record<string, string>;
  /** section -> key -> raw text, from `--worker-keep-alive` and the like. */
  sections: Record<string, Record<string, string>>;
  /** Root step parameter name -> raw text. */
  rootParams: Record<string, string>;
  /** family -> parameter -> raw text, from `--Family-param`. */
  familyParams: Record<string, Record<string, string>>;
}

/** First pass: the `--module` value and the family, without knowing the step's parameters. */
export function prescan(argv: string[]): { module: string | undefined; family: string | undefined } {
  let module: string | undefined;
  let family: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") break;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = token.slice(2, eq === -1 ? undefined : eq);
      const value = eq === -1 ? undefined : token.slice(eq + 1);
      const core = CORE_FLAGS[name];
      const takesValue = core ? core.type === "string" : sectionFlag(name)?.type !== "boolean";
      if (name === "module") module = value ?? argv[i + 1];
      if (eq === -1 && takesValue && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith("--"))
        i++;
      continue;
    }
    family ??= token;
  }
  return { module, family };
}

function sectionFlag(name: string): { section: string; key: string; type: FlagType } | undefined {
  for (const [section, keys] of Object.entries(SECTION_FLAGS)) {
    const prefix = `${kebab(section)}-`;
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length).replaceAll("-", "_");
    const type = keys[key];
    if (type) return { section, key, type };
  }
  return undefined;
}

type AnyParam = Param<unknown, boolean>;

function isBoolParam(kind: AnyParam): boolean {
  return kind.kind === "bool";
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
  const define = (flag: string, type: FlagType, route: (value: string) => void): void => {
    if (options[flag]) return; // the first definition wins: core flags, then sections, then parameters
    options[flag] = { type };
    if (type === "boolean") bools.add(flag);
    routes.set(flag, route);
  };
  for (const [flag, spec] of Object.entries(CORE_FLAGS))
    define(flag, spec.type, (v) => (result.core[spec.key] = v));
  for (const [section, keys] of Object.entries(SECTION_FLAGS)) {
    for (const [key, type] of Object.entries(keys)) {
      define(`${kebab(section)}-${kebab(key)}`, type, (v) => ((result.sections[section] ??= {})[key] = v));
    }
  }
  if (rootClass) {
    for (const [name, kind] of Object.entries(rootClass.schema)) {
      define(kebab(name), isBoolParam(kind) ? "boolean" : "string", (v) => (result.rootParams[name] = v));
    }
  }
  for (const cls of families) {
    for (const [name, kind] of Object.entries(cls.schema)) {
      define(`${cls.family}-${kebab(name)}`, isBoolParam(kind) ? "boolean" : "string", (v) => {
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
    throw new UsageError(`${message.replace(/\. To specify a positional argument.*$/s, "")}. See --help.`);
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

/** Help text: common flags, then the root step's parameters with kinds, defaults and descriptions. */
export function helpText(
  rootClass: typeof Step | undefined,
  families: (typeof Step)[],
  all: boolean,
): string {
  const lines = ["Usage: luigi [--module MODULE] FAMILY [--param value ...] [options]", "", "Options:"];
  for (const [flag, spec] of Object.entries(CORE_FLAGS)) {
    lines.push(`  --${flag}${spec.type === "string" ? " VALUE" : ""}`.padEnd(34) + spec.help);
  }
  lines.push(
    "  --worker-KEY, --scheduler-KEY,".padEnd(34) + "override a [worker], [scheduler], [retcode] or",
  );
  lines.push("  --retcode-KEY VALUE".padEnd(34) + "[execution_summary] setting, e.g. --worker-keep-alive");
  const describe = (cls: typeof Step, prefix: string): void => {
    for (const [name, kind] of Object.entries(cls.schema)) {
      if (kind.visibility === "private") continue;
      const flag = `  --${prefix}${kebab(name)}${isBoolParam(kind) ? "" : ` ${kind.expected}`}`;
      const bits = [kind.kind];
      if (kind.hasDefault)
        bits.push(
          `default: ${kind.options.default === null ? "none" : kind.serialize(kind.options.default)}`,
        );
      else bits.push("required");
      const description = kind.description ? `${kind.description} ` : "";
      lines.push(`${flag.padEnd(34)}${description}(${bits.join(", ")})`);
    }
  };
  if (rootClass) {
    lines.push("", `Parameters of ${rootClass.family}:`);
    if (Object.keys(rootClass.schema).length === 0) lines.push("  (none)");
    describe(rootClass, "");
  }
  if (all) {
    for (const cls of families) {
      lines.push("", `Parameters of ${cls.family} (as --${cls.family}-NAME):`);
      describe(cls, `${cls.family}-`);
    }
  }
  if (!rootClass && families.length > 0) {
    lines.push("", "Step families:", ...families.map((c) => `  ${c.family}`));
  }
  return lines.join("\n");
}
