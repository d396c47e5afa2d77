import type { LuigiConfig } from "../config/index.js";
import { executionSummaryConfig, retcodeConfig, schedulerConfig, workerConfig } from "../config/index.js";
import type { Logger } from "../log/logger.js";
import type { SchedulerApi } from "../scheduler/api.js";
import { LocalScheduler } from "../scheduler/local.js";
import { activeConfig } from "../step/context.js";
import type { Step } from "../step/step.js";
import { summarize, type ExecutionSummary } from "./summary.js";
import { Worker, type WorkerOptions } from "./worker.js";

/** Options of `build()`; unset worker settings come from the `[worker]` config section. */
export interface BuildOptions extends Partial<Omit<WorkerOptions, "scheduler" | "processes">> {
  /** Steps run at once. Default: `[core] workers` (1). */
  workers?: number;
  /** Use an in-process scheduler. Default true when no `scheduler` is given. */
  localScheduler?: boolean;
  /** A scheduler to talk to (e.g. a remote one); wins over localScheduler. */
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
 */
export async function build(steps: Step[], options: BuildOptions = {}): Promise<ExecutionSummary> {
  const config = options.config ?? activeConfig();
  const fromConfig = workerConfig(config);
  let scheduler = options.scheduler;
  if (!scheduler) {
    if (options.localScheduler === false) {
      throw new TypeError("build(): pass a `scheduler` when localScheduler is false");
    }
    scheduler = new LocalScheduler({ options: { ...schedulerConfig(config), pruneOnGetWork: true } });
  }
  const {
    workers,
    config: _c,
    summaryLength,
    localScheduler: _l,
    scheduler: _s,
    ...workerOverrides
  } = options;
  const worker = new Worker({
    ...fromConfig,
    id: fromConfig.id || undefined,
    ...stripUndefined(workerOverrides),
    scheduler,
    processes: workers ?? 1,
  });
  await worker.add(steps);
  await worker.run();
  return summarize(worker.history, steps, retcodeConfig(config), {
    summaryLength: summaryLength ?? executionSummaryConfig(config).summaryLength,
    schedulingFailed: worker.hadSchedulingError,
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
