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
      this.eligible.size === 0 && this.stakeOf.size === 0 && this.runs.size === 0 && this.runningEligible.size === 0
    );
  }
}

export class Indexes {
  readonly byStatus = new Map<StepStatus, Set<string>>(STEP_STATUSES.map((s) => [s, new Set<string>()]));
  readonly byFamily = new Map<string, Set<string>>();
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

  private apply(rec: StepRecord, sign: 1 | -1): void {
    const add = sign > 0;
    const id = rec.id;
    const status = rec.status;
    toggle(this.byStatus.get(status) as Set<string>, id, add);
    if (rec.family) toggleIn(this.byFamily, rec.family, id, add);

    const ready = isReady(rec);
    const pendingCounted = status === "FAILED" || (status === "PENDING" && rec.blockedDeps === 0);
    const running = status === "RUNNING";
    const n = rec.workers.size;
    let i = 0;
    for (const w of rec.workers) {
      const wi = this.worker(w);
      toggle(wi.eligible, id, add);
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
      if (running) toggle(wi.runningEligible, id, add);
      i++;
    }
    if (ready) {
      if (rec.runnable) toggleReady(this.runnableReady, rec, add);
      if (hasAny(rec.resources)) toggleReady(this.resourceReady, rec, add);
    }

    if ((running || status === "BATCH_RUNNING") && rec.workerRunning !== null) {
      toggle(this.worker(rec.workerRunning).runs, id, add);
      if (add && !rec.stakeholders.has(rec.workerRunning)) this.runnerSuspects.add(rec);
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
      for (const name of Object.keys(rec.resources)) toggleIn(this.runningByResource, name, id, add);
    }
    if (status === "BATCH_RUNNING" && rec.batchId !== null) {
      let members = this.batchMembers.get(rec.batchId);
      if (add) {
        if (!members) this.batchMembers.set(rec.batchId, (members = new Set()));
        members.add(rec);
      } else if (members) {
        members.delete(rec);
        if (members.size === 0) this.batchMembers.delete(rec.batchId);
      }
    }
  }
}

function toggle(set: Set<string>, id: string, add: boolean): void {
  if (add) set.add(id);
  else set.delete(id);
}

function toggleReady(queue: ReadyQueue, rec: StepRecord, add: boolean): void {
  if (add) queue.add(rec);
  else queue.delete(rec);
}

function toggleIn(map: Map<string, Set<string>>, key: string, id: string, add: boolean): void {
  let set = map.get(key);
  if (add) {
    if (!set) map.set(key, (set = new Set()));
    set.add(id);
  } else if (set) {
    set.delete(id);
    if (set.size === 0) map.delete(key);
  }
}
