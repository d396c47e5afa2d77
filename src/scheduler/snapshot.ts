/**
 * A JSON-safe copy of every step and worker record (for luigid's persistence) and its inverse, which
 * rebuilds every index, counter and timer from the records alone. The pause flag and runtime resource
 * changes are not part of the state, as in Luigi (SPEC 2.9).
 *
 * Fields added since version 1 are optional, and absent means what a scheduler without them had
 * (`dynamicDeps`, a worker's `families`, `triggers`, `stepLogs`, a step's `runEnded`, `runOutcome`,
 * `runWorker`), so older snapshots load as they are; a luigid that
 * predates a field reads a newer snapshot, dropping only that field, rather than refusing all of it.
 */
import {
  STEP_STATUSES,
  TRIGGER_STATUSES,
  type FamilySpec,
  type Resources,
  type RpcMessage,
  type StepStatus,
} from "./api.js";
import type { Core } from "./core.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { Batcher, SchedulerState } from "./state.js";
import { copyOrEmpty, EMPTY_DEPS, EMPTY_LIST, isBlocking, StepRecord, type Params } from "./step-record.js";
import type { StepLogSnapshot } from "./step-logs.js";
import type { TriggerQueue, TriggerRecord } from "./trigger-queue.js";
import { familySpecsFrom } from "./triggers.js";
import { WorkerRecord } from "./worker-record.js";

export const SNAPSHOT_FORMAT = "luigi-ts/scheduler-state";
export const SNAPSHOT_VERSION = 1;

export interface StepSnapshot {
  id: string;
  status: StepStatus;
  seq: number;
  deps: string[];
  /** The subset of deps that came from the step's run (new_deps); absent in older snapshots. */
  dynamicDeps?: string[];
  stakeholders: string[];
  workers: string[];
  time: number;
  updated: number;
  workerRunning: string | null;
  timeRunning: number | null;
  /** How the latest run ended (see StepRecord.runEnded); absent in older snapshots: not known. */
  runEnded?: number | null;
  runOutcome?: StepStatus | null;
  runWorker?: string | null;
  resourcesRunning: Resources | null;
  priority: number;
  resources: Resources;
  family: string;
  module: string | null;
  params: Params;
  paramVisibilities: Record<string, number>;
  retry: number | null;
  remove: number | null;
  failures: number[];
  firstFailureTime: number | null;
  schedulerDisableTime: number | null;
  retryPolicy: { retryCount: number; disableHardTimeout: number; disableWindow: number };
  expl: string | null;
  trackingUrl: string | null;
  statusMessage: string | null;
  progressPercentage: number | null;
  acceptsMessages: boolean;
  foundComplete: boolean;
  messageResponses: [string, unknown][];
  runnable: boolean;
  batchable: boolean;
  batchId: string | null;
}

export interface WorkerSnapshot {
  id: string;
  reference: { host: string | null } | null;
  lastActive: number;
  lastGetWork: number | null;
  started: number;
  info: Record<string, unknown>;
  disabled: boolean;
  rpcMessages: RpcMessage[];
  /** What an assistant announced it can run (absent: nothing). */
  families?: FamilySpec[];
}

/** A TriggerRecord as JSON. */
export type TriggerSnapshot = { -readonly [K in keyof TriggerRecord]: TriggerRecord[K] };

export interface StateSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  nextSeq: number;
  steps: StepSnapshot[];
  workers: WorkerSnapshot[];
  /** `maxBatchSize` null stands for Infinity, which JSON cannot carry. */
  batchers: { worker: string; family: string; batchedArgs: string[]; maxBatchSize: number | null }[];
  /** The triggered runs held, oldest first, and the next trigger id (absent: none ever). */
  triggers?: { nextId: number; records: TriggerSnapshot[] };
  /** The steps' latest captured logs, least recently written first (absent: none). */
  stepLogs?: StepLogSnapshot[];
}

