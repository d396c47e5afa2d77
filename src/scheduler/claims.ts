/**
 * Completeness claims (luigi-ts, `check_claims`): how a fleet of workers walking one graph checks each
 * step's complete() about once instead of once per worker. Before checking a batch of steps, a worker
 * asks luigid about them; for each it answers
 *
 * - "done": luigid holds the step DONE. Trusted complete: not checked, not descended below.
 * - "pending": luigid holds it PENDING with a live stakeholder other than the caller, or RUNNING: another
 *   worker found it incomplete (or runs it). Trusted incomplete: not checked; the caller still descends
 *   through requires() (local and cheap) and registers it, so that it may run it.
 * - "claimed": another worker is checking it right now; ask again shortly rather than check it too.
 * - "yours": check it. The claim is the caller's until its registration of the step arrives (any
 *   add_task of that step by that worker releases it), CLAIM_SECONDS pass, or the caller is gone
 *   (luigid knows it, and it has been silent past worker_disconnect_delay).
 *
 * Claims are soft state: never journaled, lost with a restart or a failover (the next asker gets
 * "yours", so the worst case is one more check). Pure: time is the scheduler's injected clock.
 */
import type { ClaimVerdict } from "./api.js";
import type { SchedulerState } from "./state.js";

/** Seconds a "yours" claim holds when its registration does not arrive (a worker that died mid-check). */
export const CLAIM_SECONDS = 30;

interface Claim {
  readonly worker: string;
  /** When it was taken (or last renewed). */
  readonly taken: number;
  readonly expires: number;
}

export class CompletenessClaims {
  private readonly held = new Map<string, Claim>();
  /** held.size after the last sweep: the map is swept of expired claims when it doubles. */
  private sweptAt = 1024;

  constructor(private readonly seconds: number = CLAIM_SECONDS) {}

  /** Claims held (expired ones not yet swept included): for tests and diagnostics. */
  get size(): number {
    return this.held.size;
  }

  /** The verdict for `taskId` asked by `worker` at `now`; "yours" takes (or renews) the claim unless `peek`. */
  verdict(state: SchedulerState, worker: string, taskId: string, now: number, peek = false): ClaimVerdict {
    const rec = state.steps.get(taskId);
    if (rec !== undefined) {
      if (rec.status === "DONE") return "done";
      if (rec.status === "RUNNING" || rec.status === "BATCH_RUNNING") return "pending";
      if (rec.status === "PENDING") {
        for (const w of rec.stakeholders) {
          if (w === worker) continue;
          const other = state.workers.get(w);
          if (other && state.isLive(other, now)) return "pending";
        }
      }
    }
    const claim = this.held.get(taskId);
    if (claim !== undefined && claim.worker !== worker && claim.expires > now) {
      // A holder gone silent past worker_disconnect_delay (killed mid-check) holds nothing any more. One
      // that luigid holds no record of either has not called anything else yet (check_claims touches no
      // record), or was pruned as gone: its claim holds for worker_disconnect_delay from its taking, as a
      // silent worker's would (before, a pruned holder's claim held the full CLAIM_SECONDS).
      const holder = state.workers.get(claim.worker);
      const live = holder ? state.isLive(holder, now) : now - claim.taken < state.workerDisconnectDelay;
      if (live) return "claimed";
    }
    if (peek) return "yours";
    this.held.set(taskId, { worker, taken: now, expires: now + this.seconds });
    if (this.held.size >= 2 * this.sweptAt) this.sweep(now);
    return "yours";
  }

  /** `worker` registered `taskId`: its claim (if it holds one) ends. */
  release(worker: string, taskId: string): void {
    if (this.held.size === 0) return;
    const claim = this.held.get(taskId);
    if (claim !== undefined && claim.worker === worker) this.held.delete(taskId);
  }

  private sweep(now: number): void {
    for (const [id, claim] of this.held) if (claim.expires <= now) this.held.delete(id);
    this.sweptAt = Math.max(1024, this.held.size);
  }
}
