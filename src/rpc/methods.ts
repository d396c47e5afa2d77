/**
 * Every RPC method of SPEC 3.3: the SchedulerApi member it calls, its Luigi name, the JSON schema of its
 * keyword arguments (with Luigi's defaults), whether it changes scheduler state and the role it needs.
 * The name, flags and role are scheduler/methods.ts's (the daemon's journal needs the flags, below rpc/);
 * the schemas are here, in a record keyed by member like that table, so a member without a schema fails
 * to compile. test/rpc/methods.test.ts checks that each schema names exactly the member's arguments.
 *
 * Luigi's Python client sends every declared argument, defaults included, so the schemas list them all.
 * Methods that take `**kwargs` in Luigi ("+extra") tolerate unknown keys; the others reject them, as
 * Python would (Luigi answers a 500 there; luigi-ts a 400 naming the key).
 */
import {
  DEFAULT_TIMELINE_BARS,
  MAX_TIMELINE_BARS,
  STEP_CATEGORIES,
  STEP_PAGE_SORTS,
  STEP_STATUSES,
} from "../scheduler/api.js";
import { MIN_LOG_TAIL_BYTES } from "../log/step-log.js";
import { SCHEDULER_METHOD_LIST } from "../scheduler/methods.js";
import type { MethodInfo, SchedulerMethod } from "../scheduler/methods.js";
import type { Role } from "../auth/roles.js";
import type { ArgSchema, ObjectSchema } from "./schema.js";

