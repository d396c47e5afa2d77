/**
 * Every derived view of the step records, maintained by one pair of functions: `uncount(rec)` removes
 * everything a record contributes, `count(rec)` adds it back. A mutation always runs between the two (see
 * `SchedulerState.change`), so no view can drift from the records, and each costs O(log n) or O(1) per
 * change instead of the scans Luigi does per request (SPEC 7.1).
 */
import { STEP_STATUSES, type StepStatus } from "./api.js";
import { ReadyQueue } from "./ready-queue.js";
import { hasAny, isReady, type StepRecord } from "./step-record.js";

/** What one worker sees of the steps; lives independently of the worker record's lifetime. */
export class WorkerIndex {
  /** READY steps this worker may run, in rank order. */
  readonly ready = new ReadyQueue();
  /** Steps listing this worker in `workers` (Luigi's `worker.tasks`). */
  readonly eligible = new Set<string>();
  /** Steps listing this worker in `stakeholders` (maintained by SchedulerState, not by count()). */
  readonly stakeOf = new Set<string>();
  /** RUNNING or BATCH_RUNNING steps whose `worker_running` is this worker. */
  readonly runs = new Set<string>();
  /** RUNNING steps this worker is eligible for (count_pending's `running_tasks`). */
  readonly runningEligible = new Set<string>();
  /** count_pending: eligible steps that are FAILED, or PENDING and not upstream-disabled. */
  nPending = 0;
  /** ... of those, the ones with exactly one eligible worker. */
  nUnique = 0;
  /** ... of those, the ones whose last declared worker is this one. */
  nLastScheduled = 0;
  /** worker_list: eligible PENDING steps, and those with this worker as only eligible worker. */
  nListPending = 0;
  nListUnique = 0;

  isEmpty(): boolean {
    return (
      this.eligible.size === 0 &&
      this.stakeOf.size === 0 &&
      this.runs.size === 0 &&
      this.runningEligible.size === 0
    );
  }
}

export class Indexes {
  readonly byStatus = new Map<StepStatus, Set<string>>(STEP_STATUSES.map((s) => [s, new Set<string>()]));
  readonly byFamily = new Map<string, Set<string>>();
  /** PENDING steps with a blocked dep: Luigi's UPSTREAM_DISABLED (the visualiser's count and filter). */
  readonly pendingBlocked = new Set<string>();
  readonly perWorker = new Map<string, WorkerIndex>();
  /** READY steps with `runnable`: what an assistant may take. */
  readonly runnableReady = new ReadyQueue();
  /** READY steps that declare resources: the only ones get_work's reservation needs to look at. */
  readonly resourceReady = new ReadyQueue();
  /** Sum of the running resources of RUNNING steps (batch members do not hold any). */
  readonly usedResources = new Map<string, number>();
  /** RUNNING steps declaring each resource (resource_list's consumers). */
  readonly runningByResource = new Map<string, Set<string>>();
  /** BATCH_RUNNING members by batch id. */
  readonly batchMembers = new Map<string, Set<StepRecord>>();
  /**
   * RUNNING/BATCH_RUNNING steps whose runner was not a stakeholder when they were last counted; prune
   * checks them (and the steps of pruned workers) instead of every step. Entries are validated lazily.
   */
  readonly runnerSuspects = new Set<StepRecord>();

  /** Set removals of the change in progress, waiting for a re-add that cancels them (see beginChange). */
  private deferring = false;
  private readonly pendingSets: Set<unknown>[] = [];
  private readonly pendingKeys: unknown[] = [];
  /** For a Set inside a Map: the map and key, to drop the Set once it is empty. */
  private readonly pendingOwners: ([Map<unknown, unknown>, unknown] | null)[] = [];

  worker(id: string): WorkerIndex {
    let wi = this.perWorker.get(id);
    if (!wi) {
      wi = new WorkerIndex();
      this.perWorker.set(id, wi);
    }
    return wi;
  }

  /** Drops the worker's index if nothing refers to it any more. */
  forgetWorker(id: string): void {
    const wi = this.perWorker.get(id);
    if (wi && wi.isEmpty()) this.perWorker.delete(id);
  }

  statusCount(status: StepStatus): number {
    return this.byStatus.get(status)?.size ?? 0;
  }

  count(rec: StepRecord): void {
    this.apply(rec, 1);
  }

  uncount(rec: StepRecord): void {
    this.apply(rec, -1);
  }

  /**
   * The first half of a change: like uncount(), but Set removals wait for `endChange`, which cancels
   * each against the identical re-add. V8 makes a delete + re-add of the same key in a large Set cost
   * O(size) (tombstones force a rehash), and most changes leave most memberships as they were.
   * Ready queues are updated at once: the rank may change in between, and a B+ tree can only find a
   * record under the rank it was filed with.
   */
  beginChange(rec: StepRecord): void {
    if (this.deferring) throw new Error("Indexes.beginChange: changes do not nest");
    this.deferring = true;
    this.apply(rec, -1);
  }

  endChange(rec: StepRecord): void {
    this.deferring = false;
    this.apply(rec, 1);
    const sets = this.pendingSets;
    const keys = this.pendingKeys;
    const owners = this.pendingOwners;
    for (let i = 0; i < sets.length; i++) {
      const set = sets[i] as Set<unknown>;
      set.delete(keys[i]);
      const owner = owners[i];
      if (owner && set.size === 0) owner[0].delete(owner[1]);
    }
    sets.length = 0;
    keys.length = 0;
    owners.length = 0;
  }

