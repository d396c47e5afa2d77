import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import type { LuigiConfig } from "./config.js";

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
}

/** Reads a string key that must be one of `choices` (compared case-insensitively when `upper`). */
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

/** The key to read: `key`, or Luigi's older `default-<key>` spelling (with a deprecation warning). */
function schedulerKey(cfg: LuigiConfig, key: string): string {
  const legacy = `default-${key.replaceAll("_", "-")}`;
  if (cfg.has("core", key) || !cfg.has("core", legacy)) return key;
  cfg.warn(`[core] ${legacy} is deprecated; use ${key}`);
  return legacy;
}

export function coreConfig(cfg: LuigiConfig): CoreConfig {
  const s = "core";
  return {
    localScheduler: cfg.getBool(s, "local_scheduler", false),
    schedulerHost: cfg.getString(s, schedulerKey(cfg, "scheduler_host"), "localhost"),
    schedulerPort: cfg.getInt(s, schedulerKey(cfg, "scheduler_port"), 8082),
    schedulerUrl: cfg.getString(s, schedulerKey(cfg, "scheduler_url"), ""),
    workers: cfg.getInt(s, "workers", 1),
    module: cfg.getString(s, "module", ""),
    assistant: cfg.getBool(s, "assistant", false),
    noLock: cfg.getBool(s, "no_lock", false),
    lockSize: cfg.getInt(s, "lock_size", 1),
    lockPidDir: cfg.getString(s, "lock_pid_dir", join(tmpdir(), "luigi")),
    takeLock: cfg.getBool(s, "take_lock", false),
    parallelScheduling: cfg.getBool(s, "parallel_scheduling", false),
    parallelSchedulingProcesses: cfg.getInt(s, "parallel_scheduling_processes", 0),
    // Python's logging also knows "WARN" as an alias of WARNING.
    logLevel: getChoice(cfg, s, "log_level", LOG_LEVELS, "DEBUG", (t) => {
      const up = t.trim().toUpperCase();
      return up === "WARN" ? "WARNING" : up;
    }),
    logFormat: getChoice(cfg, s, "log_format", ["pretty", "json"] as const, "pretty", (t) =>
      t.trim().toLowerCase(),
    ),
    noConfigureLogging: cfg.getBool(s, "no_configure_logging", false),
    rpcConnectTimeout: cfg.getFloat(s, "rpc_connect_timeout", 10),
    rpcRetryAttempts: cfg.getInt(s, "rpc_retry_attempts", 3),
    rpcRetryWait: cfg.getFloat(s, "rpc_retry_wait", 30),
    rpcLogRetries: cfg.getBool(s, "rpc_log_retries", true),
  };
}