export function exportState(state: SchedulerState): StateSnapshot {
  const steps: StepSnapshot[] = [];
  for (const rec of state.steps.values()) {
    steps.push({
      id: rec.id,
      status: rec.status,
      seq: rec.seq,
      deps: [...rec.deps],
      dynamicDeps: rec.dynamicDeps ? [...rec.dynamicDeps] : [],
      stakeholders: [...rec.stakeholders],
      workers: [...rec.workers],
      time: rec.time,
      updated: rec.updated,
      workerRunning: rec.workerRunning,
      timeRunning: rec.timeRunning,
      runEnded: rec.runEnded,
      runOutcome: rec.runOutcome,
      runWorker: rec.runWorker,
      resourcesRunning: rec.resourcesRunning ? { ...rec.resourcesRunning } : null,
      priority: rec.priority,
      resources: { ...rec.resources },
      family: rec.family,
      module: rec.module,
      params: copyJson(rec.params),
      paramVisibilities: { ...rec.paramVisibilities },
      retry: rec.retry,
      remove: rec.remove,
      failures: [...(rec.failures ?? [])],
      firstFailureTime: rec.firstFailureTime,
      schedulerDisableTime: rec.schedulerDisableTime,
      retryPolicy: { ...rec.retryPolicy },
      expl: rec.expl,
      trackingUrl: rec.trackingUrl,
      statusMessage: rec.statusMessage,
      progressPercentage: rec.progressPercentage,
      acceptsMessages: rec.acceptsMessages,
      foundComplete: rec.foundComplete,
      messageResponses: rec.messageResponses ? [...rec.messageResponses] : [],
      runnable: rec.runnable,
      batchable: rec.batchable,
      batchId: rec.batchId,
    });
  }
  const workers: WorkerSnapshot[] = [...state.workers.values()].map((w) => ({
    id: w.id,
    reference: w.reference ? { ...w.reference } : null,
    lastActive: w.lastActive,
    lastGetWork: w.lastGetWork,
    started: w.started,
    info: structuredClone(w.info),
    disabled: w.disabled,
    rpcMessages: structuredClone(w.rpcMessages),
    ...(w.families ? { families: structuredClone([...w.families.values()]) } : {}),
  }));
  const batchers: StateSnapshot["batchers"] = [];
  for (const [worker, families] of state.batchers) {
    for (const [family, b] of families) {
      batchers.push({
        worker,
        family,
        batchedArgs: [...b.batchedArgs],
        maxBatchSize: Number.isFinite(b.maxBatchSize) ? b.maxBatchSize : null,
      });
    }
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    nextSeq: state.nextSeq,
    steps,
    workers,
    batchers,
    triggers: exportTriggers(state.triggers),
    ...(state.logs.size > 0 ? { stepLogs: state.logs.export() } : {}),
  };
}

function exportTriggers(queue: TriggerQueue): NonNullable<StateSnapshot["triggers"]> {
  return { nextId: queue.nextId, records: [...queue.records.values()].map((r) => structuredClone(r)) };
}

function restoreTriggers(queue: TriggerQueue, snap: StateSnapshot["triggers"]): void {
  if (!snap) return;
  const statuses = new Set<string>(TRIGGER_STATUSES);
  for (const r of snap.records ?? []) {
    if (!statuses.has(r.status)) throw new TypeError(`snapshot trigger ${r.id}: unknown status ${r.status}`);
    queue.add(structuredClone(r));
  }
  queue.nextId = Math.max(queue.nextId, snap.nextId ?? 1);
}

