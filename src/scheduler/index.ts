/** The scheduler: its contract, the pure core, the in-process adapter and the state snapshot format. */
export * from "./api.js";
export { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from "./options.js";
export { Scheduler, type SchedulerInit } from "./scheduler.js";
export { LocalScheduler, type LocalSchedulerInit } from "./local.js";
export type { SchedulerHooks } from "./core.js";
export type { StepRecord } from "./step-record.js";
export {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type StateSnapshot,
  type StepSnapshot,
  type WorkerSnapshot,
} from "./snapshot.js";
