/**
 * The captured logs the scheduler holds: the latest attempt's log of each step, bounded per step
 * (`step_log_bytes`, head and tail as the worker keeps them, see log/step-log.ts) and in all
 * (`step_log_memory`: past it the logs written least recently go, finished ones first). A log goes with
 * its step when the step is pruned.
 *
 * An attempt is one worker's run of the step: pieces carry the worker's own count of its runs, and a
 * first piece (offset 0) from the step's runner under another count starts a new attempt, numbered by
 * the scheduler. Pieces of an attempt that is not the latest, or of a log already complete, are
 * ignored, so a resent or replayed piece changes nothing.
 */
import { BoundedLog, type BoundedLogSnapshot } from "../log/step-log.js";
import type { StepLogAnswer, StepLogChunk } from "./api.js";

/** One step's latest log. */
export interface HeldLog {
  readonly stepId: string;
  readonly worker: string;
  /** The count the worker's pieces carry. */
  readonly workerAttempt: number;
  /** The scheduler's count of the step's logged runs, from 1. */
  readonly attempt: number;
  readonly log: BoundedLog;
  /** Epoch seconds of the first and the last piece. */
  readonly started: number;
  updated: number;
  /** Complete: the worker said so, or the run ended without it (then `incomplete`). */
  final: boolean;
  incomplete: boolean;
}

/** A held log as JSON (the scheduler's snapshot). */
export interface StepLogSnapshot {
  stepId: string;
  worker: string;
  workerAttempt: number;
  attempt: number;
  started: number;
  updated: number;
  final: boolean;
  incomplete: boolean;
  log: BoundedLogSnapshot;
}

/** The budgets, from the scheduler's options. */
export interface LogBudget {
  /** Bytes per step. */
  readonly perStep: number;
  /** Bytes in all. */
  readonly total: number;
}

export class StepLogs {
  /** Step id -> its latest log, least recently written first (a write moves it to the end). */
  private readonly held = new Map<string, HeldLog>();
  private bytes = 0;

  get size(): number {
    return this.held.size;
  }

  /** Bytes held in all. */
  get heldBytes(): number {
    return this.bytes;
  }

  get(stepId: string): HeldLog | undefined {
    return this.held.get(stepId);
  }

  /**
   * Applies one piece. `runner` is the worker running the step now (null when it does not run): only it
   * may start a new attempt. Returns the logs this piece completed: the step's previous one, when a
   * new attempt cut it short, and this one, when the piece was its last.
   */
  add(worker: string, chunk: StepLogChunk, runner: string | null, now: number, budget: LogBudget): HeldLog[] {
    let held = this.held.get(chunk.task_id);
    let closed: HeldLog | undefined;
    if (!held || held.worker !== worker || held.workerAttempt !== chunk.attempt) {
      if (chunk.offset !== 0 || runner !== worker) return [];
      // The step runs again: the open log of the run before ends here, short of its end.
      if (held && !held.final) closed = held;
      held = {
        stepId: chunk.task_id,
        worker,
        workerAttempt: chunk.attempt,
        attempt: (held?.attempt ?? 0) + 1,
        // The worker's bound when it is the smaller (see StepLogChunk.limit): the same head and tail.
        log: new BoundedLog(Math.min(budget.perStep, chunk.limit ?? budget.perStep)),
        started: now,
        updated: now,
        final: false,
        incomplete: false,
      };
      this.replace(held);
    } else if (held.final) return [];
    const before = held.log.held;
    held.log.appendAt(chunk.offset, chunk.text);
    this.bytes += held.log.held - before;
    held.updated = now;
    // Written now: the last to go when the budget is short.
    this.held.delete(held.stepId);
    this.held.set(held.stepId, held);
    const completed: HeldLog[] = [];
    if (closed) {
      closed.final = true;
      closed.incomplete = true;
      completed.push(closed);
    }
    if (chunk.final) {
      held.final = true;
      completed.push(held);
    }
    this.evict(budget.total);
    return completed;
  }

  /** The run ended without the worker's last piece: the log is complete as it is. */
  closeOpen(stepId: string): HeldLog | undefined {
    const held = this.held.get(stepId);
    if (!held || held.final) return undefined;
    held.final = true;
    held.incomplete = true;
    return held;
  }

  drop(stepId: string): void {
    const held = this.held.get(stepId);
    if (!held) return;
    this.bytes -= held.log.held;
    this.held.delete(stepId);
  }

  export(): StepLogSnapshot[] {
    return [...this.held.values()].map((h) => ({
      stepId: h.stepId,
      worker: h.worker,
      workerAttempt: h.workerAttempt,
      attempt: h.attempt,
      started: h.started,
      updated: h.updated,
      final: h.final,
      incomplete: h.incomplete,
      log: h.log.toJSON(),
    }));
  }

  /** Restores the logs of a snapshot, in order, keeping only those `keep` accepts (known steps). */
  restore(snaps: readonly StepLogSnapshot[], keep: (stepId: string) => boolean): void {
    for (const s of snaps) {
      if (!keep(s.stepId) || typeof s.log?.head !== "string") continue;
      this.replace({
        stepId: s.stepId,
        worker: s.worker,
        workerAttempt: s.workerAttempt,
        attempt: s.attempt,
        started: s.started,
        updated: s.updated,
        final: s.final,
        incomplete: s.incomplete,
        log: BoundedLog.fromJSON(s.log),
      });
    }
  }

  private replace(held: HeldLog): void {
    this.drop(held.stepId);
    this.held.set(held.stepId, held);
    this.bytes += held.log.held;
  }

  /** Drops the logs written least recently until `total` bytes hold them all: complete ones first. */
  private evict(total: number): void {
    if (this.bytes <= total) return;
    for (const held of this.held.values()) {
      if (this.bytes <= total) return;
      if (held.final) this.drop(held.stepId);
    }
    for (const held of this.held.values()) {
      if (this.bytes <= total) return;
      this.drop(held.stepId);
    }
  }
}

/** `step_log`'s answer for a held log. */
export function stepLogAnswer(held: HeldLog): StepLogAnswer {
  const { text, bytes, cut } = held.log.render();
  return {
    task_id: held.stepId,
    attempt: held.attempt,
    worker: held.worker,
    text,
    bytes,
    cut,
    running: !held.final,
    incomplete: held.incomplete,
    updated: held.updated,
  };
}
