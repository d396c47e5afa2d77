import type { StateSnapshot, StepSnapshot } from "../snapshot.js";

/**
 * A smaller on-disk form of the scheduler snapshot, so that a restart with 100k steps parses less:
 * worker ids (long `Worker(salt=..., host=...)` strings, repeated in every step) and retry policies are
 * stored once and referenced by index, and fields holding their usual empty value (null, false, [] or {},
 * whichever the field has when unset) are left out. `unpack(pack(s))` deep-equals `s`.
 *
 * Version 2 (written now) stores each step as a fixed tuple (see TUPLE) with statuses, families and
 * modules as indexes into tables: JSON.parse reads arrays of numbers much faster than 100k objects of
 * varying shapes, and the file is half the size. Version 1 (one object per step) is still read.
 */
export type PackedSnapshot = PackedSnapshotV1 | PackedSnapshotV2;

export interface PackedSnapshotV1 {
  packed: 1;
  workerIds: string[];
  policies: StepSnapshot["retryPolicy"][];
  steps: Record<string, unknown>[];
  rest: Omit<StateSnapshot, "steps">;
}

export interface PackedSnapshotV2 {
  packed: 2;
  workerIds: string[];
  policies: StepSnapshot["retryPolicy"][];
  statuses: string[];
  families: string[];
  /** Module names; a step's index -1 means null. */
  modules: string[];
  steps: unknown[][];
  rest: Omit<StateSnapshot, "steps">;
}

/**
 * The fields of a version-2 step tuple, in order; a last element holds every other field that is not at
 * its empty value (or 0 when there is none). An empty list or object is stored as 0.
 */
const TUPLE = [
  "id",
  "status",
  "seq",
  "time",
  "updated",
  "priority",
  "family",
  "retryPolicy",
  "stakeholders",
  "workers",
  "runnable",
  "module",
  "params",
  "paramVisibilities",
  "deps",
] as const;
const IN_TUPLE = new Set<string>(TUPLE);

const EMPTY: Omit<
  StepSnapshot,
  "id" | "status" | "seq" | "time" | "updated" | "priority" | "family" | "retryPolicy"
> = {
  deps: [],
  dynamicDeps: [],
  stakeholders: [],
  workers: [],
  workerRunning: null,
  timeRunning: null,
  runEnded: null,
  runOutcome: null,
  runWorker: null,
  resourcesRunning: null,
  resources: {},
  module: null,
  params: {},
  paramVisibilities: {},
  retry: null,
  remove: null,
  failures: [],
  firstFailureTime: null,
  schedulerDisableTime: null,
  expl: null,
  trackingUrl: null,
  statusMessage: null,
  progressPercentage: null,
  acceptsMessages: false,
  foundComplete: false,
  messageResponses: [],
  runnable: false,
  batchable: false,
  batchId: null,
};

