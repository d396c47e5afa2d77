import type { StepStatus } from "../scheduler/api.js";
import type { FinishedStepLog, HistoryChange } from "../scheduler/core.js";
import { decodeExplanation } from "./explanation.js";

/**
 * One status change waiting in the writer's queue: the hook's HistoryChange with the step's identity
 * copied (by reference) out of its record, and the time in milliseconds.
 */
export interface QueuedEvent extends Omit<HistoryChange, "step" | "time"> {
  readonly stepId: string;
  readonly family: string;
  /** Public and hidden parameters as the scheduler holds them (private ones never reach it). */
  readonly params: Readonly<Record<string, string | string[]>>;
  /** Epoch milliseconds, UTC. */
  readonly time: number;
  /** Who asked for the change ("alice (operator) from 10.0.0.7"), for the changes people make; else null. */
  readonly actor?: string | null;
}

/**
 * A step's complete captured log waiting in the writer's queue: stored with the step's run current at
 * its place in the queue (the run it was printed in: its last piece comes just before the outcome).
 */
export interface QueuedLog extends Omit<FinishedStepLog, "family" | "time"> {
  readonly kind: "log";
  /** Epoch milliseconds, UTC. */
  readonly time: number;
}

/** What the writer's queue holds. */
export type QueuedItem = QueuedEvent | QueuedLog;

export function isQueuedLog(item: QueuedItem): item is QueuedLog {
  return (item as Partial<QueuedLog>).kind === "log";
}

/**
 * The scheduler's first sight of a step (its record was just created): the only change reported with
 * the same status before and after.
 */
export function isFirstAnnouncement(e: QueuedEvent): boolean {
  return e.previous === e.status && e.cause === "claim";
}

/** Statuses that end a run. */
export function endsRun(status: StepStatus): boolean {
  return status === "DONE" || status === "FAILED" || status === "DISABLED";
}

/**
 * A change that belongs to the run that just ended rather than starting a new one: the scheduler
 * disabling a step after its failure, a re-enable, an operator marking a failed step done.
 */
export function continuesEndedRun(e: QueuedEvent): boolean {
  if (e.previous !== "FAILED" && e.previous !== "DISABLED") return false;
  return e.status === "FAILED" || e.status === "DISABLED" || e.cause === "marked-done";
}

/**
 * The text stored with the event: the error for failures (decoded from the wire's JSON encoding), else
 * why the scheduler made the change.
 */
export function eventMessage(e: QueuedEvent): string | null {
  if (e.cause === "runner-gone") return "the worker running it stopped answering";
  if (e.status === "FAILED" || e.status === "DISABLED") {
    const text = e.error ? decodeExplanation(e.error) : "";
    if (text !== "") return text;
  }
  switch (e.cause) {
    case "claim":
    case "handout":
      return null;
    default:
      return e.cause;
  }
}
