/**
 * The scheduler's data and the consistency layer over it: records, reverse edges, indexes, timers and
 * per-worker back-references. Nothing here decides *what* should happen (that is transitions.ts and
 * scheduler.ts); it only guarantees that whatever happens keeps every index exact.
 */
import type { StepStatus } from "./api.js";
import { ReverseEdges } from "./edges.js";
import { Indexes } from "./indexes.js";
import type { RetryPolicy } from "./retry-policy.js";
import { EMPTY_DEPS, isBlocking, StepRecord, withItem, withoutItem } from "./step-record.js";
import { StepLogs } from "./step-logs.js";
import { TimerHeap } from "./timers.js";
import { TriggerQueue } from "./trigger-queue.js";
import { WorkerRecord } from "./worker-record.js";

export interface Batcher {
  batchedArgs: string[];
  maxBatchSize: number;
}

export class SchedulerState {
  readonly steps = new Map<string, StepRecord>();
  readonly workers = new Map<string, WorkerRecord>();
  readonly idx = new Indexes();
  readonly dependents = new ReverseEdges();
  /** Ids of live workers whose info says `assistant`. */
  readonly assistants = new Set<string>();
  /** FAILED steps by `retry`. */
  readonly retryTimers = new TimerHeap<StepRecord>();
  /** Steps by `remove`. */
  readonly removeTimers = new TimerHeap<StepRecord>();
  /** Scheduler-disabled steps by `scheduler_disable_time + disable_persist`. */
  readonly disableTimers = new TimerHeap<StepRecord>();
  /** Workers by `last_active + worker_disconnect_delay` (re-armed lazily when they were active since). */
  readonly workerTimers = new TimerHeap<WorkerRecord>();
  /** Steps that may lack stakeholders and a removal deadline; prune validates them lazily. */
  readonly orphanCandidates = new Set<StepRecord>();
  /** worker id -> family -> batcher (add_task_batcher). */
  readonly batchers = new Map<string, Map<string, Batcher>>();
  /** Runs asked for with trigger_step (triggers.ts). */
  readonly triggers = new TriggerQueue();
  /** The steps' latest captured logs (step-logs.ts); a log goes with its step. */
  readonly logs = new StepLogs();
  nextSeq = 0;
  /** The time of the operation in progress (epoch seconds), set by the scheduler on every entry. */
  now = 0;

  constructor(readonly workerDisconnectDelay: number) {}

  /** Whether `worker` was heard from within worker_disconnect_delay of `now` (not yet counted gone). */
  isLive(worker: WorkerRecord, now: number): boolean {
    return now - worker.lastActive < this.workerDisconnectDelay;
  }

  // ---- steps ----

  /**
   * The one way to mutate an indexed field of a step: take the record out of every index, mutate, put it
   * back, then tell its dependants if it became or stopped being DONE or blocking. `mutate` must only
   * touch `rec` itself.
   */
  change(rec: StepRecord, mutate: () => void): void {
    const wasDone = rec.status === "DONE";
    const wasBlocking = isBlocking(rec);
    this.idx.beginChange(rec);
    mutate();
    this.idx.endChange(rec);
    this.propagate(rec.id, wasDone, wasBlocking, rec.status === "DONE", isBlocking(rec));
  }

  /**
   * Adjusts the dependants' unmet/blocked counters after `id` flipped. Blocking flips cascade to further
   * dependants, so this runs as a work list rather than recursively (deep chains must not overflow).
   */
  private propagate(
    id: string,
    wasDone: boolean,
    wasBlocking: boolean,
    nowDone: boolean,
    nowBlocking: boolean,
  ): void {
    if (wasDone === nowDone && wasBlocking === nowBlocking) return;
    const work: [string, number, number][] = [
      [
        id,
        wasDone === nowDone ? 0 : nowDone ? -1 : 1,
        wasBlocking === nowBlocking ? 0 : nowBlocking ? 1 : -1,
      ],
    ];
    for (let item = work.pop(); item !== undefined; item = work.pop()) {
      const [depId, dUnmet, dBlocked] = item;
      for (const tid of this.dependents.get(depId)) {
        const t = this.steps.get(tid);
        if (!t) continue;
        const tWasBlocking = isBlocking(t);
        this.idx.beginChange(t);
        t.unmetDeps += dUnmet;
        t.blockedDeps += dBlocked;
        this.idx.endChange(t);
        const tNowBlocking = isBlocking(t);
        if (tWasBlocking !== tNowBlocking) work.push([tid, 0, tNowBlocking ? 1 : -1]);
      }
    }
  }

  createStep(id: string, status: StepStatus, priority: number, policy: RetryPolicy): StepRecord {
    const rec = new StepRecord(id, status, this.now, this.nextSeq++, priority, policy);
    this.steps.set(id, rec);
    this.idx.count(rec);
    this.orphanCandidates.add(rec);
    // Dependants that already named this id counted it as missing: unmet and not blocking.
    this.propagate(id, false, false, rec.status === "DONE", isBlocking(rec));
    return rec;
  }

  deleteStep(rec: StepRecord): void {
    const wasDone = rec.status === "DONE";
    const wasBlocking = isBlocking(rec);
    this.idx.uncount(rec);
    for (const dep of rec.deps) if (dep !== rec.id) this.dependents.delete(dep, rec.id);
    for (const w of rec.stakeholders) {
      this.idx.perWorker.get(w)?.stakeOf.delete(rec.id);
      if (!this.workers.has(w)) this.idx.forgetWorker(w);
    }
    this.steps.delete(rec.id);
    this.logs.drop(rec.id);
    this.orphanCandidates.delete(rec);
    this.idx.runnerSuspects.delete(rec);
    this.propagate(rec.id, wasDone, wasBlocking, false, false);
  }

