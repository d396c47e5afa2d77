import type { RetcodeConfig } from "../config/index.js";
import type { Logger } from "../log/logger.js";
import { DEFAULT_LOG_TAIL_BYTES, MIN_LOG_TAIL_BYTES } from "../log/step-log.js";
import type { Notifier } from "../notify/index.js";
import type { SchedulerApi } from "../scheduler/api.js";
import type { ProcessExecutor } from "./process-executor.js";

/** Where steps run. See `WorkerOptions.isolation`. */
export type Isolation = "auto" | "inline" | "process";

/** Worker settings; the defaults (DEFAULT_WORKER_OPTIONS) are Luigi's `[worker]` defaults unless noted. */
export interface WorkerOptions {
  scheduler: SchedulerApi;
  /** Steps run at once (`--workers`). Default 1. */
  processes?: number;
  /** Explicit worker id (`[worker] id`). Default: Luigi's `Worker(salt=..., ...)` form. */
  id?: string;
  /** Run any pending step whose family this process can load (`--assistant`). Default false. */
  assistant?: boolean;
  /**
   * An assistant also runs the runs asked for with `trigger_step` (luigi-ts, see triggered-runs.ts) of
   * the families this process has loaded, announcing them to the scheduler. Default true.
   */
  acceptTriggers?: boolean;
  /** The exit codes a triggered run reports, as `luigi` would exit (`[retcode]`). Default Luigi's. */
  retcodes?: RetcodeConfig;
  /** Keep asking for work while the scheduler reports pending steps. Default false. */
  keepAlive?: boolean;
  /** With keepAlive: stay only while some pending step can be run by this worker alone. Default false. */
  countUniques?: boolean;
  /** With keepAlive: stay only while some pending step was last scheduled by this worker. Default false. */
  countLastScheduled?: boolean;
  /** Seconds idle before a keep-alive worker gives up anyway; 0 = never. Default 0. */
  maxKeepAliveIdleDuration?: number;
  /** Seconds between empty get_work polls. Default 1. */
  waitInterval?: number;
  /** Up to this many random seconds added to waitInterval. Default 5. */
  waitJitter?: number;
  /** Seconds between pings. Default 1. */
  pingInterval?: number;
  /** Default run timeout in seconds for steps without `workerTimeout`; 0 = none. Default 0. */
  timeout?: number;
  /** Re-check dependencies' completeness just before a run. Default true. */
  checkUnfulfilledDeps?: boolean;
  /** After run(), the step must be complete or it fails. Default false. */
  checkCompleteOnRun?: boolean;
  /** Let missing external steps be retried (runnable). Default false. */
  retryExternalTasks?: boolean;
  /** Stop scheduling after this many steps (the rest are reported UNKNOWN). Default null: no limit. */
  taskLimit?: number | null;
  /** Remember steps seen complete and never re-check them. Default false. */
  cacheTaskCompletion?: boolean;
  /**
   * luigi-ts: against a luigi-ts luigid, trust the steps it holds DONE (not checked, not descended below)
   * and let one worker of a fleet check each step (`check_claims`); a step luigid handed out is run
   * without checking its dependencies again. Assumes every worker sees the same storage. Off, or against
   * Luigi's luigid or an in-process scheduler: Luigi's behaviour. Default true.
   */
  trustSchedulerDone?: boolean;
  /**
   * luigi-ts, with trustSchedulerDone: a step another live worker registered is left to that worker's
   * walk (not walked, checked nor registered here), and this worker helps run what that worker registers
   * (luigid may hand it those steps, of the families it can rebuild: possibly steps outside its own graph,
   * as an assistant's). Off: it walks and registers them itself, and runs only what it registered, as
   * Luigi's workers do. Default true.
   */
  fleetHelp?: boolean;
  /**
   * luigi-ts, with fleetHelp: a worker every one of whose steps another worker walks (it only helps that
   * walk) lowers its process's CPU priority to this nice value (never raises it), so that on a machine
   * with more worker processes than cores the walk, which all the helpers wait on, is not starved by
   * them. 0 = keep the priority. Default 0: a Worker inside another program leaves that program's
   * priority alone; the `luigi` command passes `[worker] helper_nice`, 10 by default.
   */
  helperNice?: number;
  /** complete() calls in flight at once while walking the graph (luigi-ts). Default 16. */
  completionConcurrency?: number;
  /**
   * Most steps one `get_works` request takes while steps finish in under 50 ms (a slow step resets it to
   * one); finished steps are then reported with the next request. 1 = Luigi's one `get_work` per step and
   * an `add_task` per outcome. Default 32.
   */
  workBatchSize?: number;
  /** Times a step may be rescheduled for an unfulfilled dependency. Default 1. */
  maxReschedules?: number;
  /**
   * Where steps run (luigi-ts). "auto" (default): in this process, except steps with a timeout, which run
   * in a child process so that the timeout holds even for code that never yields to the event loop (as
   * Luigi runs such steps in a subprocess). "inline": every step in this process (a timeout then only
   * aborts `this.signal` and stops waiting). "process": every step in a child process of its own. Child
   * processes need `processExecutor`; without one "auto" runs everything inline.
   */
  isolation?: Isolation;
  /**
   * Capture what each run of a step prints (its console calls, `this.logger`, in a child process its
   * stdout and stderr), keep it for the execution summary and send it to a luigi-ts luigid as the run
   * goes (luigi-ts; see docs/logs.md). Default true.
   */
  logCapture?: boolean;
  /** Bytes of each run's captured log kept: its head and its tail, the middle cut. Default 262144. */
  logTailBytes?: number;
  /**
   * What captured logs mask as `***` before they leave the worker: names of environment variables or
   * step parameters whose values are masked, or `/regex/` patterns (`[worker] log_redact`). Private
   * parameters are masked without being named. Default none.
   */
  logRedact?: readonly string[];
  /** Runs a step in a child process (`luigi` makes one from `--module`). Default none. */
  processExecutor?: ProcessExecutor;
  /** Default: a silent logger. */
  logger?: Logger;
  /**
   * Told of failed steps and scheduling failures (mail, webhook; `createNotifier`). It sends in the
   * background; the worker never waits for it. Default: none.
   */
  notifier?: Notifier;
  /** Called whenever counts change (live progress display). Default none. */
  onProgress?: (progress: WorkerProgress) => void;
}

