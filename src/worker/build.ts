import type { LuigiConfig } from "../config/index.js";
import {
  coreConfig,
  executionSummaryConfig,
  retcodeConfig,
  schedulerConfig,
  workerConfig,
} from "../config/index.js";
import type { Logger } from "../log/logger.js";
import { RemoteScheduler } from "../rpc/client.js";
import type { SchedulerApi } from "../scheduler/api.js";
import { LocalScheduler } from "../scheduler/local.js";
import { activeConfig } from "../step/context.js";
import type { Step } from "../step/step.js";
import { summarize, type ExecutionSummary } from "./summary.js";
import { Worker, type WorkerOptions } from "./worker.js";

/**
 * Options of `build()`; unset worker settings come from the `[worker]` config section, except
 * `helper_nice` (the `luigi` command's: `helperNice` here, default 0, the host's priority left alone).
 */
export interface BuildOptions extends Partial<Omit<WorkerOptions, "scheduler" | "processes">> {
  /** Steps run at once. Default: `[core] workers` (1). */
  workers?: number;
  /** Use an in-process scheduler. Default true when neither `scheduler` nor `schedulerUrl` is given. */
  localScheduler?: boolean;
  /**
   * The `luigid` to run against, as `--scheduler-url` takes it: `http://`, `https://` or
   * `http+unix://<percent-encoded socket path>/`, credentials in the URL sent as basic auth. The rest of
   * the connection comes from `[core]`: `LUIGI_SCHEDULER_TOKEN` or `scheduler_token` (a bearer token),
   * `rpc_ca_file`, `rpc_connect_timeout`, `rpc_retry_attempts`, `rpc_retry_wait`, `rpc_log_retries`.
   */
  schedulerUrl?: string;
  /** A scheduler to talk to (your own `RemoteScheduler`, say); excludes localScheduler and schedulerUrl. */
  scheduler?: SchedulerApi;
  /** Configuration to read `[worker]`, `[scheduler]`, `[retcode]` from. Default: the active config. */
  config?: LuigiConfig;
  /** Lines per summary category (0 = all). Default: `[execution_summary] summary_length` (5). */
  summaryLength?: number;
  logger?: Logger;
}

/**
 * Builds `steps` and everything they need that is not complete yet; returns the execution summary as
 * data (`summary.exitCode` is what `luigi` would exit with).
 *
 * ```ts
 * await build([new Report({ day })]); // an in-process scheduler
 * await build([new Report({ day })], { schedulerUrl: "http://luigid.internal:8082/", workers: 4 });
 * ```
 *
 * A `luigid` that does not answer rejects with a SchedulerError (code SCHEDULER_UNREACHABLE) within
 * seconds; a bad URL with a ConfigError naming it.
 */
export async function build(steps: Step[], options: BuildOptions = {}): Promise<ExecutionSummary> {
  const config = options.config ?? activeConfig();
  // `[worker] helper_nice` is the luigi command's, a process of its own: build() runs inside another
  // program, whose CPU priority it changes only when told to (the helperNice option).
  const { helperNice: _nice, ...fromConfig } = workerConfig(config);
  const { scheduler, ownRemote } = chooseScheduler(options, config);
  const {
    workers,
    config: _c,
    summaryLength,
    localScheduler: _l,
    scheduler: _s,
    schedulerUrl: _u,
    ...workerOverrides
  } = options;
  const worker = new Worker({
    ...fromConfig,
    id: fromConfig.id || undefined,
    ...stripUndefined(workerOverrides),
    scheduler,
    processes: workers ?? 1,
  });
  try {
    await worker.add(steps);
    await worker.run();
  } finally {
    // Its kept-alive connections would hold the embedding program open for a few seconds more.
    ownRemote?.close();
  }
  return summarize(worker.history, steps, retcodeConfig(config), {
    summaryLength: summaryLength ?? executionSummaryConfig(config).summaryLength,
    schedulingFailed: worker.hadSchedulingError,
  });
}

function chooseScheduler(
  options: BuildOptions,
  config: LuigiConfig,
): { scheduler: SchedulerApi; ownRemote?: RemoteScheduler } {
  const given = [
    options.scheduler !== undefined && "scheduler",
    options.schedulerUrl !== undefined && "schedulerUrl",
    options.localScheduler === true && "localScheduler: true",
  ].filter((name): name is string => name !== false);
  if (given.length > 1) {
    throw new TypeError(`build(): ${given.join(" and ")} exclude each other; pass one of them`);
  }
  if (options.scheduler) return { scheduler: options.scheduler };
  if (options.schedulerUrl !== undefined) {
    const core = { ...coreConfig(config), schedulerUrl: options.schedulerUrl };
    // An empty URL would fall back to [core] scheduler_host / scheduler_port: say so instead.
    if (options.schedulerUrl.trim() === "") throw new TypeError("build(): schedulerUrl is empty");
    const remote = RemoteScheduler.fromConfig(core, options.logger);
    return { scheduler: remote, ownRemote: remote };
  }
  if (options.localScheduler === false) {
    throw new TypeError("build(): pass a `scheduler` or a `schedulerUrl` when localScheduler is false");
  }
  return {
    scheduler: new LocalScheduler({ options: { ...schedulerConfig(config), pruneOnGetWork: true } }),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