/** True when `value` is the very empty value EMPTY holds for `key` (null is not {}, false is not null). */
function isDefault(key: keyof typeof EMPTY, value: unknown): boolean {
  const empty = EMPTY[key];
  if (empty === null || empty === false) return value === empty;
  if (Array.isArray(empty)) return Array.isArray(value) && value.length === 0;
  return (
    value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

/** The fields that go into a tuple's last element when they are not at their empty value. */
const EXTRA_KEYS = (Object.keys(EMPTY) as (keyof typeof EMPTY)[]).filter((key) => !IN_TUPLE.has(key));

/**
 * One pass, straight into tuples: an intermediate object per step with computed keys made every one a
 * slow dictionary object (pack took 345 ms for 100,000 steps, now about a tenth), and luigid is stopped
 * while it packs.
 */
export function pack(snapshot: StateSnapshot): PackedSnapshot {
  const workerIndex = new Map<string, number>();
  const wid = (id: string): number => {
    let i = workerIndex.get(id);
    if (i === undefined) workerIndex.set(id, (i = workerIndex.size));
    return i;
  };
  const policyIndex = new Map<string, number>();
  const policies: StepSnapshot["retryPolicy"][] = [];
  const statuses = new Table();
  const families = new Table();
  const modules = new Table();
  const tuples = snapshot.steps.map((step) => {
    const policy = step.retryPolicy;
    const key = `${policy.retryCount}|${policy.disableHardTimeout}|${policy.disableWindow}`;
    let p = policyIndex.get(key);
    if (p === undefined) {
      policyIndex.set(key, (p = policies.length));
      policies.push(policy);
    }
    const stakeholders = step.stakeholders.length > 0 ? step.stakeholders.map(wid) : 0;
    const workers = step.workers.length > 0 ? step.workers.map(wid) : 0;
    let extras: Record<string, unknown> | 0 = 0;
    for (const k of EXTRA_KEYS) {
      const value = step[k];
      if (isDefault(k, value)) continue;
      extras ||= {};
      extras[k] = k === "workerRunning" || k === "runWorker" ? wid(value as string) : value;
    }
    return [
      step.id,
      statuses.index(step.status),
      step.seq,
      step.time,
      step.updated,
      step.priority,
      families.index(step.family),
      p,
      stakeholders,
      workers,
      step.runnable === true ? 1 : 0,
      step.module === null ? -1 : modules.index(step.module),
      isDefault("params", step.params) ? 0 : step.params,
      isDefault("paramVisibilities", step.paramVisibilities) ? 0 : step.paramVisibilities,
      isDefault("deps", step.deps) ? 0 : step.deps,
      extras,
    ];
  });
  const { steps: _steps, ...rest } = snapshot;
  return {
    packed: 2,
    workerIds: [...workerIndex.keys()],
    policies,
    statuses: statuses.values,
    families: families.values,
    modules: modules.values,
    steps: tuples,
    rest,
  };
}

/** Distinct strings in first-seen order, each with its index. */
class Table {
  readonly values: string[] = [];
  private readonly indexes = new Map<string, number>();
  index(value: string): number {
    let i = this.indexes.get(value);
    if (i === undefined) {
      this.indexes.set(value, (i = this.values.length));
      this.values.push(value);
    }
    return i;
  }
}

/** A version-2 tuple back in the version-1 form (one object with the non-empty fields). */
function fromTuple(packed: PackedSnapshotV2, t: unknown[]): Record<string, unknown> {
  const extras = t[TUPLE.length];
  const o: Record<string, unknown> = extras ? { ...(extras as Record<string, unknown>) } : {};
  o.id = t[0];
  o.status = packed.statuses[t[1] as number];
  o.seq = t[2];
  o.time = t[3];
  o.updated = t[4];
  o.priority = t[5];
  o.family = packed.families[t[6] as number];
  o.retryPolicy = t[7];
  if (t[8]) o.stakeholders = t[8];
  if (t[9]) o.workers = t[9];
  if (t[10] === 1) o.runnable = true;
  if ((t[11] as number) >= 0) o.module = packed.modules[t[11] as number];
  if (t[12]) o.params = t[12];
  if (t[13]) o.paramVisibilities = t[13];
  if (t[14]) o.deps = t[14];
  return o;
}

/** The steps of either version in the version-1 form, one at a time. */
function* compactSteps(packed: PackedSnapshot): Generator<Record<string, unknown>> {
  if (packed.packed === 1) {
    yield* packed.steps;
    return;
  }
  if (packed.packed !== 2) {
    throw new TypeError(
      `unknown packed snapshot version ${JSON.stringify((packed as { packed: unknown }).packed)}`,
    );
  }
  for (const t of packed.steps) yield fromTuple(packed, t);
}

export function unpack(packed: PackedSnapshot): StateSnapshot {
  const name = workerNames(packed);
  return { ...packed.rest, steps: [...compactSteps(packed)].map((r) => unpackStep(packed, name, r)) };
}

/**
 * As unpack, but the steps are made one at a time as they are read: a restart then never holds every
 * step twice (and the garbage collector never copies 100k short-lived objects as if they were live).
 */
export function unpackLazily(
  packed: PackedSnapshot,
): Omit<StateSnapshot, "steps"> & { steps: Iterable<StepSnapshot> } {
  const name = workerNames(packed);
  function* steps(): Generator<StepSnapshot> {
    for (const r of compactSteps(packed)) yield unpackStep(packed, name, r);
  }
  return { ...packed.rest, steps: steps() };
}

function workerNames(packed: PackedSnapshot): (i: number) => string {
  const ids = packed.workerIds;
  return (i) => ids[i] ?? "";
}

function unpackStep(
  packed: PackedSnapshot,
  name: (i: number) => string,
  packedStep: Record<string, unknown>,
): StepSnapshot {
  // One literal with every field in a fixed order: V8 gives all steps one shape (an object spread over
  // EMPTY made each step a slow dictionary object, 30x slower for 100k steps).
  const r = packedStep as Partial<Record<keyof StepSnapshot, unknown>>;
  const e = EMPTY;
  return {
    id: r.id as string,
    status: r.status as StepSnapshot["status"],
    seq: r.seq as number,
    deps: (r.deps as string[] | undefined) ?? [],
    dynamicDeps: (r.dynamicDeps as string[] | undefined) ?? [],
    stakeholders: ((r.stakeholders as number[] | undefined) ?? []).map(name),
    workers: ((r.workers as number[] | undefined) ?? []).map(name),
    time: r.time as number,
    updated: r.updated as number,
    workerRunning: r.workerRunning === undefined ? null : name(r.workerRunning as number),
    timeRunning: (r.timeRunning as number | undefined) ?? e.timeRunning,
    runEnded: (r.runEnded as number | undefined) ?? null,
    runOutcome: (r.runOutcome as StepSnapshot["runOutcome"] | undefined) ?? null,
    runWorker: r.runWorker === undefined ? null : name(r.runWorker as number),
    resourcesRunning:
      (r.resourcesRunning as StepSnapshot["resourcesRunning"] | undefined) ?? e.resourcesRunning,
    priority: r.priority as number,
    resources: (r.resources as StepSnapshot["resources"] | undefined) ?? {},
    family: r.family as string,
    module: (r.module as string | undefined) ?? e.module,
    params: (r.params as StepSnapshot["params"] | undefined) ?? {},
    paramVisibilities: (r.paramVisibilities as StepSnapshot["paramVisibilities"] | undefined) ?? {},
    retry: (r.retry as number | undefined) ?? e.retry,
    remove: (r.remove as number | undefined) ?? e.remove,
    failures: (r.failures as number[] | undefined) ?? [],
    firstFailureTime: (r.firstFailureTime as number | undefined) ?? e.firstFailureTime,
    schedulerDisableTime: (r.schedulerDisableTime as number | undefined) ?? e.schedulerDisableTime,
    retryPolicy: packed.policies[r.retryPolicy as number] as StepSnapshot["retryPolicy"],
    expl: (r.expl as string | undefined) ?? e.expl,
    trackingUrl: (r.trackingUrl as string | undefined) ?? e.trackingUrl,
    statusMessage: (r.statusMessage as string | undefined) ?? e.statusMessage,
    progressPercentage: (r.progressPercentage as number | undefined) ?? e.progressPercentage,
    acceptsMessages: (r.acceptsMessages as boolean | undefined) ?? false,
    foundComplete: (r.foundComplete as boolean | undefined) ?? false,
    messageResponses: (r.messageResponses as StepSnapshot["messageResponses"] | undefined) ?? [],
    runnable: (r.runnable as boolean | undefined) ?? false,
    batchable: (r.batchable as boolean | undefined) ?? false,
    batchId: (r.batchId as string | undefined) ?? e.batchId,
  };
}
