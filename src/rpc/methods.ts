/**
 * Every RPC method of SPEC 3.3 by its Luigi name: the SchedulerApi member it calls, the JSON schema of its
 * keyword arguments (with Luigi's defaults) and whether it changes scheduler state.
 *
 * Luigi's Python client sends every declared argument, defaults included, so the schemas list them all.
 * Methods that take `**kwargs` in Luigi ("+extra") tolerate unknown keys; the others reject them, as
 * Python would (Luigi answers a 500 there; luigi-ts a 400 naming the key).
 */
import { STEP_CATEGORIES, STEP_PAGE_SORTS, STEP_STATUSES } from "../scheduler/api.js";
import type { SchedulerApi } from "../scheduler/api.js";
import type { Role } from "../auth/roles.js";
import type { ArgSchema, ObjectSchema } from "./schema.js";

export interface RpcMethod {
  /** Luigi's name, the last segment of `/api/<name>`. */
  readonly name: string;
  /** The SchedulerApi member that answers it. */
  readonly call: keyof SchedulerApi;
  readonly args: ObjectSchema;
  /**
   * Whether the call changes state a restarted scheduler must keep (for the daemon's journal). Listing
   * calls also prune as a side effect; that is a function of the clock, not of the request, so they are
   * not counted.
   */
  readonly mutating: boolean;
  /** The least role a caller needs when luigid authenticates (`[auth]`); see src/auth/roles.ts. */
  readonly role: Role;
}

// ---------------------------------------------------------------------------------- argument kinds

const str: ArgSchema = { type: "string" };
const nullableStr: ArgSchema = { type: ["string", "null"] };
const bool: ArgSchema = { type: "boolean" };
const nullableBool: ArgSchema = { type: ["boolean", "null"] };
const num: ArgSchema = { type: "number" };
const nullableNum: ArgSchema = { type: ["number", "null"] };
const int: ArgSchema = { type: "integer" };
const obj: ArgSchema = { type: "object" };
const any: ArgSchema = {};
const strList: ArgSchema = { type: "array", items: str };
const nullableStrList: ArgSchema = { type: ["array", "null"], items: str };
/** The scheduler refuses an empty id, so the schema does too (a 400 rather than a 500). */
const id: ArgSchema = { type: "string", minLength: 1 };
const worker: ArgSchema = { type: "string", minLength: 1, description: "a worker id (a non-empty string)" };
const numberMap: ArgSchema = {
  type: "object",
  additionalProperties: num,
  description: "an object of numbers",
};

function args(
  properties: Record<string, ArgSchema>,
  required: readonly string[],
  extra: boolean | ArgSchema,
): ObjectSchema {
  return { type: "object", properties, required, additionalProperties: extra };
}

const none = args({}, [], false);
const taskIdOnly = args({ task_id: str }, ["task_id"], false);

// ---------------------------------------------------------------------------------- worker-facing

const addTask = args(
  {
    task_id: id,
    status: { type: "string", enum: [...STEP_STATUSES, "SUSPENDED"], default: "PENDING" },
    // null in a completion report: the step is then not re-offered to this worker.
    runnable: { ...nullableBool, default: true },
    deps: { ...nullableStrList, default: null },
    new_deps: { ...nullableStrList, default: null },
    expl: { ...nullableStr, default: null },
    resources: { type: ["object", "null"], additionalProperties: num, default: null },
    priority: { ...num, default: 0 },
    family: { ...str, default: "" },
    module: { ...nullableStr, default: null },
    // A batched parameter arrives as a list of values.
    params: {
      type: ["object", "null"],
      additionalProperties: { type: ["string", "array"], items: str },
      description: "an object of string (or list of strings) values, or null",
      default: null,
    },
    param_visibilities: { type: ["object", "null"], additionalProperties: int, default: null },
    accepts_messages: { ...nullableBool, default: false },
    assistant: { ...bool, default: false },
    tracking_url: { ...nullableStr, default: null },
    worker,
    batchable: { ...nullableBool, default: null },
    batch_id: { ...nullableStr, default: null },
    retry_policy_dict: {
      type: ["object", "null"],
      properties: {
        retry_count: nullableNum,
        disable_hard_timeout: nullableNum,
        disable_window: nullableNum,
      },
      default: null,
    },
    owners: { ...nullableStrList, default: null },
  },
  ["task_id", "worker"],
  true,
);

const addTasks = args(
  {
    worker,
    tasks: {
      type: "array",
      items: { ...addTask, required: ["task_id"] },
      description: "an array of add_task argument objects (each with a task_id)",
    },
  },
  ["worker", "tasks"],
  false,
);

const addTaskBatcher = args(
  {
    worker,
    task_family: id,
    batched_args: strList,
    // null too: a JSON encoder without Python's `Infinity` token writes the default as null.
    max_batch_size: { ...nullableNum, default: Number.POSITIVE_INFINITY },
  },
  ["worker", "task_family", "batched_args"],
  false,
);

