/**
 * One valid call of every SchedulerApi member, in an order that works against a fresh scheduler. Keyed
 * by member like the method table (src/scheduler/methods.ts): a new member without a sample call here
 * fails to compile, so the tests that walk every member cannot miss it.
 */
import type { SchedulerApi } from "../../src/scheduler/api.js";
import type { ArgsOf, SchedulerMethod } from "../../src/scheduler/methods.js";

export const W = "Worker(salt=1, workers=1, host=h, username=u, pid=1)";

export const SAMPLE_CALLS: { [K in SchedulerMethod]: ArgsOf<K> } = {
  addWorker: { worker: W, info: { host: "h", workers: 2 } },
  addTask: { worker: W, task_id: "A", family: "A", resources: { r: 1 } },
  addTasks: {
    worker: W,
    tasks: [
      { task_id: "B", family: "B", deps: ["A"] },
      { task_id: "C", family: "C" },
    ],
  },
  checkClaims: { worker: W, task_ids: ["A", "D"] },
  addTaskBatcher: { worker: W, task_family: "Batch", batched_args: ["day"], max_batch_size: 5 },
  getWork: { worker: W, host: "h" },
  getWorks: { worker: W, host: "h", max_tasks: 2, reports: [{ task_id: "C", status: "DONE" }] },
  countPending: { worker: W },
  ping: { worker: W },
  announceSchedulingFailure: {
    worker: W,
    task_name: "Broken()",
    family: "Broken",
    params: {},
    expl: "boom",
    owners: [],
  },
  setTaskStatusMessage: { task_id: "A", status_message: "half way" },
  getTaskStatusMessage: { task_id: "A" },
  setTaskProgressPercentage: { task_id: "A", progress_percentage: 50 },
  getTaskProgressPercentage: { task_id: "A" },
  decreaseRunningTaskResources: { task_id: "A", decrease_resources: { r: 1 } },
  getRunningTaskResources: { task_id: "A" },
  reportTaskStatistics: { task_id: "A", statistics: { rows: 3 } },
  addSchedulerMessageResponse: { task_id: "A", message_id: "m1", response: "ok" },
  taskList: { status: "RUNNING" },
  taskSearch: { task_str: "A" },
  graph: undefined,
  depGraph: { task_id: "B" },
  inverseDepGraph: { task_id: "A", include_done: false },
  workerList: { include_running: true },
  resourceList: undefined,
  fetchError: { task_id: "A" },
  reEnableTask: { task_id: "A" },
  forgiveFailures: { task_id: "A" },
  markAsDone: { task_id: "A" },
  disableWorker: { worker: "Worker(salt=2)" },
  setWorkerProcesses: { worker: W, n: 2 },
  sendSchedulerMessage: { worker: W, task: "A", content: "hello" },
  getSchedulerMessageResponse: { task_id: "A", message_id: "m1" },
  isPauseEnabled: undefined,
  isPaused: undefined,
  pause: undefined,
  unpause: undefined,
  updateResources: { r: 2 },
  updateResource: { resource: "r", amount: 3 },
  hasTaskHistory: undefined,
  prune: undefined,
  stepPage: { limit: 10 },
  stepGraph: { task_id: "B" },
  stepTimeline: { limit: 100 },
  triggerStep: { family: "A", params: { day: "2026-01-01" } },
  takeTrigger: { worker: W },
  reportTrigger: { worker: W, trigger_id: 1, status: "running", task_id: "A" },
  triggerList: { limit: 10 },
  addStepLogs: { worker: W, logs: [{ task_id: "A", attempt: 1, offset: 0, text: "hello\n", final: true }] },
  stepLog: { task_id: "A" },
};

/** The members in the order of SAMPLE_CALLS. */
export const SAMPLE_ORDER = Object.keys(SAMPLE_CALLS) as SchedulerMethod[];

/** Calls `member` of `api` with its sample arguments (as a caller would: no argument when it takes none). */
export function callSample(api: SchedulerApi, member: SchedulerMethod): Promise<unknown> {
  const args = SAMPLE_CALLS[member];
  const call = api as unknown as Record<SchedulerMethod, (args?: unknown) => Promise<unknown>>;
  return args === undefined ? call[member]() : call[member](args);
}