export interface RpcMethod extends MethodInfo {
  /** The SchedulerApi member that answers it. */
  readonly call: SchedulerMethod;
  readonly args: ObjectSchema;
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

/** An arguments schema that keeps its argument names in its type, for the type test of the table. */
export interface ArgsSchema<P extends string, R extends P> extends ObjectSchema {
  readonly properties: Readonly<Record<P, ArgSchema>>;
  readonly required: readonly R[];
}

function args<const P extends Record<string, ArgSchema>, const R extends keyof P & string = never>(
  properties: P,
  required: readonly R[],
  extra: boolean | ArgSchema,
): ArgsSchema<keyof P & string, R> {
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
    // luigi-ts: no default filled in, so that Luigi's calls journal as before.
    incomplete_after_done: bool,
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

const checkClaims = args(
  {
    worker,
    task_ids: { type: "array", items: id, description: "step ids (non-empty strings)" },
    peek: { ...bool, default: false },
    help: { ...bool, default: false },
  },
  ["worker", "task_ids"],
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
    help: {
      type: ["object", "null"],
      properties: { workers: strList, families: strList },
      required: ["workers", "families"],
      additionalProperties: false,
      description: "null or an object with the string lists workers and families",
      default: null,
    },
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

const stepTimeline = args(
  {
    worker: { type: ["string", "null"], minLength: 1, default: null },
    since: { ...nullableNum, default: null },
    until: { ...nullableNum, default: null },
    limit: { type: "integer", minimum: 1, maximum: MAX_TIMELINE_BARS, default: DEFAULT_TIMELINE_BARS },
  },
  [],
  false,
);

// luigi-ts triggers (scheduler/triggers.ts): unknown keys are refused.
const triggerStep = args(
  {
    family: { ...id, description: "a step family (a non-empty string)" },
    params: {
      type: "object",
      additionalProperties: str,
      description: "an object of parameter values as text (as on the command line)",
      default: {},
    },
    requested_by: { ...nullableStr, default: null },
  },
  ["family"],
  false,
);

const reportTrigger = args(
  {
    worker,
    trigger_id: { type: "integer", minimum: 1 },
    status: { type: "string", enum: ["running", "done", "failed", "refused"] },
    task_id: { ...nullableStr, default: null },
    run_worker: { ...nullableStr, default: null },
    result: { ...nullableStr, default: null },
    exit_code: { type: ["integer", "null"], default: null },
    message: { ...nullableStr, default: null },
  },
  ["worker", "trigger_id", "status"],
  false,
);

const triggerList = args(
  {
    trigger_id: { type: ["integer", "null"], minimum: 1, default: null },
    limit: { type: "integer", minimum: 0, maximum: 1000, default: 50 },
  },
  [],
  false,
);

// luigi-ts captured step logs: unknown keys are refused.
const addStepLogs = args(
  {
    worker,
    logs: {
      type: "array",
      maxItems: 10_000,
      items: {
        type: "object",
        properties: {
          task_id: id,
          attempt: { type: "integer", minimum: 1 },
          offset: { type: "integer", minimum: 0 },
          text: str,
          final: { ...bool, default: false },
          limit: { type: "integer", minimum: MIN_LOG_TAIL_BYTES },
        },
        required: ["task_id", "attempt", "offset", "text"],
        additionalProperties: false,
      },
      description: "an array of {task_id, attempt, offset, text, final, limit?} pieces of step logs",
    },
  },
  ["worker", "logs"],
  false,
);

const graphOf = args({ task_id: str, include_done: { ...bool, default: true } }, ["task_id"], true);

const workerOnly = args({ worker }, ["worker"], false);
const messageOf = args({ task_id: str, message_id: str }, ["task_id", "message_id"], false);

/** Each member's argument schema. */
export const ARG_SCHEMAS = {
  // worker-facing
  addTask,
  addTasks,
  checkClaims,
  addTaskBatcher,
  addWorker,
  getWork,
  getWorks,
  countPending: workerOnly,
  ping: args({ worker }, ["worker"], true),
  announceSchedulingFailure,
  setTaskStatusMessage: args(
    { task_id: str, status_message: nullableStr },
    ["task_id", "status_message"],
    false,
  ),
  getTaskStatusMessage: taskIdOnly,
  setTaskProgressPercentage: args(
    { task_id: str, progress_percentage: nullableNum },
    ["task_id", "progress_percentage"],
    false,
  ),
  getTaskProgressPercentage: taskIdOnly,
  decreaseRunningTaskResources: args(
    { task_id: str, decrease_resources: numberMap },
    ["task_id", "decrease_resources"],
    false,
  ),
  getRunningTaskResources: taskIdOnly,
  reportTaskStatistics: args({ task_id: str, statistics: obj }, ["task_id", "statistics"], false),
  addSchedulerMessageResponse: args(
    { task_id: str, message_id: str, response: any },
    ["task_id", "message_id", "response"],
    false,
  ),

  // UI / admin
  taskList,
  taskSearch: args({ task_str: str }, ["task_str"], true),
  graph: args({}, [], true),
  depGraph: graphOf,
  inverseDepGraph: graphOf,
  workerList: args({ include_running: { ...bool, default: true } }, [], true),
  resourceList: none,
  fetchError: args({ task_id: str }, ["task_id"], true),
  reEnableTask: taskIdOnly,
  forgiveFailures: args({ task_id: { ...nullableStr, default: null } }, [], false),
  markAsDone: args({ task_id: { ...nullableStr, default: null } }, [], false),
  disableWorker: workerOnly,
  setWorkerProcesses: args({ worker, n: int }, ["worker", "n"], false),
  sendSchedulerMessage: args({ worker, task: str, content: str }, ["worker", "task", "content"], false),
  getSchedulerMessageResponse: messageOf,
  isPauseEnabled: none,
  isPaused: none,
  pause: none,
  unpause: none,
  // Luigi's `update_resources(**resources)`: every argument is a resource name.
  updateResources: args({}, [], int),
  // `amount` is not typed: the method itself answers false for anything but a non-negative integer.
  updateResource: args({ resource: str, amount: any }, ["resource", "amount"], false),
  hasTaskHistory: none,
  prune: none,

  // luigi-ts extensions for the visualiser
  stepPage,
  stepGraph,
  stepTimeline,

  // luigi-ts triggers
  triggerStep,
  takeTrigger: workerOnly,
  reportTrigger,
  triggerList,

  // luigi-ts captured step logs
  addStepLogs,
  stepLog: args({ task_id: id }, ["task_id"], false),
} satisfies Record<SchedulerMethod, ObjectSchema>;

/** Method name -> description, for the dispatcher. */
export const RPC_METHODS: ReadonlyMap<string, RpcMethod> = new Map(
  SCHEDULER_METHOD_LIST.map(({ member, ...info }) => [
    info.name,
    { ...info, call: member, args: ARG_SCHEMAS[member] },
  ]),
);

/** Names of the methods that change scheduler state (see RpcMethod.mutating). */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(
  SCHEDULER_METHOD_LIST.filter((m) => m.mutating).map((m) => m.name),
);

export function rpcMethod(name: string): RpcMethod | undefined {
  return RPC_METHODS.get(name);
}

/**
 * Whether a call may have an effect a visitor's browser must not be tricked into: every method above the
 * viewer role, journaled or not (`announce_scheduling_failure` feeds luigid's failure digest without
 * changing scheduler state). What the cross-site and CSRF checks guard.
 */
export function hasEffects(method: RpcMethod): boolean {
  return method.mutating || method.role !== "viewer";
}

/** The least role that may call `name`; undefined for an unknown method. */
export function methodRole(name: string): Role | undefined {
  return RPC_METHODS.get(name)?.role;
}
