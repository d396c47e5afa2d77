/**
 * The triggers the scheduler holds (luigi-ts; the rules are in triggers.ts): each run asked for with
 * `trigger_step`, from queued to ended. Part of the scheduler's state, so it is journaled, snapshotted
 * and replayed like the steps.
 *
 * Bounded: at most MAX_OPEN_TRIGGERS not ended and the MAX_ENDED_TRIGGERS latest ended ones are held, so
 * the rules may scan them all (a hand-out looks for the oldest queued trigger an assistant can run).
 */
import type { TriggerStatus } from "./api.js";

/** Triggers not ended (queued, taken, running) held at most; `trigger_step` refuses more. */
export const MAX_OPEN_TRIGGERS = 1000;
/** Ended triggers kept for the visualiser and the API; older ones are forgotten. */
export const MAX_ENDED_TRIGGERS = 200;

const OPEN: ReadonlySet<TriggerStatus> = new Set<TriggerStatus>(["queued", "taken", "running"]);

export function isOpen(status: TriggerStatus): boolean {
  return OPEN.has(status);
}

export interface TriggerRecord {
  readonly id: number;
  readonly family: string;
  readonly params: Readonly<Record<string, string>>;
  readonly requestedBy: string | null;
  readonly requestedAt: number;
  status: TriggerStatus;
  /** The assistant that took it (kept after it ended, for the record). */
  worker: string | null;
  takenAt: number | null;
  taskId: string | null;
  runWorker: string | null;
  finishedAt: number | null;
  result: string | null;
  exitCode: number | null;
  message: string | null;
}

export class TriggerQueue {
  /** The id the next trigger gets (ids are never reused, also across restarts). */
  nextId = 1;
  /** Every trigger held, oldest first (ids only grow, so insertion order is id order). */
  readonly records = new Map<number, TriggerRecord>();

  add(record: TriggerRecord): void {
    this.records.set(record.id, record);
    this.nextId = Math.max(this.nextId, record.id + 1);
  }

  openCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (isOpen(r.status)) n++;
    return n;
  }

  /** Forgets the oldest ended triggers past MAX_ENDED_TRIGGERS. */
  forgetOldEnded(): void {
    let ended = 0;
    for (const r of this.records.values()) if (!isOpen(r.status)) ended++;
    for (const r of this.records.values()) {
      if (ended <= MAX_ENDED_TRIGGERS) return;
      if (!isOpen(r.status)) {
        this.records.delete(r.id);
        ended--;
      }
    }
  }

  /**
   * The worker went away (pruned): what it took but had not built goes back to the queue, in its place;
   * what it was running is lost (its run went with it, as a killed `luigi` process's would).
   */
  workerGone(workerId: string, now: number): void {
    let lost = false;
    for (const r of this.records.values()) {
      if (r.worker !== workerId) continue;
      if (r.status === "taken") {
        r.status = "queued";
        r.worker = null;
        r.takenAt = null;
      } else if (r.status === "running") {
        r.status = "lost";
        r.finishedAt = now;
        r.message = `the assistant running it went away (silent for longer than worker_disconnect_delay): ${workerId}`;
        lost = true;
      }
    }
    if (lost) this.forgetOldEnded();
  }
}
