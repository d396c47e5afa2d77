import { ConfigError } from "../errors.js";
import type { LuigiConfig } from "./config.js";
import { parseRedactRules, redactEntries } from "../log/redact.js";
import { DEFAULT_LOG_TAIL_BYTES, MIN_LOG_TAIL_BYTES } from "../log/step-log.js";
import { DEFAULT_HELPER_NICE, MAX_NICE } from "../worker/helper-priority.js";
import { defineSection, key, readSection } from "./keys.js";

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
  trustSchedulerDone: boolean;
  /** With trustSchedulerDone: leave steps another worker walks to it and help it run them. Default true. */
  fleetHelp: boolean;
  /** luigi-ts only: the nice value a worker that only helps another's walk lowers itself to; 0 = never. Default 10. */
  helperNice: number;
  /** Mail on step and scheduling failures (framework errors are mailed regardless). Default true. */
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
  /**
   * luigi-ts only: capture what each step prints while it runs (console, `this.logger`, a child process's
   * stdout and stderr) and send it to a luigi-ts luigid. Default true.
   */
  logCapture: boolean;
  /** luigi-ts only: bytes of each run's log kept (its head and its tail; the middle is cut). Default 262144. */
  logTailBytes: number;
  /**
   * luigi-ts only: what logs mask as `***`: names of environment variables or step parameters (their
   * values), or /regex/ patterns (see src/log/redact.ts). Default none.
   */
  logRedact: string[];
}

/** The `[worker]` keys; flags `--worker-<key>`. */
export const WORKER_SECTION = defineSection({
  name: "worker",
  flags: "prefixed",
  help: "how this worker runs steps and talks to the scheduler",
  keys: {
    id: key.string("", "worker id sent to the scheduler", { shown: "generated" }),
    ping_interval: key.float(1, "seconds between pings to the scheduler"),
    keep_alive: key.bool(false, "keep asking for work while the scheduler has pending steps"),
    count_uniques: key.bool(false, "with keep_alive: stay only for steps no other worker can run"),
    count_last_scheduled: key.bool(false, "with keep_alive: stay only for steps this worker scheduled last"),
    wait_interval: key.float(1, "seconds between two empty get_work calls"),
    wait_jitter: key.float(5, "at most this many seconds added at random to wait_interval"),
    max_keep_alive_idle_duration: key.duration(0, "leave after idling this long; 0 = never"),
    max_reschedules: key.int(1, "reschedules allowed for a dependency missing at run time"),
    timeout: key.float(0, "seconds a step may run; 0 = no limit"),
    task_limit: key.optionalInt("stop scheduling after this many steps"),
    retry_external_tasks: key.bool(false, "let this worker re-check incomplete external steps"),
    check_unfulfilled_deps: key.bool(true, "check dependencies again just before running a step"),
    check_complete_on_run: key.bool(false, "a step not complete after run() fails"),
    cache_task_completion: key.bool(false, "once a step was seen complete, do not ask again"),
    trust_scheduler_done: key.bool(
      true,
      "luigi-ts luigid: trust its DONE steps and check each step once per fleet (assumes shared storage)",
    ),
    fleet_help: key.bool(
      true,
      "with trust_scheduler_done: leave a step another worker walks to it, and help run what it registers",
    ),
    helper_nice: key.int(
      DEFAULT_HELPER_NICE,
      "nice value (0-19) a worker that only helps another worker's walk lowers itself to; 0 = never",
    ),
    send_failure_email: key.bool(true, "mail on step and scheduling failures (see [email])"),
    no_install_shutdown_handler: key.bool(false, 'no SIGUSR1 handler ("finish running steps, then stop")'),
    force_multiprocessing: key.bool(false, "accepted for Luigi; see isolation"),
    isolation: key.choice(
      ["auto", "inline", "process"] as const,
      "auto",
      "auto (steps with a timeout in a child process), inline, or process (each step in a child)",
      {
        normalise: (t) => t.trim().toLowerCase(),
      },
    ),
    completion_concurrency: key.int(16, "complete() checks run at once while scheduling"),
    work_batch_size: key.int(32, "most steps one get_works hands out while steps finish fast; 1 = as Luigi"),
    log_capture: key.bool(true, "capture what each step prints and send it to luigid (luigi-ts)"),
    log_tail_bytes: key.int(
      DEFAULT_LOG_TAIL_BYTES,
      "bytes of each run's captured log kept: its head and its tail, the middle cut",
    ),
    log_redact: key.string(
      "",
      "comma list: environment variables or parameters whose values logs mask as ***, or /regex/",
      { shown: "none" },
    ),
  },
  // Luigi still reads old `[core] worker-<name>` settings (dashed), with a deprecation warning.
  legacy: (name) => {
    const old = `worker-${name.replaceAll("_", "-")}`;
    return { section: "core", key: old, warning: `[core] ${old} is deprecated; use [worker] ${name}` };
  },
});

