/**
 * The scheduler's record of one step (SPEC 2.1). Fields that feed an index (status, priority, workers,
 * runnable, resources, family, deps counters, batch id, worker_running) must only be changed inside
 * `SchedulerState.change()`, which takes the record out of every index first and puts it back after.
 */
import type { Resources, StepStatus } from "./api.js";
import type { FailureLog, RetryPolicy } from "./retry-policy.js";

export type Params = Record<string, string | string[]>;

/** Luigi's ParameterVisibility: PUBLIC 0, HIDDEN 1, PRIVATE 2 (private ones are never sent). */
export const VISIBILITY_PUBLIC = 0;
export const VISIBILITY_HIDDEN = 1;

/**
 * Shared empty values: most steps have no deps, resources or params, and these are always replaced,
 * never mutated, so one frozen instance serves every record (a `{}` costs ~56 bytes, a Set ~150).
 */
export const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});

class SharedEmptySet extends Set<string> {
  override add(): this {
    throw new Error("the shared empty deps set is read-only");
  }
}
export const EMPTY_DEPS: Set<string> = new SharedEmptySet();
export const EMPTY_LIST: readonly string[] = Object.freeze([]);

export class StepRecord implements FailureLog {
  /** Ids it depends on; EMPTY_DEPS until the first one (see SchedulerState.linkDep). */
  deps: Set<string> = EMPTY_DEPS;
  /**
   * The deps its run yielded (add_task `new_deps`), kept apart: a scheduling walk re-registering the step
   * names only its static requirements, and must not drop these (the step would be handed out before
   * they are done). They stay in `deps` until the step is redone after being DONE. null when none.
   */
  dynamicDeps: Set<string> | null = null;
  /**
   * Workers that keep the record alive while at least one of them is. Usually 1-3 ids, so an exact-size
   * array replaced on change (see withItem) rather than a Set: a Set, or an array grown by push, costs
   * ~150 bytes even for one id.
   */
  stakeholders: readonly string[] = EMPTY_LIST;
  /** Workers that may run it, in declaration order: the last one is "last scheduled by". */
  workers: readonly string[] = EMPTY_LIST;
  updated: number;
  workerRunning: string | null = null;
  /** When the latest run was handed out (kept after it ends: with runEnded, the run timeline's bar). */
  timeRunning: number | null = null;
  /**
   * How the latest run ended, for the run timeline (`step_timeline`): when it left RUNNING or
   * BATCH_RUNNING, into what (DONE, FAILED, DISABLED, or PENDING when it yielded dependencies or its
   * batch was reset) and who ran it (`workerRunning` is cleared when the runner went away). Null while it
   * runs and before its first run. A failure the scheduler turned into a disable ended as FAILED.
   */
  runEnded: number | null = null;
  runOutcome: StepStatus | null = null;
  runWorker: string | null = null;
  resourcesRunning: Resources | null = null;
  resources: Resources = EMPTY_OBJECT;
  family = "";
  module: string | null = null;
  params: Params = EMPTY_OBJECT;
  paramVisibilities: Record<string, number> = EMPTY_OBJECT;
  retry: number | null = null;
  remove: number | null = null;
  failures: number[] | null = null;
  firstFailureTime: number | null = null;
  schedulerDisableTime: number | null = null;
  expl: string | null = null;
  trackingUrl: string | null = null;
  statusMessage: string | null = null;
  progressPercentage: number | null = null;
  acceptsMessages = false;
  /**
   * Another worker found the outputs complete while this step was running (its DONE claim was refused by
   * the running guard). If the runner then disappears, the step is DONE rather than FAILED: a worker
   * killed after run() but before reporting must not leave a complete step pending with no worker that
   * would run it (luigi-ts; Luigi fails it and the run waits for ever).
   */
  foundComplete = false;
  /** Replies of the step to scheduler messages, by message id; allocated on first use. */
  messageResponses: Map<string, unknown> | null = null;
  runnable = false;
  batchable = false;
  batchId: string | null = null;
  /** Deps that do not exist or are not DONE: the step is READY when PENDING and this is 0. */
  unmetDeps = 0;
  /** Deps that are DISABLED, or PENDING with a blocked dep themselves (Luigi's UPSTREAM_DISABLED). */
  blockedDeps = 0;

  constructor(
    readonly id: string,
    public status: StepStatus,
    /** Creation time: `start_time`, and the age tie-breaker of the rank. */
    readonly time: number,
    /** Creation order: the final tie-breaker, so that ranks are total. */
    readonly seq: number,
    public priority: number,
    public retryPolicy: RetryPolicy,
  ) {
    this.updated = time;
  }
}

/** The list with `item` appended unless present (an ordered set on a small exact-size array). */
export function withItem(list: readonly string[], item: string): readonly string[] {
  if (list.includes(item)) return list;
  // Spread would grow the copy by push (17 slots); concat allocates exactly.
  return list.length === 0 ? [item] : list.concat([item]);
}

export function withoutItem(list: readonly string[], item: string): readonly string[] {
  if (!list.includes(item)) return list;
  return list.length === 1 ? EMPTY_LIST : list.filter((x) => x !== item).slice();
}

/** A private copy, or the shared empty object when there is nothing to copy. */
export function copyOrEmpty<T>(obj: Readonly<Record<string, T>> | null | undefined): Record<string, T> {
  if (!obj) return EMPTY_OBJECT;
  for (const _ in obj) return { ...obj };
  return EMPTY_OBJECT;
}

export function isRunningStatus(status: StepStatus): boolean {
  return status === "RUNNING" || status === "BATCH_RUNNING";
}

export function isReady(rec: StepRecord): boolean {
  return rec.status === "PENDING" && rec.unmetDeps === 0;
}

/** Whether this step makes its PENDING dependents UPSTREAM_DISABLED. */
export function isBlocking(rec: StepRecord): boolean {
  return rec.status === "DISABLED" || (rec.status === "PENDING" && rec.blockedDeps > 0);
}

export function hasAny(resources: Resources | null | undefined): boolean {
  if (!resources) return false;
  for (const _ in resources) return true;
  return false;
}

export function publicParams(rec: StepRecord): Params {
  return paramsWithVisibility(rec, VISIBILITY_PUBLIC);
}

export function hiddenParams(rec: StepRecord): Params {
  return paramsWithVisibility(rec, VISIBILITY_HIDDEN);
}

function paramsWithVisibility(rec: StepRecord, visibility: number): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(rec.params)) {
    if ((rec.paramVisibilities[key] ?? VISIBILITY_PUBLIC) === visibility) {
      out[key] = Array.isArray(value) ? [...value] : value;
    }
  }
  return out;
}

/** Luigi's `pretty_id`: `Family(k=v, ...)` over the public params sorted by name. */
export function displayName(rec: StepRecord): string {
  const entries = Object.entries(publicParams(rec)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const body = entries.map(([key, value]) => `${key}=${pythonStr(value)}`).join(", ");
  return `${rec.family}(${body})`;
}

/** A batched parameter holds a list; Python prints it as `['a', 'b']`. */
function pythonStr(value: string | string[]): string {
  if (!Array.isArray(value)) return value;
  return `[${value.map((v) => `'${String(v).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`).join(", ")}]`;
}
