/** What the rule modules share: the state, the resolved settings, the capacity table and the hooks. */
import type { StepStatus } from "./api.js";
import type { SchedulerOptions } from "./options.js";
import type { SchedulerState } from "./state.js";
import type { StepRecord } from "./step-record.js";

/**
 * Optional observers, called synchronously inside the state transition (history store, metrics, mail).
 * A hook that throws is ignored: observers must never break scheduling.
 */
export interface SchedulerHooks {
  /** Luigi's task-history points: a worker's claim, a hand-out (with host), forgive, mark-as-done. */
  history?(step: Readonly<StepRecord>, status: StepStatus, host: string | null): void;
  /** Luigi's metrics-collector points. */
  metrics?(event: "started" | "done" | "failed" | "disabled", step: Readonly<StepRecord>): void;
  /** A step was disabled for excessive failures (Luigi mails here unless batch_emails). */
  disabledByScheduler?(step: Readonly<StepRecord>): void;
  /** `report_task_statistics`. */
  taskStatistics?(taskId: string, statistics: Record<string, unknown>): void;
}

export interface Core {
  readonly state: SchedulerState;
  readonly options: Readonly<SchedulerOptions>;
  /** Resource capacities: `[resources]` plus runtime updates; an undeclared resource has capacity 1. */
  readonly capacity: Record<string, number>;
  readonly hooks: SchedulerHooks;
}

export function notify<K extends keyof SchedulerHooks>(
  hooks: SchedulerHooks,
  name: K,
  ...args: Parameters<NonNullable<SchedulerHooks[K]>>
): void {
  const fn = hooks[name] as ((...a: unknown[]) => void) | undefined;
  if (!fn) return;
  try {
    fn.apply(hooks, args);
  } catch {
    // An observer's failure is its own problem (see SchedulerHooks).
  }
}