/** Fills an empty state from a snapshot. Stakeholders and workers that name no known worker are dropped. */
export function restoreState(core: Core, input: unknown, defaultPolicy: RetryPolicy): void {
  // `steps` may be any iterable (a lazily unpacked snapshot); it is read once.
  const snap = input as (Partial<Omit<StateSnapshot, "steps">> & { steps?: Iterable<StepSnapshot> }) | null;
  if (!snap || snap.format !== SNAPSHOT_FORMAT || snap.version !== SNAPSHOT_VERSION) {
    throw new TypeError(`not a ${SNAPSHOT_FORMAT} v${SNAPSHOT_VERSION} snapshot`);
  }
  const { state, options } = core;
  if (state.steps.size > 0 || state.workers.size > 0) throw new Error("restoreState needs an empty state");
  const statuses = new Set<string>(STEP_STATUSES);

  for (const ws of snap.workers ?? []) {
    const w = new WorkerRecord(ws.id, ws.lastActive, ws.started);
    w.reference = ws.reference ? { ...ws.reference } : null;
    w.lastGetWork = ws.lastGetWork;
    w.info = structuredClone(ws.info ?? {});
    w.disabled = ws.disabled;
    w.rpcMessages = structuredClone(ws.rpcMessages ?? []);
    w.families = ws.families ? familySpecsFrom(ws.families) : null;
    state.workers.set(w.id, w);
    state.armWorker(w);
    if (w.assistant) state.assistants.add(w.id);
  }

  let maxSeq = -1;
  for (const ss of snap.steps ?? []) {
    if (!statuses.has(ss.status)) throw new TypeError(`snapshot step ${ss.id}: unknown status ${ss.status}`);
    const rec = new StepRecord(
      ss.id,
      ss.status,
      ss.time,
      ss.seq,
      ss.priority,
      samePolicy(ss.retryPolicy, defaultPolicy),
    );
    rec.deps = ss.deps.length > 0 ? new Set(ss.deps) : EMPTY_DEPS;
    rec.dynamicDeps = ss.dynamicDeps && ss.dynamicDeps.length > 0 ? new Set(ss.dynamicDeps) : null;
    rec.stakeholders = knownWorkers(state, ss.stakeholders);
    rec.workers = knownWorkers(state, ss.workers);
    rec.updated = ss.updated;
    rec.workerRunning = ss.workerRunning;
    rec.timeRunning = ss.timeRunning;
    rec.runEnded = ss.runEnded ?? null;
    rec.runOutcome = ss.runOutcome != null && statuses.has(ss.runOutcome) ? ss.runOutcome : null;
    rec.runWorker = ss.runWorker ?? null;
    rec.resourcesRunning = ss.resourcesRunning ? copyOrEmpty(ss.resourcesRunning) : null;
    rec.resources = copyOrEmpty(ss.resources);
    rec.family = ss.family;
    rec.module = ss.module;
    rec.params = copyOrEmpty(copyJson(ss.params));
    rec.paramVisibilities = copyOrEmpty(ss.paramVisibilities);
    rec.retry = ss.retry;
    rec.remove = ss.remove;
    rec.failures = ss.failures.length > 0 ? [...ss.failures] : null;
    rec.firstFailureTime = ss.firstFailureTime;
    rec.schedulerDisableTime = ss.schedulerDisableTime;
    rec.expl = ss.expl;
    rec.trackingUrl = ss.trackingUrl;
    rec.statusMessage = ss.statusMessage;
    rec.progressPercentage = ss.progressPercentage;
    rec.acceptsMessages = ss.acceptsMessages;
    rec.foundComplete = ss.foundComplete ?? false;
    rec.messageResponses = ss.messageResponses.length > 0 ? new Map(ss.messageResponses) : null;
    rec.runnable = ss.runnable;
    rec.batchable = ss.batchable;
    rec.batchId = ss.batchId;
    state.steps.set(rec.id, rec);
    maxSeq = Math.max(maxSeq, rec.seq);
  }
  state.nextSeq = Math.max(snap.nextSeq ?? 0, maxSeq + 1);

  // Edges and unmet counters.
  for (const rec of state.steps.values()) {
    for (const d of rec.deps) {
      if (d === rec.id) {
        rec.unmetDeps++;
        continue;
      }
      state.dependents.add(d, rec.id);
      if (state.steps.get(d)?.status !== "DONE") rec.unmetDeps++;
    }
  }
  // Blocked counters: spread from every DISABLED step; a PENDING step starts blocking once, on its first
  // blocked dep, so each edge is followed at most once.
  const work = [...state.steps.values()].filter((r) => r.status === "DISABLED");
  for (let b = work.pop(); b !== undefined; b = work.pop()) {
    for (const tid of state.dependents.get(b.id)) {
      const t = state.steps.get(tid) as StepRecord;
      const was = isBlocking(t);
      t.blockedDeps++;
      if (!was && isBlocking(t)) work.push(t);
    }
  }

  for (const rec of state.steps.values()) {
    for (const w of rec.stakeholders) state.idx.worker(w).stakeOf.add(rec.id);
    state.idx.count(rec);
    // Only steps nobody holds can become orphans (prune drops the others from the candidates anyway).
    if (rec.stakeholders.length === 0) state.orphanCandidates.add(rec);
    if (rec.status === "FAILED" && rec.retry !== null && options.retryDelay >= 0)
      state.retryTimers.push(rec.retry, rec);
    if (rec.remove !== null) state.removeTimers.push(rec.remove, rec);
    if (rec.status === "DISABLED" && rec.schedulerDisableTime !== null) {
      state.disableTimers.push(rec.schedulerDisableTime + options.disablePersist, rec);
    }
  }

  restoreTriggers(state.triggers, snap.triggers);
  if (Array.isArray(snap.stepLogs)) state.logs.restore(snap.stepLogs, (id) => state.steps.has(id));

  for (const b of snap.batchers ?? []) {
    let families = state.batchers.get(b.worker);
    if (!families) state.batchers.set(b.worker, (families = new Map<string, Batcher>()));
    families.set(b.family, {
      batchedArgs: [...b.batchedArgs],
      maxBatchSize: b.maxBatchSize ?? Number.POSITIVE_INFINITY,
    });
  }
}

function knownWorkers(state: SchedulerState, ids: readonly string[]): readonly string[] {
  const known = ids.filter((w) => state.workers.has(w));
  return known.length === 0 ? EMPTY_LIST : known.slice();
}

function samePolicy(p: StepSnapshot["retryPolicy"], defaults: RetryPolicy): RetryPolicy {
  if (
    p.retryCount === defaults.retryCount &&
    p.disableHardTimeout === defaults.disableHardTimeout &&
    p.disableWindow === defaults.disableWindow
  ) {
    return defaults;
  }
  return Object.freeze({ ...p });
}

/**
 * A deep copy of JSON data (parameter values: strings, or lists of them). structuredClone does the same
 * for any value but costs microseconds per call, and a snapshot of 100k steps makes 100k calls.
 */
function copyJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out as T;
}
