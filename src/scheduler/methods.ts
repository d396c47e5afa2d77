/**
 * Every SchedulerApi method once, keyed by its member: Luigi's wire name (`/api/<name>`), whether it
 * changes state, whether it prunes first, and the least role that may call it. The table is a record
 * keyed by member, as Kysely keys its operation-node visitor by node kind: a member without an entry, or
 * an entry without a member, fails to compile.
 *
 * Derived from it: the RPC table (rpc/methods.ts adds each method's argument schema), both SchedulerApi
 * adapters (forwarding.ts), the calls the daemon journals (persistence/durable.ts) and the argument and
 * answer types by wire name that the visualiser checks its calls against (WireCalls). It lives below rpc/
 * because the daemon's journal needs the flags; the JSON schemas stay in rpc/.
 */
import type { Role } from "../auth/roles.js";
import type { NoArgs, SchedulerApi } from "./api.js";

/** A SchedulerApi member. */
export type SchedulerMethod = keyof SchedulerApi;
/** A member's arguments (undefined for one that takes none). */
export type ArgsOf<K extends SchedulerMethod> = Parameters<SchedulerApi[K]>[0];
/** What a member's promise resolves to. */
export type AnswerOf<K extends SchedulerMethod> = Awaited<ReturnType<SchedulerApi[K]>>;

export interface MethodInfo {
  /** Luigi's name, the last segment of `/api/<name>`. */
  readonly name: string;
  /**
   * Whether the call changes state a restarted scheduler must keep: the daemon journals it with its
   * arguments and replays it. A listing that prunes changes state only as a function of the clock: see
   * `prunes`.
   */
  readonly mutating: boolean;
  /** A read-only listing that prunes first, as Luigi's do: the daemon journals a prune at its time. */
  readonly prunes?: true;
  /**
   * Changes only soft state the active luigid keeps in memory (completeness claims): not journaled, but
   * a standby refuses it with STANDBY like a mutating call, so that it always reaches the active one.
   */
  readonly activeOnly?: true;
  /** The least role a caller needs when luigid authenticates (`[auth]`); see src/auth/roles.ts. */
  readonly role: Role;
}

