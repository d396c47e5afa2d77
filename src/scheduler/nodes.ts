/** The JSON shapes of SPEC 3.2 built from records, with Luigi's key names and optional keys. */
import type { StepNode, StepStatus, WorkerNode } from "./api.js";
import type { SchedulerState } from "./state.js";
import { displayName, publicParams, type StepRecord } from "./step-record.js";
import type { WorkerRecord } from "./worker-record.js";

export interface NodeOptions {
  /** Include `deps`: the record's deps when `deps` is not given. */
  includeDeps?: boolean;
  deps?: Iterable<string>;
  sendMessages: boolean;
}

export function stepNode(rec: StepRecord, opts: NodeOptions): StepNode {
  const node: StepNode = {
    display_name: displayName(rec),
    status: rec.status,
    workers: [...rec.workers],
    worker_running: rec.workerRunning,
    time_running: rec.timeRunning,
    start_time: rec.time,
    last_updated: rec.updated,
    params: publicParams(rec),
    name: rec.family,
    priority: rec.priority,
    resources: { ...rec.resources },
    resources_running: rec.resourcesRunning ? { ...rec.resourcesRunning } : null,
    tracking_url: rec.trackingUrl,
    status_message: rec.statusMessage,
    progress_percentage: rec.progressPercentage,
  };
  if (rec.status === "DISABLED") node.re_enable_able = rec.schedulerDisableTime !== null;
  if (opts.includeDeps ?? true) node.deps = [...(opts.deps ?? rec.deps)];
  if (opts.sendMessages && rec.status === "RUNNING") node.accepts_messages = rec.acceptsMessages;
  return node;
}

const FAMILY_RE = /^([^(_]+)[(_]/;

/**
 * A dependency the scheduler knows nothing about (no record, or a placeholder without family). Luigi's
 * placeholder has only these keys, hence the cast to the node type.
 */
export function placeholderNode(id: string): StepNode {
  const match = FAMILY_RE.exec(id);
  const status: StepStatus = "UNKNOWN";
  return {
    deps: [] as string[],
    status,
    workers: [],
    start_time: "UNKNOWN",
    params: { task_id: id },
    name: match?.[1] ?? "UNKNOWN",
    display_name: id,
    priority: 0,
  } as unknown as StepNode;
}

export function workerNode(state: SchedulerState, w: WorkerRecord): WorkerNode {
  const firstTask = w.info["first_task"];
  const firstId = typeof firstTask === "string" ? firstTask : "";
  const first = state.steps.get(firstId);
  return {
    ...w.info,
    name: w.id,
    last_active: w.lastActive,
    started: w.started,
    state: w.state,
    first_task_display_name: first ? displayName(first) : firstId,
    num_unread_rpc_messages: w.rpcMessages.length,
  };
}
