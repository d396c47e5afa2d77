import type { StepStatus } from "../scheduler/api.js";
import type { Step } from "../step/step.js";

/** What one worker reported about one step, kept for the execution summary. */
export interface StepRecordEntry {
  step: Step;
  statuses: StepStatus[];
  /** False for external steps that are missing (nobody may run them). */
  runnable: boolean;
  /** A run failed at least once but a later attempt (worker retry or rerun) succeeded. */
  retried: boolean;
  /** Another worker ran it while this one waited. */
  byOtherWorker?: boolean;
  /** Why it failed, or why its scheduling failed. */
  error?: { message: string; stack: string };
  /** Its run was cut short by SIGINT or SIGTERM. */
  interrupted?: boolean;
  /** The last lines its failed run printed (masked), when it printed anything; `of` lines in all. */
  logTail?: { lines: string[]; of: number };
}

/** The statuses a worker reported, step by step, in the order it first saw them. */
export class WorkerHistory {
  readonly entries = new Map<string, StepRecordEntry>();
  /** Step ids another worker was running when this one asked for work. */
  readonly runByOtherWorker = new Map<string, string>();

  record(step: Step, status: StepStatus, runnable = true): void {
    let entry = this.entries.get(step.id);
    if (!entry) this.entries.set(step.id, (entry = { step, statuses: [], runnable, retried: false }));
    entry.statuses.push(status);
    entry.runnable = runnable;
  }

  /** Records why a step failed (its run, or its scheduling). */
  setError(id: string, error: { message: string; stack: string }): void {
    const entry = this.entries.get(id);
    if (entry) entry.error = error;
  }

  /** Keeps the last lines of a failed run's log, for the summary. */
  setLogTail(id: string, tail: { lines: string[]; of: number }): void {
    const entry = this.entries.get(id);
    if (entry) entry.logTail = tail;
  }

  get(id: string): StepRecordEntry | undefined {
    return this.entries.get(id);
  }

  lastStatus(id: string): StepStatus | undefined {
    return this.entries.get(id)?.statuses.at(-1);
  }
}
