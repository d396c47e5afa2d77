import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

/** Python logging level names, as `[core] log_level` takes them. The logger maps them to its own levels. */
export type LogLevel = "NOTSET" | "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";
const LOG_LEVELS: readonly LogLevel[] = ["NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

/** The `[core]` section (SPEC 6.1); each field also has a command-line flag without prefix (`--workers`). */
export interface CoreConfig {
  /** Run an in-process scheduler instead of talking to luigid. Default false. */
  localScheduler: boolean;
  /** luigid host. Default "localhost" (legacy key `default-scheduler-host` accepted). */
  schedulerHost: string;
  /** luigid port. Default 8082 (legacy `default-scheduler-port`). */
  schedulerPort: number;
  /** Full URL (http, https, http+unix); wins over host/port when not "". Default "" (legacy `default-scheduler-url`). */
  schedulerUrl: string;
  /** Steps run at once by this worker. Default 1. */
  workers: number;
  /** Module imported before parsing the command line. Default "". */
  module: string;
  /** Run as an assistant worker (runs any runnable step). Default false. */
  assistant: boolean;
  /** Skip the same-command pid lock. Default false. */
  noLock: boolean;
  /** How many identical command lines may run at once. Default 1. */
  lockSize: number;
  /** Directory of pid files. Default `<os.tmpdir()>/luigi`. */
  lockPidDir: string;
  /** Ask running identical commands to phase out (SIGUSR1), then run. Default false. */
  takeLock: boolean;
  /** Evaluate `complete()` concurrently while scheduling. Default false. */
  parallelScheduling: boolean;
  /** Concurrency for parallel scheduling; 0 = number of CPUs. Default 0. */
  parallelSchedulingProcesses: number;
  /** Log level when no logging configuration is given. Default "DEBUG". */
  logLevel: LogLevel;
  /** luigi-ts only: "pretty" (human) or "json" (one object per line) log output. Default "pretty". */
  logFormat: "pretty" | "json";
  /** Leave logging alone entirely (the embedding program configures it). Default false. */
  noConfigureLogging: boolean;
  /** Seconds to wait for a scheduler connection. Default 10. */
  rpcConnectTimeout: number;
  /** Attempts per scheduler call before giving up. Default 3. */
  rpcRetryAttempts: number;
  /** Seconds between attempts. Default 30. */
  rpcRetryWait: number;
  /** Log each failed attempt. Default true. */
  rpcLogRetries: boolean;
  /**
   * CA certificate(s) (PEM) an `https://` luigid's certificate must chain to, instead of the system's
   * list; "" = the system's list (plus NODE_EXTRA_CA_CERTS). Default "".
   */
  rpcCaFile: string;
  /**
   * A bearer token for a luigid with `[auth]` (`luigid user add NAME --role worker --token`); "" = none.
   * LUIGI_SCHEDULER_TOKEN in the environment wins. Config only, never a flag (a flag shows in `ps`).
   * Default "".
   */
  schedulerToken: string;
  /** Make the range steps (RangeDaily, ...) known without the module exporting them. Default true. */
  autoloadRange: boolean;
}

const legacySchedulerKeys = new Set(["scheduler_host", "scheduler_port", "scheduler_url"]);

/** The `[core]` keys; each also a flag without prefix (`--workers`) unless marked otherwise. */
export const CORE_SECTION = defineSection({
  name: "core",
  flags: "bare",
  help: "the luigi command's own settings; flags without prefix",
  keys: {
    module: key.string("", "module (file, or package) that defines the steps"),
    local_scheduler: key.bool(false, "use an in-process scheduler instead of luigid"),
    scheduler_host: key.string("localhost", "luigid host"),
    scheduler_port: key.int(8082, "luigid port"),
    scheduler_url: key.string(
      "",
      "full luigid URL (http, https, http+unix), or several separated by commas (luigids sharing a state_url); wins over host and port",
    ),
    workers: key.int(1, "steps run at once"),
    assistant: key.bool(false, "run any pending step this process can load"),
    no_lock: key.bool(false, "do not take the same-command process lock"),
    lock_size: key.int(1, "identical commands allowed at once"),
    lock_pid_dir: key.string(() => join(tmpdir(), "luigi"), "where the pid files live", {
      shown: "$TMPDIR/luigi",
    }),
    take_lock: key.bool(false, "ask running identical commands to stop, then run"),
    parallel_scheduling: key.bool(false, "accepted for Luigi; complete() checks are always concurrent"),
    parallel_scheduling_processes: key.int(0, "accepted for Luigi; see [worker] completion_concurrency"),
    // Python's logging also knows "WARN" as an alias of WARNING.
    log_level: key.choice(LOG_LEVELS, "DEBUG", "DEBUG, INFO, WARNING, ERROR or CRITICAL", {
      shown: "INFO; WARNING with the live progress line",
      normalise: (t) => {
        const up = t.trim().toUpperCase();
        return up === "WARN" ? "WARNING" : up;
      },
    }),
    log_format: key.choice(["pretty", "json"] as const, "pretty", "pretty, or json: one object a line", {
      normalise: (t) => t.trim().toLowerCase(),
    }),
    no_configure_logging: key.bool(false, "leave logging to the program that embeds luigi-ts", {
      flag: false,
    }),
    rpc_connect_timeout: key.float(10, "seconds to wait for a connection to luigid", { flag: false }),
    rpc_retry_attempts: key.int(3, "attempts per call to luigid", { flag: false }),
    rpc_retry_wait: key.float(30, "seconds between two attempts", { flag: false }),
    rpc_log_retries: key.bool(true, "log each failed attempt", { flag: false }),
    rpc_ca_file: key.string("", "CA certificate(s) (PEM) that an https luigid's certificate must chain to", {
      flag: false,
    }),
    scheduler_token: key.string("", "bearer token for a luigid with [auth] (LUIGI_SCHEDULER_TOKEN wins)", {
      flag: false,
    }),
    autoload_range: key.bool(true, "make RangeDaily and the other range steps known to luigi", {
      flag: false,
    }),
  },
  // Luigi's older default-scheduler-* spelling, with a deprecation warning.
  legacy: (name) => {
    if (!legacySchedulerKeys.has(name)) return undefined;
    const old = `default-${name.replaceAll("_", "-")}`;
    return { section: "core", key: old, warning: `[core] ${old} is deprecated; use ${name}` };
  },
});

export function coreConfig(cfg: LuigiConfig): CoreConfig {
  const v = readSection(cfg, CORE_SECTION);
  return {
    localScheduler: v.local_scheduler,
    schedulerHost: v.scheduler_host,
    schedulerPort: v.scheduler_port,
    schedulerUrl: v.scheduler_url,
    workers: v.workers,
    module: v.module,
    assistant: v.assistant,
    noLock: v.no_lock,
    lockSize: v.lock_size,
    lockPidDir: v.lock_pid_dir,
    takeLock: v.take_lock,
    parallelScheduling: v.parallel_scheduling,
    parallelSchedulingProcesses: v.parallel_scheduling_processes,
    logLevel: v.log_level,
    logFormat: v.log_format,
    noConfigureLogging: v.no_configure_logging,
    rpcConnectTimeout: v.rpc_connect_timeout,
    rpcRetryAttempts: v.rpc_retry_attempts,
    rpcRetryWait: v.rpc_retry_wait,
    rpcLogRetries: v.rpc_log_retries,
    rpcCaFile: v.rpc_ca_file.trim(),
    schedulerToken: v.scheduler_token.trim(),
    autoloadRange: v.autoload_range,
  };
}