  /**
   * Appends worker `w` to `rec.workers` (not already there), nothing else about the step changing: the
   * same index updates as a change() that does it, without taking the step out of the indexes of every
   * worker already listed (with W workers registering one step, W^2 ready-queue moves otherwise). Only
   * the counters that depend on the number of workers and on which is last move for those.
   */
  appendWorker(rec: StepRecord, w: string): void {
    if (this.deferring) throw new Error("Indexes.appendWorker: not inside a change");
    const before = rec.workers;
    const n = before.length;
    const status = rec.status;
    const pendingCounted = status === "FAILED" || (status === "PENDING" && rec.blockedDeps === 0);
    if (pendingCounted) {
      if (n === 1) this.worker(before[0] as string).nUnique -= 1;
      if (n > 0) this.worker(before[n - 1] as string).nLastScheduled -= 1;
    }
    if (status === "PENDING" && n === 1) this.worker(before[0] as string).nListUnique -= 1;
    rec.workers = n === 0 ? [w] : before.concat([w]);
    const wi = this.worker(w);
    wi.eligible.add(rec.id);
    if (isReady(rec)) wi.ready.add(rec);
    if (pendingCounted) {
      wi.nPending += 1;
      if (n === 0) wi.nUnique += 1;
      wi.nLastScheduled += 1;
    }
    if (status === "PENDING") {
      wi.nListPending += 1;
      if (n === 0) wi.nListUnique += 1;
    }
    if (status === "RUNNING") wi.runningEligible.add(rec.id);
  }

  private setOp<T>(
    set: Set<T>,
    key: T,
    add: boolean,
    owner: [Map<unknown, unknown>, unknown] | null = null,
  ): void {
    if (add) {
      const sets = this.pendingSets;
      for (let i = sets.length - 1; i >= 0; i--) {
        if (sets[i] === set && this.pendingKeys[i] === key) {
          // Cancels a deferred removal: the membership did not change.
          const last = sets.length - 1;
          sets[i] = sets[last] as Set<unknown>;
          this.pendingKeys[i] = this.pendingKeys[last];
          this.pendingOwners[i] = this.pendingOwners[last] ?? null;
          sets.length = last;
          this.pendingKeys.length = last;
          this.pendingOwners.length = last;
          return;
        }
      }
      set.add(key);
    } else if (this.deferring) {
      this.pendingSets.push(set);
      this.pendingKeys.push(key);
      this.pendingOwners.push(owner);
    } else {
      set.delete(key);
      if (owner && set.size === 0) owner[0].delete(owner[1]);
    }
  }

  private mapSetOp<K, T>(map: Map<K, Set<T>>, key: K, item: T, add: boolean): void {
    let set = map.get(key);
    if (!set) {
      if (!add) return;
      map.set(key, (set = new Set()));
    }
    this.setOp(set, item, add, [map as Map<unknown, unknown>, key]);
  }

  private apply(rec: StepRecord, sign: 1 | -1): void {
    const add = sign > 0;
    const id = rec.id;
    const status = rec.status;
    this.setOp(this.byStatus.get(status) as Set<string>, id, add);
    if (rec.family) this.mapSetOp(this.byFamily, rec.family, id, add);
    if (status === "PENDING" && rec.blockedDeps > 0) this.setOp(this.pendingBlocked, id, add);

    const ready = isReady(rec);
    const pendingCounted = status === "FAILED" || (status === "PENDING" && rec.blockedDeps === 0);
    const running = status === "RUNNING";
    const n = rec.workers.length;
    let i = 0;
    for (const w of rec.workers) {
      const wi = this.worker(w);
      this.setOp(wi.eligible, id, add);
      if (ready) toggleReady(wi.ready, rec, add);
      if (pendingCounted) {
        wi.nPending += sign;
        if (n === 1) wi.nUnique += sign;
        if (i === n - 1) wi.nLastScheduled += sign;
      }
      if (status === "PENDING") {
        wi.nListPending += sign;
        if (n === 1) wi.nListUnique += sign;
      }
      if (running) this.setOp(wi.runningEligible, id, add);
      i++;
    }
    if (ready) {
      if (rec.runnable) toggleReady(this.runnableReady, rec, add);
      if (hasAny(rec.resources)) toggleReady(this.resourceReady, rec, add);
    }

    if ((running || status === "BATCH_RUNNING") && rec.workerRunning !== null) {
      this.setOp(this.worker(rec.workerRunning).runs, id, add);
      if (add && !rec.stakeholders.includes(rec.workerRunning)) this.runnerSuspects.add(rec);
    }
    if (running) {
      // Luigi falls back to the declared resources for a step that never got running resources.
      const held = rec.resourcesRunning ?? rec.resources;
      for (const [name, amount] of Object.entries(held)) {
        const total = (this.usedResources.get(name) ?? 0) + sign * amount;
        // Sums of floats may leave dust; a resource nobody holds must read as exactly free.
        if (Math.abs(total) < 1e-9) this.usedResources.delete(name);
        else this.usedResources.set(name, total);
      }
      for (const name of Object.keys(rec.resources)) this.mapSetOp(this.runningByResource, name, id, add);
    }
    if (status === "BATCH_RUNNING" && rec.batchId !== null) {
      this.mapSetOp(this.batchMembers, rec.batchId, rec, add);
    }
  }
}

function toggleReady(queue: ReadyQueue, rec: StepRecord, add: boolean): void {
  if (add) queue.add(rec);
  else queue.delete(rec);
}