const addWorker = args(
  {
    worker,
    info: {
      anyOf: [obj, { type: "array", items: { type: "array" } }],
      description: "an object or a list of [key, value] pairs",
    },
  },
  ["worker", "info"],
  true,
);

const getWork = args(
  {
    worker,
    host: { ...nullableStr, default: null },
    assistant: { ...nullableBool, default: false },
    current_tasks: { ...nullableStrList, default: null },
  },
  ["worker"],
  true,
);

const getWorks = args(
  {
    ...getWork.properties,
    max_tasks: { type: ["integer", "null"], minimum: 1, default: 1 },
    reports: {
      type: ["array", "null"],
      items: { ...addTask, required: ["task_id"] },
      description: "an array of add_task argument objects (each with a task_id)",
      default: null,
    },
  },
  ["worker"],
  false,
);

const announceSchedulingFailure = args(
  {
    task_name: str,
    family: str,
    params: obj,
    expl: nullableStr,
    owners: nullableStrList,
    worker: nullableStr,
  },
  ["task_name", "family", "params", "expl", "owners"],
  true,
);

// ---------------------------------------------------------------------------------- UI / admin

const taskList = args(
  {
    status: { ...str, default: "" },
    upstream_status: { ...str, default: "" },
    limit: { ...bool, default: true },
    search: { ...nullableStr, default: null },
    max_shown_tasks: { type: ["integer", "null"], default: null },
  },
  [],
  true,
);

// luigi-ts extensions for the visualiser: bounded listings (SPEC 7.6); unknown keys are refused.
const stepPage = args(
  {
    statuses: {
      type: ["array", "null"],
      items: { type: "string", enum: STEP_CATEGORIES },
      maxItems: 8,
      description: `an array of ${STEP_CATEGORIES.join(", ")}, or null`,
      default: null,
    },
    family: { ...nullableStr, default: null },
    search: { ...nullableStr, default: null },
    sort: { type: "string", enum: STEP_PAGE_SORTS, default: "default" },
    order: { type: "string", enum: ["asc", "desc"], default: "asc" },
    offset: { type: "integer", minimum: 0, default: 0 },
    limit: { type: "integer", minimum: 0, maximum: 1000, default: 50 },
    max_shown_tasks: { type: ["integer", "null"], minimum: 1, default: null },
  },
  [],
  false,
);

const stepGraph = args(
  {
    task_id: id,
    direction: { type: "string", enum: ["deps", "dependents"], default: "deps" },
    include_done: { ...bool, default: true },
    max_nodes: { type: ["integer", "null"], minimum: 1, default: null },
  },
  ["task_id"],
  false,
);

const graphOf = args({ task_id: str, include_done: { ...bool, default: true } }, ["task_id"], true);