export interface WorkerProgress {
  scheduled: number;
  done: number;
  failed: number;
  running: { id: string; name: string; statusMessage?: string; progress?: number }[];
  pending: number;
}

type Tunable = Omit<
  WorkerOptions,
  "scheduler" | "logger" | "notifier" | "onProgress" | "id" | "processExecutor" | "taskLimit" | "retcodes"
>;

/** The settings a worker runs with, every default filled in. */
export type ResolvedWorkerOptions = Required<Tunable> & { taskLimit: number | null };

/** The defaults of WorkerOptions, written once. */
export const DEFAULT_WORKER_OPTIONS: Readonly<ResolvedWorkerOptions> = Object.freeze({
  processes: 1,
  assistant: false,
  acceptTriggers: true,
  keepAlive: false,
  countUniques: false,
  countLastScheduled: false,
  maxKeepAliveIdleDuration: 0,
  waitInterval: 1,
  waitJitter: 5,
  pingInterval: 1,
  timeout: 0,
  checkUnfulfilledDeps: true,
  checkCompleteOnRun: false,
  retryExternalTasks: false,
  taskLimit: null,
  cacheTaskCompletion: false,
  trustSchedulerDone: true,
  fleetHelp: true,
  helperNice: 0,
  completionConcurrency: 16,
  workBatchSize: 32,
  maxReschedules: 1,
  isolation: "auto",
  logCapture: true,
  logTailBytes: DEFAULT_LOG_TAIL_BYTES,
  logRedact: Object.freeze([]),
});

/** The options with defaults filled in and counts clamped to at least 1. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const d = DEFAULT_WORKER_OPTIONS;
  const isolation = options.isolation ?? d.isolation;
  if (isolation === "process" && !options.processExecutor) {
    throw new TypeError("isolation 'process' needs a processExecutor (the module path the steps come from)");
  }
  return {
    processes: Math.max(1, options.processes ?? d.processes),
    assistant: options.assistant ?? d.assistant,
    acceptTriggers: options.acceptTriggers ?? d.acceptTriggers,
    keepAlive: options.keepAlive ?? d.keepAlive,
    countUniques: options.countUniques ?? d.countUniques,
    countLastScheduled: options.countLastScheduled ?? d.countLastScheduled,
    maxKeepAliveIdleDuration: options.maxKeepAliveIdleDuration ?? d.maxKeepAliveIdleDuration,
    waitInterval: options.waitInterval ?? d.waitInterval,
    waitJitter: options.waitJitter ?? d.waitJitter,
    pingInterval: options.pingInterval ?? d.pingInterval,
    timeout: options.timeout ?? d.timeout,
    checkUnfulfilledDeps: options.checkUnfulfilledDeps ?? d.checkUnfulfilledDeps,
    checkCompleteOnRun: options.checkCompleteOnRun ?? d.checkCompleteOnRun,
    retryExternalTasks: options.retryExternalTasks ?? d.retryExternalTasks,
    taskLimit: options.taskLimit ?? d.taskLimit,
    cacheTaskCompletion: options.cacheTaskCompletion ?? d.cacheTaskCompletion,
    trustSchedulerDone: options.trustSchedulerDone ?? d.trustSchedulerDone,
    fleetHelp: options.fleetHelp ?? d.fleetHelp,
    helperNice: Math.max(0, Math.floor(options.helperNice ?? d.helperNice)),
    completionConcurrency: Math.max(1, options.completionConcurrency ?? d.completionConcurrency),
    workBatchSize: Math.max(1, Math.floor(options.workBatchSize ?? d.workBatchSize)),
    maxReschedules: options.maxReschedules ?? d.maxReschedules,
    isolation,
    logCapture: options.logCapture ?? d.logCapture,
    logTailBytes: Math.max(MIN_LOG_TAIL_BYTES, Math.floor(options.logTailBytes ?? d.logTailBytes)),
    logRedact: options.logRedact ?? d.logRedact,
  };
}
