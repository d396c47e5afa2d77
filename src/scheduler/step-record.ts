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

export class StepRecord implements FailureLog {
  deps = new Set<string>();
  /** Workers that keep the record alive while at least one of them is. */
  stakeholders = new Set<string>();
  /** Workers that may run it, in declaration order: the last one is "last scheduled by". */
  workers = new Set<string>();
  updated: number;
  workerRunning: string | null = null;
  timeRunning: number | null = null;
  resourcesRunning: Resources | null = null;
  resources: Resources = {};
  family = "";
  module: string | null = null;
  params: Params = {};
  paramVisibilities: Record<string, number> = {};
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