const table: readonly RpcMethod[] = [
  // worker-facing
  { name: "add_task", call: "addTask", args: addTask, mutating: true, role: "worker" },
  // luigi-ts extension: a batch of add_task calls (Luigi's clients never send it).
  { name: "add_tasks", call: "addTasks", args: addTasks, mutating: true, role: "worker" },
  { name: "add_task_batcher", call: "addTaskBatcher", args: addTaskBatcher, mutating: true, role: "worker" },
  { name: "add_worker", call: "addWorker", args: addWorker, mutating: true, role: "worker" },
  // Hands a step out: it becomes RUNNING.
  { name: "get_work", call: "getWork", args: getWork, mutating: true, role: "worker" },
  // luigi-ts extension: reports of finished steps plus several hand-outs in one round trip.
  { name: "get_works", call: "getWorks", args: getWorks, mutating: true, role: "worker" },
  // Registers the worker when it is new.
  {
    name: "count_pending",
    call: "countPending",
    args: args({ worker }, ["worker"], false),
    mutating: true,
    role: "worker",
  },
  // Drains the worker's queued messages: a replay must not deliver them twice.
  { name: "ping", call: "ping", args: args({ worker }, ["worker"], true), mutating: true, role: "worker" },
  {
    name: "announce_scheduling_failure",
    call: "announceSchedulingFailure",
    args: announceSchedulingFailure,
    mutating: false,
    role: "worker",
  },
  {
    name: "set_task_status_message",
    call: "setTaskStatusMessage",
    args: args({ task_id: str, status_message: nullableStr }, ["task_id", "status_message"], false),
    mutating: true,
    role: "worker",
  },
  {
    name: "get_task_status_message",
    call: "getTaskStatusMessage",
    args: taskIdOnly,
    mutating: false,
    role: "viewer",
  },
  {
    name: "set_task_progress_percentage",
    call: "setTaskProgressPercentage",
    args: args({ task_id: str, progress_percentage: nullableNum }, ["task_id", "progress_percentage"], false),
    mutating: true,
    role: "worker",
  },
  {
    name: "get_task_progress_percentage",
    call: "getTaskProgressPercentage",
    args: taskIdOnly,
    mutating: false,
    role: "viewer",
  },
  {
    name: "decrease_running_task_resources",
    call: "decreaseRunningTaskResources",
    args: args({ task_id: str, decrease_resources: numberMap }, ["task_id", "decrease_resources"], false),
    mutating: true,
    role: "worker",
  },
  {
    name: "get_running_task_resources",
    call: "getRunningTaskResources",
    args: taskIdOnly,
    mutating: false,
    role: "viewer",
  },
  // Only feeds the metrics collector.
  {
    name: "report_task_statistics",
    call: "reportTaskStatistics",
    args: args({ task_id: str, statistics: obj }, ["task_id", "statistics"], false),
    mutating: false,
    role: "worker",
  },
  {
    name: "add_scheduler_message_response",
    call: "addSchedulerMessageResponse",
    args: args(
      { task_id: str, message_id: str, response: any },
      ["task_id", "message_id", "response"],
      false,
    ),
    mutating: true,
    role: "worker",
  },

  // UI / admin
  { name: "task_list", call: "taskList", args: taskList, mutating: false, role: "viewer" },
  {
    name: "task_search",
    call: "taskSearch",
    args: args({ task_str: str }, ["task_str"], true),
    mutating: false,
    role: "viewer",
  },
  { name: "graph", call: "graph", args: args({}, [], true), mutating: false, role: "viewer" },
  { name: "dep_graph", call: "depGraph", args: graphOf, mutating: false, role: "viewer" },
  { name: "inverse_dep_graph", call: "inverseDepGraph", args: graphOf, mutating: false, role: "viewer" },
  {
    name: "worker_list",
    call: "workerList",
    args: args({ include_running: { ...bool, default: true } }, [], true),
    mutating: false,
    role: "viewer",
  },
  { name: "resource_list", call: "resourceList", args: none, mutating: false, role: "viewer" },
  {
    name: "fetch_error",
    call: "fetchError",
    args: args({ task_id: str }, ["task_id"], true),
    mutating: false,
    role: "viewer",
  },
  { name: "re_enable_task", call: "reEnableTask", args: taskIdOnly, mutating: true, role: "operator" },
  {
    name: "forgive_failures",
    call: "forgiveFailures",
    args: args({ task_id: { ...nullableStr, default: null } }, [], false),
    mutating: true,
    role: "operator",
  },
  {
    name: "mark_as_done",
    call: "markAsDone",
    args: args({ task_id: { ...nullableStr, default: null } }, [], false),
    mutating: true,
    role: "operator",
  },
  {
    name: "disable_worker",
    call: "disableWorker",
    args: args({ worker }, ["worker"], false),
    mutating: true,
    role: "operator",
  },
  {
    name: "set_worker_processes",
    call: "setWorkerProcesses",
    args: args({ worker, n: int }, ["worker", "n"], false),
    mutating: true,
    role: "operator",
  },
  {
    name: "send_scheduler_message",
    call: "sendSchedulerMessage",
    args: args({ worker, task: str, content: str }, ["worker", "task", "content"], false),
    mutating: true,
    role: "operator",
  },
  // Pops the stored reply.
  {
    name: "get_scheduler_message_response",
    call: "getSchedulerMessageResponse",
    args: args({ task_id: str, message_id: str }, ["task_id", "message_id"], false),
    mutating: true,
    role: "operator",
  },
  { name: "is_pause_enabled", call: "isPauseEnabled", args: none, mutating: false, role: "viewer" },
  { name: "is_paused", call: "isPaused", args: none, mutating: false, role: "viewer" },
  { name: "pause", call: "pause", args: none, mutating: true, role: "operator" },
  { name: "unpause", call: "unpause", args: none, mutating: true, role: "operator" },
  // Luigi's `update_resources(**resources)`: every argument is a resource name.
  {
    name: "update_resources",
    call: "updateResources",
    args: args({}, [], int),
    mutating: true,
    role: "operator",
  },
  // `amount` is not typed: the method itself answers false for anything but a non-negative integer.
  {
    name: "update_resource",
    call: "updateResource",
    args: args({ resource: str, amount: any }, ["resource", "amount"], false),
    mutating: true,
    role: "operator",
  },
  { name: "has_task_history", call: "hasTaskHistory", args: none, mutating: false, role: "viewer" },
  { name: "prune", call: "prune", args: none, mutating: true, role: "admin" },

  // luigi-ts extensions for the visualiser (Luigi's clients never send them).
  { name: "step_page", call: "stepPage", args: stepPage, mutating: false, role: "viewer" },
  { name: "step_graph", call: "stepGraph", args: stepGraph, mutating: false, role: "viewer" },
];

/** Method name -> description, for the dispatcher. */
export const RPC_METHODS: ReadonlyMap<string, RpcMethod> = new Map(table.map((m) => [m.name, m]));

/** Names of the methods that change scheduler state (see RpcMethod.mutating). */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(
  table.filter((m) => m.mutating).map((m) => m.name),
);

export function rpcMethod(name: string): RpcMethod | undefined {
  return RPC_METHODS.get(name);
}

/** The least role that may call `name`; undefined for an unknown method. */
export function methodRole(name: string): Role | undefined {
  return RPC_METHODS.get(name)?.role;
}
