import { ConfigError } from "../errors.js";
import type { LuigiConfig } from "./config.js";
import { getChoice } from "./core.js";

/** The `[worker]` section (SPEC 1.5, 6.1); command-line flags are `--worker-<key>`. Times in seconds. */
export interface WorkerConfig {
  /** Worker id sent to the scheduler; "" = generated `Worker(salt=..., host=..., ...)`. Default "". */
  id: string;
  /** Seconds between pings to the scheduler. Default 1. */
  pingInterval: number;
  /** Keep polling while the scheduler has pending steps for this worker. Default false. */
  keepAlive: boolean;
  /** With keepAlive: stay only while some pending step can be run by this worker alone. Default false. */
  countUniques: boolean;
  /** With keepAlive: stay only while some pending step was last scheduled by this worker. Default false. */
  countLastScheduled: boolean;
  /** Base sleep between empty get_work polls. Default 1. */
  waitInterval: number;
  /** Random extra sleep, uniform in [0, waitJitter]. Default 5. */
  waitJitter: number;
  /** Exit after idling this long even with pending steps; 0 = never. Default 0. */
  maxKeepAliveIdleDuration: number;
  /** Reschedules allowed per missing dependency found at run time. Default 1. */
  maxReschedules: number;
  /** Per-step run timeout; 0 = none. Default 0. */
  timeout: number;
  /** Stop scheduling after this many steps; null = no limit. Default null. */
  taskLimit: number | null;
  /** Let this worker run incomplete external steps (they may appear later). Default false. */
  retryExternalTasks: boolean;
  /** Re-check dependencies just before running a step. Default true. */
  checkUnfulfilledDeps: boolean;
  /** After run(), the step must be complete or it fails. Default false. */
  checkCompleteOnRun: boolean;
  /** Once a step was seen complete, do not ask again. Default false. */
  cacheTaskCompletion: boolean;
  /** Mail on step failures (accepted; no mailer yet). Default true. */
  sendFailureEmail: boolean;
  /** Do not install the SIGUSR1 "phase out" handler. Default false. */
  noInstallShutdownHandler: boolean;
  /** Run steps in child processes even with one worker. Default false. */
  forceMultiprocessing: boolean;
  /**
   * luigi-ts only: where steps run: "auto" (in this process, except steps with a timeout, which get a
   * child process so that the timeout holds), "inline" (all in this process) or "process" (each in a
   * child process). Default "auto".
   */
  isolation: "auto" | "inline" | "process";
  /** luigi-ts only: how many `complete()` checks run concurrently while scheduling. Default 16. */
  completionConcurrency: number;
  /**
   * luigi-ts only: most steps one request to a luigi-ts scheduler hands this worker while its steps keep
   * finishing fast (under 50 ms); a slow step brings it back to one. 1 = one step per `get_work`, as in
   * Luigi. Default 32.
   */
  workBatchSize: number;
}

/**
 * Luigi still reads old `[core] worker-<name>` settings (dashed) with a deprecation warning; `[worker]`
 * wins when both are present.
 */
function where(cfg: LuigiConfig, key: string): [string, string] {
  const legacy = `worker-${key.replaceAll("_", "-")}`;
  if (cfg.has("worker", key) || !cfg.has("core", legacy)) return ["worker", key];
  cfg.warn(`[core] ${legacy} is deprecated; use [worker] ${key}`);
  return ["core", legacy];
}

export function workerConfig(cfg: LuigiConfig): WorkerConfig {
  const str = (key: string, fallback: string): string => cfg.getString(...where(cfg, key), fallback);
  const bool = (key: string, fallback: boolean): boolean => cfg.getBool(...where(cfg, key), fallback);
  const float = (key: string, fallback: number): number => cfg.getFloat(...where(cfg, key), fallback);
  const int = <F>(key: string, fallback: F): number | F => cfg.getInt(...where(cfg, key), fallback);

  const completionConcurrency = int("completion_concurrency", 16);
  if (completionConcurrency < 1) {
    throw new ConfigError(`[worker] completion_concurrency = ${completionConcurrency}: expected at least 1`, {
      section: "worker",
      key: "completion_concurrency",
      value: String(completionConcurrency),
      expected: "an integer >= 1",
    });
  }
  const workBatchSize = int("work_batch_size", 32);
  if (workBatchSize < 1) {
    throw new ConfigError(`[worker] work_batch_size = ${workBatchSize}: expected at least 1`, {
      section: "worker",
      key: "work_batch_size",
      value: String(workBatchSize),
      expected: "an integer >= 1",
    });
  }
  return {
    id: str("id", ""),
    pingInterval: float("ping_interval", 1),
    keepAlive: bool("keep_alive", false),
    countUniques: bool("count_uniques", false),
    countLastScheduled: bool("count_last_scheduled", false),
    waitInterval: float("wait_interval", 1),
    waitJitter: float("wait_jitter", 5),
    maxKeepAliveIdleDuration: cfg.getDuration(...where(cfg, "max_keep_alive_idle_duration"), 0),
    maxReschedules: int("max_reschedules", 1),
    timeout: float("timeout", 0),
    taskLimit: int("task_limit", null),
    retryExternalTasks: bool("retry_external_tasks", false),
    checkUnfulfilledDeps: bool("check_unfulfilled_deps", true),
    checkCompleteOnRun: bool("check_complete_on_run", false),
    cacheTaskCompletion: bool("cache_task_completion", false),
    sendFailureEmail: bool("send_failure_email", true),
    noInstallShutdownHandler: bool("no_install_shutdown_handler", false),
    forceMultiprocessing: bool("force_multiprocessing", false),
    isolation: getChoice(
      cfg,
      ...where(cfg, "isolation"),
      ["auto", "inline", "process"] as const,
      "auto",
      (t) => t.trim().toLowerCase(),
    ),
    completionConcurrency,
    workBatchSize,
  };
}