export const SCHEDULER_METHODS = {
  // worker-facing
  addTask: { name: "add_task", mutating: true, role: "worker" },
  // luigi-ts extension: a batch of add_task calls (Luigi's clients never send it).
  addTasks: { name: "add_tasks", mutating: true, role: "worker" },
  // luigi-ts extension: who checks which step's completeness (claims.ts); soft, never journaled.
  checkClaims: { name: "check_claims", mutating: false, activeOnly: true, role: "worker" },
  addTaskBatcher: { name: "add_task_batcher", mutating: true, role: "worker" },
  addWorker: { name: "add_worker", mutating: true, role: "worker" },
  // Hands a step out: it becomes RUNNING.
  getWork: { name: "get_work", mutating: true, role: "worker" },
  // luigi-ts extension: reports of finished steps plus several hand-outs in one round trip.
  getWorks: { name: "get_works", mutating: true, role: "worker" },
  // Registers the worker when it is new.
  countPending: { name: "count_pending", mutating: true, role: "worker" },
  // Drains the worker's queued messages: a replay must not deliver them twice.
  ping: { name: "ping", mutating: true, role: "worker" },
  announceSchedulingFailure: { name: "announce_scheduling_failure", mutating: false, role: "worker" },
  setTaskStatusMessage: { name: "set_task_status_message", mutating: true, role: "worker" },
  getTaskStatusMessage: { name: "get_task_status_message", mutating: false, role: "viewer" },
  setTaskProgressPercentage: { name: "set_task_progress_percentage", mutating: true, role: "worker" },
  getTaskProgressPercentage: { name: "get_task_progress_percentage", mutating: false, role: "viewer" },
  decreaseRunningTaskResources: { name: "decrease_running_task_resources", mutating: true, role: "worker" },
  getRunningTaskResources: { name: "get_running_task_resources", mutating: false, role: "viewer" },
  // Only feeds the metrics collector.
  reportTaskStatistics: { name: "report_task_statistics", mutating: false, role: "worker" },
  addSchedulerMessageResponse: { name: "add_scheduler_message_response", mutating: true, role: "worker" },

  // UI / admin
  taskList: { name: "task_list", mutating: false, prunes: true, role: "viewer" },
  taskSearch: { name: "task_search", mutating: false, prunes: true, role: "viewer" },
  graph: { name: "graph", mutating: false, prunes: true, role: "viewer" },
  depGraph: { name: "dep_graph", mutating: false, prunes: true, role: "viewer" },
  inverseDepGraph: { name: "inverse_dep_graph", mutating: false, prunes: true, role: "viewer" },
  workerList: { name: "worker_list", mutating: false, prunes: true, role: "viewer" },
  resourceList: { name: "resource_list", mutating: false, prunes: true, role: "viewer" },
  fetchError: { name: "fetch_error", mutating: false, role: "viewer" },
  reEnableTask: { name: "re_enable_task", mutating: true, role: "operator" },
  forgiveFailures: { name: "forgive_failures", mutating: true, role: "operator" },
  markAsDone: { name: "mark_as_done", mutating: true, role: "operator" },
  disableWorker: { name: "disable_worker", mutating: true, role: "operator" },
  setWorkerProcesses: { name: "set_worker_processes", mutating: true, role: "operator" },
  sendSchedulerMessage: { name: "send_scheduler_message", mutating: true, role: "operator" },
  // Pops the stored reply.
  getSchedulerMessageResponse: { name: "get_scheduler_message_response", mutating: true, role: "operator" },
  isPauseEnabled: { name: "is_pause_enabled", mutating: false, role: "viewer" },
  isPaused: { name: "is_paused", mutating: false, role: "viewer" },
  pause: { name: "pause", mutating: true, role: "operator" },
  unpause: { name: "unpause", mutating: true, role: "operator" },
  updateResources: { name: "update_resources", mutating: true, role: "operator" },
  updateResource: { name: "update_resource", mutating: true, role: "operator" },
  hasTaskHistory: { name: "has_task_history", mutating: false, role: "viewer" },
  prune: { name: "prune", mutating: true, role: "admin" },

  // luigi-ts extensions for the visualiser (Luigi's clients never send them)
  stepPage: { name: "step_page", mutating: false, prunes: true, role: "viewer" },
  stepGraph: { name: "step_graph", mutating: false, prunes: true, role: "viewer" },
  stepTimeline: { name: "step_timeline", mutating: false, prunes: true, role: "viewer" },

  // luigi-ts extensions: runs started over HTTP or from the visualiser, run by assistants
  triggerStep: { name: "trigger_step", mutating: true, role: "operator" },
  // Hands a trigger out: it is then the caller's.
  takeTrigger: { name: "take_trigger", mutating: true, role: "worker" },
  reportTrigger: { name: "report_trigger", mutating: true, role: "worker" },
  // Prunes first, as worker_list does: a dead assistant's families are not offered.
  triggerList: { name: "trigger_list", mutating: false, prunes: true, role: "viewer" },

  // luigi-ts extensions: captured step logs (Luigi's clients never send them)
  addStepLogs: { name: "add_step_logs", mutating: true, role: "worker" },
  stepLog: { name: "step_log", mutating: false, role: "viewer" },
} as const satisfies Record<SchedulerMethod, MethodInfo>;

/** The table as a list, in its order, each entry with its member. */
export const SCHEDULER_METHOD_LIST: readonly (MethodInfo & { readonly member: SchedulerMethod })[] = (
  Object.keys(SCHEDULER_METHODS) as SchedulerMethod[]
).map((member) => ({ member, ...SCHEDULER_METHODS[member] }));

type Table = typeof SCHEDULER_METHODS;

/** A method's Luigi name. */
export type WireName = Table[SchedulerMethod]["name"];

/**
 * The Luigi names of the mutating methods, for a client that can take only types from here (the
 * visualiser): a `Record<MutatingWireName, ...>` there must list each of them.
 */
export type MutatingWireName = {
  [K in SchedulerMethod]: Table[K]["mutating"] extends true ? Table[K]["name"] : never;
}[SchedulerMethod];

/** The JSON arguments object of a call: the member's arguments, `{}` for a member that takes none. */
export type WireArgs<K extends SchedulerMethod> = [ArgsOf<K>] extends [undefined]
  ? NoArgs
  : Exclude<ArgsOf<K>, undefined>;

/**
 * Wire name -> the member's arguments object and answer, for a client that calls by name (the
 * visualiser's `call()`): a wrong argument shape there fails the typecheck.
 */
export type WireCalls = {
  [K in SchedulerMethod as Table[K]["name"]]: { args: WireArgs<K>; answer: AnswerOf<K> };
};