function atLeastOne(name: string, value: number): number {
  if (value >= 1) return value;
  throw new ConfigError(`[worker] ${name} = ${value}: expected at least 1`, {
    section: "worker",
    key: name,
    value: String(value),
    expected: "an integer >= 1",
  });
}

function niceValue(value: number): number {
  if (value >= 0 && value <= MAX_NICE) return value;
  throw new ConfigError(`[worker] helper_nice = ${value}: expected 0 to ${MAX_NICE}`, {
    section: "worker",
    key: "helper_nice",
    value: String(value),
    expected: `an integer from 0 (keep the priority) to ${MAX_NICE} (the lowest)`,
  });
}

function logTailBytes(value: number): number {
  if (value >= MIN_LOG_TAIL_BYTES) return value;
  throw new ConfigError(`[worker] log_tail_bytes = ${value}: expected at least ${MIN_LOG_TAIL_BYTES}`, {
    section: "worker",
    key: "log_tail_bytes",
    value: String(value),
    expected: `an integer >= ${MIN_LOG_TAIL_BYTES} (turn capture off with log_capture = false)`,
  });
}

/** The entries of log_redact, each checked now (a bad /regex/ stops the worker before it runs anything). */
function redactList(text: string): string[] {
  const entries = redactEntries(text);
  parseRedactRules(entries);
  return entries;
}

export function workerConfig(cfg: LuigiConfig): WorkerConfig {
  const v = readSection(cfg, WORKER_SECTION);
  return {
    id: v.id,
    pingInterval: v.ping_interval,
    keepAlive: v.keep_alive,
    countUniques: v.count_uniques,
    countLastScheduled: v.count_last_scheduled,
    waitInterval: v.wait_interval,
    waitJitter: v.wait_jitter,
    maxKeepAliveIdleDuration: v.max_keep_alive_idle_duration,
    maxReschedules: v.max_reschedules,
    timeout: v.timeout,
    taskLimit: v.task_limit,
    retryExternalTasks: v.retry_external_tasks,
    checkUnfulfilledDeps: v.check_unfulfilled_deps,
    checkCompleteOnRun: v.check_complete_on_run,
    cacheTaskCompletion: v.cache_task_completion,
    trustSchedulerDone: v.trust_scheduler_done,
    fleetHelp: v.fleet_help,
    helperNice: niceValue(v.helper_nice),
    sendFailureEmail: v.send_failure_email,
    noInstallShutdownHandler: v.no_install_shutdown_handler,
    forceMultiprocessing: v.force_multiprocessing,
    isolation: v.isolation,
    completionConcurrency: atLeastOne("completion_concurrency", v.completion_concurrency),
    workBatchSize: atLeastOne("work_batch_size", v.work_batch_size),
    logCapture: v.log_capture,
    logTailBytes: logTailBytes(v.log_tail_bytes),
    logRedact: redactList(v.log_redact),
  };
}
