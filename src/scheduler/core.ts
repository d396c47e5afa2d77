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
  /**
   * Every status change the scheduler makes (plus a step's first announcement), after it is applied:
   * the step history records it. Called inside the transition, so it must only copy what it needs
   * (the record's `params` object is replaced, never mutated, so keeping a reference is safe).
   */
  history?(change: HistoryChange): void;
  /**
   * Luigi's metrics-collector points: a hand-out (`started`), and changes into DONE, FAILED, DISABLED.
   * `previous` is the status before (PENDING for a hand-out): a run ended when it was a running one.
   */
  metrics?(
    event: "started" | "done" | "failed" | "disabled",
    step: Readonly<StepRecord>,
    previous: StepStatus,
  ): void;
  /**
   * A step was disabled for excessive failures, inside the transition (its `expl` is the last failure).
   * Luigi mails here unless batch_emails; that choice is the notifier's (src/notify/).
   */
  disabledByScheduler?(step: Readonly<StepRecord>): void;
  /** A worker reported a failure: what Luigi's batch notifier collects (`batch_emails`). */
  failureReported?(report: FailureReport): void;
  /** `report_task_statistics`. */
  taskStatistics?(taskId: string, statistics: Record<string, unknown>): void;
  /**
   * A step's captured log is complete: its worker sent the last piece, or the run ended without it
   * (`incomplete`). The step history stores it with the step's run.
   */
  stepLog?(log: FinishedStepLog): void;
}

/** A complete step log, as the hook receives it: data only. */
export interface FinishedStepLog {
  readonly stepId: string;
  readonly family: string;
  readonly attempt: number;
  readonly worker: string;
  /** The log as shown, its cut marked. */
  readonly text: string;
  readonly bytes: number;
  readonly cut: number;
  readonly incomplete: boolean;
  /** Epoch seconds, from the scheduler's injected clock. */
  readonly time: number;
}

/** One failure a worker reported, as the hook receives it: data only. */
export interface FailureReport {
  /** "failed": `add_task` with status FAILED; "scheduling": `announce_scheduling_failure`. */
  readonly kind: "failed" | "scheduling";
  /** `Family(a=1, b=2)` (Luigi's pretty id). */
  readonly name: string;
  readonly family: string;
  /** The parameters, less those the worker batches for this family (`add_task_batcher`). */
  readonly unbatchedParams: Readonly<Record<string, unknown>>;
  /** The explanation as sent (add_task's is JSON-encoded text). */
  readonly expl: string;
  /** The step's owners, as the worker sent them. */
  readonly owners: readonly string[];
  /** The failure disabled the step. */
  readonly disabled: boolean;
  readonly worker: string | null;
}

/** Why a status changed, when it was not simply a worker's report (`claim`). */
export type HistoryCause =
  | "claim"
  | "handout"
  | "retry"
  | "forgiven"
  | "marked-done"
  | "re-enabled"
  | "disabled-by-scheduler"
  | "runner-gone"
  | "batch-reset";

/** One status change, as the history hook receives it: data only, no I/O. */
export interface HistoryChange {
  readonly step: Readonly<StepRecord>;
  /** The status before the change (the same as `status` for a first announcement). */
  readonly previous: StepStatus;
  readonly status: StepStatus;
  /** Epoch seconds, from the scheduler's injected clock. */
  readonly time: number;
  /** The worker concerned (the runner for hand-outs and reports), when known. */
  readonly worker: string | null;
  /** The host the step runs on, when known (hand-outs). */
  readonly host: string | null;
  /** The failure's explanation for FAILED / DISABLED, else null. */
  readonly error: string | null;
  readonly cause: HistoryCause;
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