  /**
   * Replaces the static deps (add_task `deps`); the dynamic ones stay (see StepRecord.dynamicDeps). A
   * no-op when that gives the same set.
   */
  replaceDeps(rec: StepRecord, deps: Iterable<string>): void {
    const next = new Set(deps);
    if (rec.dynamicDeps) for (const d of rec.dynamicDeps) next.add(d);
    let same = next.size === rec.deps.size;
    if (same) for (const d of next) if (!rec.deps.has(d)) same = false;
    if (same) return;
    this.change(rec, () => {
      for (const d of [...rec.deps]) if (!next.has(d)) this.unlinkDep(rec, d);
      for (const d of next) if (!rec.deps.has(d)) this.linkDep(rec, d);
    });
  }

  /** Adds dynamic deps (add_task `new_deps`). */
  addDeps(rec: StepRecord, deps: Iterable<string>): void {
    const dynamic = (rec.dynamicDeps ??= new Set());
    for (const d of deps) dynamic.add(d);
    const fresh = [...dynamic].filter((d) => !rec.deps.has(d));
    if (fresh.length === 0) return;
    this.change(rec, () => {
      for (const d of fresh) this.linkDep(rec, d);
    });
  }

  // A self-dependency can never be met (the step is not DONE while it waits), so it counts as one
  // permanent unmet dep and gets no reverse edge, which keeps the counters out of a feedback loop.
  private linkDep(rec: StepRecord, d: string): void {
    if (rec.deps === EMPTY_DEPS) rec.deps = new Set();
    rec.deps.add(d);
    if (d === rec.id) {
      rec.unmetDeps++;
      return;
    }
    this.dependents.add(d, rec.id);
    const dep = this.steps.get(d);
    if (!dep || dep.status !== "DONE") rec.unmetDeps++;
    if (dep && isBlocking(dep)) rec.blockedDeps++;
  }

  private unlinkDep(rec: StepRecord, d: string): void {
    rec.deps.delete(d);
    if (d === rec.id) {
      rec.unmetDeps--;
      return;
    }
    this.dependents.delete(d, rec.id);
    const dep = this.steps.get(d);
    if (!dep || dep.status !== "DONE") rec.unmetDeps--;
    if (dep && isBlocking(dep)) rec.blockedDeps--;
  }

  addStakeholder(rec: StepRecord, worker: string): void {
    if (rec.stakeholders.includes(worker)) return;
    rec.stakeholders = withItem(rec.stakeholders, worker);
    this.idx.worker(worker).stakeOf.add(rec.id);
  }

  // ---- workers ----

  /** Luigi's `get_worker`: any RPC naming a worker creates its record. */
  getWorker(id: string): WorkerRecord {
    let w = this.workers.get(id);
    if (!w) {
      w = new WorkerRecord(id, this.now);
      this.workers.set(id, w);
      this.armWorker(w);
    }
    return w;
  }

  armWorker(w: WorkerRecord): void {
    w.timerAt = w.lastActive + this.workerDisconnectDelay;
    this.workerTimers.push(w.timerAt, w);
  }

  /** Marks the worker alive; the liveness heap is re-armed only when its old entry surfaces. */
  touchWorker(id: string, reference?: { host: string | null }, getWork = false): WorkerRecord {
    const w = this.getWorker(id);
    if (reference) w.reference = reference;
    w.lastActive = this.now;
    if (getWork) w.lastGetWork = this.now;
    return w;
  }

  setWorkerInfo(w: WorkerRecord, info: Record<string, unknown>): void {
    Object.assign(w.info, info);
    if (this.workers.get(w.id) !== w) return;
    if (w.assistant) this.assistants.add(w.id);
    else this.assistants.delete(w.id);
  }

  /** Workers silent for longer than worker_disconnect_delay, in O(expired · log W). */
  expiredWorkers(): WorkerRecord[] {
    const expired: WorkerRecord[] = [];
    const now = this.now;
    for (let at = this.workerTimers.peekAt(); at !== undefined && at < now; at = this.workerTimers.peekAt()) {
      const w = this.workerTimers.peek() as WorkerRecord;
      this.workerTimers.pop();
      if (this.workers.get(w.id) !== w || w.timerAt !== at) continue;
      if (w.lastActive + this.workerDisconnectDelay < now) expired.push(w);
      else this.armWorker(w);
    }
    return expired;
  }

  /**
   * Forgets a worker and strips it from the steps it was a stakeholder of or eligible for, in O(its steps).
   * Its running steps are only flagged here: failing them is a status rule, applied by prune.
   */
  removeWorker(w: WorkerRecord): void {
    this.workers.delete(w.id);
    this.assistants.delete(w.id);
    this.triggers.workerGone(w.id, this.now);
    const wi = this.idx.perWorker.get(w.id);
    if (!wi) return;
    for (const id of wi.stakeOf) {
      const rec = this.steps.get(id);
      if (!rec) continue;
      rec.stakeholders = withoutItem(rec.stakeholders, w.id);
      if (rec.stakeholders.length === 0) this.orphanCandidates.add(rec);
    }
    wi.stakeOf.clear();
    this.dropEligibility(w.id);
    for (const id of wi.runs) {
      const rec = this.steps.get(id);
      if (rec) this.idx.runnerSuspects.add(rec);
    }
  }

  /** Removes the worker from every step's `workers` (disable_worker, and removal). */
  dropEligibility(workerId: string): void {
    const wi = this.idx.perWorker.get(workerId);
    if (!wi) return;
    for (const id of [...wi.eligible]) {
      const rec = this.steps.get(id);
      if (rec) this.change(rec, () => (rec.workers = withoutItem(rec.workers, workerId)));
    }
  }
}
