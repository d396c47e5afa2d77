/**
 * SchedulerApi: the one interface between a worker (or the visualiser) and a scheduler. It is implemented
 * in-process by LocalScheduler (`--local-scheduler`) and remotely by the RPC client. Argument and answer
 * shapes are Luigi's wire shapes (SPEC section 3), spelled as Luigi spells them (`task_id`, `taskId`), so
 * the RPC layer passes them through unchanged and Python workers can speak to luigid.
 */

/** Scheduler-side statuses (SPEC 2.2). SUSPENDED is accepted from old clients and stored as PENDING. */
export type StepStatus = "PENDING" | "RUNNING" | "BATCH_RUNNING" | "DONE" | "FAILED" | "DISABLED" | "UNKNOWN";
export type ClaimStatus = StepStatus | "SUSPENDED";
export const STEP_STATUSES: readonly StepStatus[] = [
  "PENDING",
  "RUNNING",
  "BATCH_RUNNING",
  "DONE",
  "FAILED",
  "DISABLED",
  "UNKNOWN",
];

export type UpstreamStatus =
  "" | "UPSTREAM_RUNNING" | "UPSTREAM_MISSING_INPUT" | "UPSTREAM_FAILED" | "UPSTREAM_DISABLED";

export type Resources = Record<string, number>;

export interface RetryPolicyDict {
  retry_count?: number | null;
  disable_hard_timeout?: number | null;
  disable_window?: number | null;
}

export interface AddTaskArgs {
  worker: string;
  task_id: string;
  status?: ClaimStatus;
  runnable?: boolean | null;
  /** null/undefined: keep the known deps. */
  deps?: string[] | null;
  new_deps?: string[] | null;
  /** Explanation (error text); Luigi sends it JSON-encoded a second time. */
  expl?: string | null;
  resources?: Resources | null;
  priority?: number;
  family?: string;
  module?: string | null;
  params?: Record<string, string | string[]> | null;
  param_visibilities?: Record<string, number> | null;
  accepts_messages?: boolean;
  assistant?: boolean;
  tracking_url?: string | null;
  batchable?: boolean | null;
  batch_id?: string | null;
  retry_policy_dict?: RetryPolicyDict | null;
  owners?: string[] | null;
  /**
   * luigi-ts: the worker saw the step held DONE here (check_claims), then checked it and found it
   * incomplete: a PENDING report that stable_done_cooldown_secs must not ignore as stale (its output was
   * deleted after the run). Default false.
   */
  incomplete_after_done?: boolean;
}

export interface AddTasksArgs {
  worker: string;
  tasks: Omit<AddTaskArgs, "worker">[];
}

/** luigi-ts: a worker about to check these steps' completeness asks who checks them (claims.ts). */
export interface CheckClaimsArgs {
  worker: string;
  task_ids: string[];
  /** Verdicts only, no claim taken ("yours" then means: neither held done or pending nor claimed). */
  peek?: boolean;
  /** The caller helps instead of walking again (fleet-help.ts): "walked" verdicts and `walkers`. Default false. */
  help?: boolean;
}

/**
 * One verdict per asked id, in order: "done" (held DONE: trusted complete), "pending" (another worker
 * found it incomplete, or runs it: trusted incomplete), "claimed" (another worker is checking it: ask
 * again shortly), "yours" (check it); and to a caller that helps, "walked" (held PENDING and registered
 * by a live worker other than the caller, which walks below it: leave it to them and help them run it).
 * A worker that does not know a verdict checks the step itself.
 */
export type ClaimVerdict = "done" | "pending" | "walked" | "claimed" | "yours";
export interface CheckClaimsResponse {
  verdicts: ClaimVerdict[];
  /**
   * The live workers other than the caller that registered the steps answered "walked" (and walk below
   * them): the caller names them in get_work's `help` (fleet-help.ts). Omitted when there are none.
   */
  walkers?: string[];
  /** Set by the RPC client, never by luigid: the scheduler has no check_claims (Luigi's); all "yours". */
  unsupported?: true;
}

/** `add_worker` info: an object, or Luigi's list of [key, value] pairs. */
export type WorkerInfo = Record<string, unknown>;
export interface AddWorkerArgs {
  worker: string;
  info: WorkerInfo | [string, unknown][];
}

export interface GetWorkArgs {
  worker: string;
  host?: string | null;
  assistant?: boolean;
  current_tasks?: string[] | null;
  /** luigi-ts: the steps this worker did not walk itself but may run (fleet-help.ts). Default none. */
  help?: FleetHelp | null;
}

/**
 * luigi-ts: a fleet worker's offer to run steps that other workers walked and registered. A worker that
 * check_claims told "walked" (another worker registered the step and walks below it) does not walk that
 * part of the graph again; it may instead be handed the READY steps those workers may run, of the
 * families it can build. Sent with every get_work, so that the hand-out depends only on the call's
 * arguments and the journaled state (a replay hands out the same steps).
 */
export interface FleetHelp {
  /** The workers it helps (check_claims' `walkers`). Those no longer live are skipped. */
  workers: string[];
  /** The step families it can build from their parameters; others' steps of other families stay theirs. */
  families: string[];
}

/**
 * luigi-ts `get_works`: first applies `reports` (add_task calls of this worker, typically the DONE/FAILED
 * outcomes of the steps it finished), then hands out up to `max_tasks` steps, each exactly as consecutive
 * `get_work` calls would (every step handed out counts as one of the worker's current tasks).
 */
export interface GetWorksArgs extends GetWorkArgs {
  /** Most steps to hand out. Default 1; the scheduler caps it at MAX_WORKS_PER_CALL. */
  max_tasks?: number;
  /** Applied first, in order, as `addTask({ ...report, worker })`. Default none. */
  reports?: Omit<AddTaskArgs, "worker">[] | null;
}

/**
 * Every `get_work` answer of a `get_works` call, in order; only the last may have no step. Only when it
 * has none does it list `running_tasks` (and `n_helped_running`): an answer that hands out work leaves
 * them empty.
 */
export interface GetWorksResponse {
  replies: GetWorkResponse[];
}

/** Steps one `get_works` call hands out at most, whatever the worker asks. */
export const MAX_WORKS_PER_CALL = 100;

export interface RunningTaskInfo {
  task_id: string;
  worker: string;
  [infoKey: string]: unknown;
}

export interface PendingCounts {
  n_pending_tasks: number;
  n_unique_pending: number;
  n_pending_last_scheduled?: number;
  worker_state: "active" | "disabled";
  running_tasks: RunningTaskInfo[];
}

export interface GetWorkResponse extends PendingCounts {
  task_id: string | null;
  task_family?: string;
  task_module?: string | null;
  task_params?: Record<string, string | string[]>;
  batch_id?: string;
  batch_task_ids?: string[];
  /**
   * luigi-ts, to a helper (get_work's `help`): how many of the workers it helps are still walking (have
   * not asked for work yet). Their steps may yet become ready: the helper waits rather than gives up.
   */
  n_helped_walking?: number;
  /** luigi-ts, to a helper: steps of the workers it helps (of its families) that others run now. */
  n_helped_running?: number;
}

export interface RpcMessage {
  name: string;
  kwargs: Record<string, unknown>;
}

export interface PingResponse {
  rpc_messages: RpcMessage[];
}

/** A step as the listing and graph calls show it (SPEC 3.2). */
export interface StepNode {
  display_name?: string;
  status: StepStatus;
  workers: string[];
  worker_running: string | null;
  time_running: number | null;
  start_time: number | "UNKNOWN";
  last_updated: number | null;
  params: Record<string, string | string[]>;
  name: string;
  priority: number;
  resources: Resources;
  resources_running: Resources | null;
  tracking_url: string | null;
  status_message: string | null;
  progress_percentage: number | null;
  re_enable_able?: boolean;
  deps?: string[];
  accepts_messages?: boolean;
}

export interface TaskListArgs {
  status?: string;
  upstream_status?: string;
  limit?: boolean;
  search?: string | null;
  max_shown_tasks?: number | null;
}
/** Either id -> node, or `{num_tasks: N}` when the listing is over the limit. */
export type TaskListResponse = Record<string, StepNode> | { num_tasks: number };

export interface WorkerNode {
  name: string;
  last_active: number;
  started: number;
  state: "active" | "disabled";
  first_task_display_name?: string;
  num_unread_rpc_messages: number;
  num_running?: number;
  num_pending?: number;
  num_uniques?: number;
  running?: Record<string, StepNode>;
  [infoKey: string]: unknown;
}

export interface ResourceNode {
  name: string;
  num_total: number;
  num_used: number;
  num_consumer: number;
  running: Record<string, StepNode>;
}

export interface FetchErrorResponse {
  taskId: string;
  error: string;
  displayName?: string;
  taskParams?: Record<string, string | string[]>;
  taskModule?: string | null;
  taskFamily?: string;
}

// ---------------------------------------------------------------------------------- the other calls

export interface AddTaskBatcherArgs {
  worker: string;
  task_family: string;
  batched_args: string[];
  max_batch_size?: number;
}

/** The calls about one worker: count_pending, ping, disable_worker. */
export interface WorkerArgs {
  worker: string;
}

export interface AnnounceSchedulingFailureArgs {
  worker?: string;
  task_name: string;
  family: string;
  params: Record<string, unknown>;
  expl: string;
  owners: string[];
}

/** The calls about one step: its status message, progress, resources, error; re-enable, forgive, done. */
export interface TaskIdArgs {
  task_id: string;
}

export interface SetTaskStatusMessageArgs {
  task_id: string;
  status_message: string;
}
export interface TaskStatusMessage {
  taskId: string;
  statusMessage: string | null;
}

export interface SetTaskProgressPercentageArgs {
  task_id: string;
  progress_percentage: number;
}
export interface TaskProgressPercentage {
  taskId: string;
  progressPercentage: number | null;
}

export interface DecreaseRunningTaskResourcesArgs {
  task_id: string;
  decrease_resources: Resources;
}
export interface RunningTaskResources {
  taskId: string;
  resources: Resources | null;
}

export interface ReportTaskStatisticsArgs {
  task_id: string;
  statistics: Record<string, unknown>;
}

/** A scheduler message, by the step it went to and its id. */
export interface SchedulerMessageArgs {
  task_id: string;
  message_id: string;
}
export interface AddSchedulerMessageResponseArgs extends SchedulerMessageArgs {
  response: unknown;
}
/** The stored reply, null when there is none yet. */
export interface SchedulerMessageResponse {
  response: unknown;
}

export interface TaskSearchArgs {
  task_str: string;
}
/** Status -> id -> node. */
export type TaskSearchResponse = Record<string, Record<string, StepNode>>;

/** Id -> node: the graph listings. */
export type StepNodes = Record<string, StepNode>;

/** A call without arguments that Luigi declares with `**kwargs`. */
export type NoArgs = Record<string, never>;

export interface DepGraphArgs {
  task_id: string;
  include_done?: boolean;
}

export interface WorkerListArgs {
  include_running?: boolean;
}

/** re_enable_task: the step's node, or `{}` when the scheduler had not disabled it (or has no such step). */
export type ReEnableResponse = StepNode | Record<string, never>;

/** forgive_failures, mark_as_done: the step's status afterwards (null: unknown step). */
export interface StatusChange {
  task_id: string;
  status: StepStatus | null;
}

export interface SetWorkerProcessesArgs {
  worker: string;
  n: number;
}

export interface SendSchedulerMessageArgs {
  worker: string;
  task: string;
  content: string;
}
export interface SendSchedulerMessageResponse {
  message_id: string | null;
}

export interface PauseEnabled {
  enabled: boolean;
}
export interface PauseState {
  paused: boolean;
}

export interface UpdateResourceArgs {
  resource: string;
  amount: number;
}

/**
 * Everything a worker or the visualiser may ask of a scheduler. All methods are async so that the remote
 * implementation fits; the local one answers at once.
 *
 * Adding a method: its member here (shapes named above), its wire name, flags and role in
 * scheduler/methods.ts, its argument schema in rpc/methods.ts (both tables are keyed by member, so a
 * missing entry fails to compile), and the core's method in scheduler.ts. LocalScheduler and
 * RemoteScheduler derive it from the tables.
 */
export interface SchedulerApi {
  // worker-facing
  addTask(args: AddTaskArgs): Promise<null>;
  /**
   * luigi-ts extension: many `add_task` calls of one worker in one round trip (registering a large graph).
   * Each item is applied in order exactly as `addTask({ ...item, worker })` would be.
   */
  addTasks(args: AddTasksArgs): Promise<null>;
  /**
   * luigi-ts extension: before checking steps' completeness, who checks them (`[worker]
   * trust_scheduler_done`). Soft state of the active luigid: not journaled, refused by a standby.
   */
  checkClaims(args: CheckClaimsArgs): Promise<CheckClaimsResponse>;
  addTaskBatcher(args: AddTaskBatcherArgs): Promise<null>;
  addWorker(args: AddWorkerArgs): Promise<null>;
  getWork(args: GetWorkArgs): Promise<GetWorkResponse>;
  /** luigi-ts extension (see GetWorksArgs): finished-step reports and several hand-outs in one round trip. */
  getWorks(args: GetWorksArgs): Promise<GetWorksResponse>;
  countPending(args: WorkerArgs): Promise<PendingCounts>;
  ping(args: WorkerArgs): Promise<PingResponse>;
  announceSchedulingFailure(args: AnnounceSchedulingFailureArgs): Promise<null>;
  setTaskStatusMessage(args: SetTaskStatusMessageArgs): Promise<null>;
  getTaskStatusMessage(args: TaskIdArgs): Promise<TaskStatusMessage>;
  setTaskProgressPercentage(args: SetTaskProgressPercentageArgs): Promise<null>;
  getTaskProgressPercentage(args: TaskIdArgs): Promise<TaskProgressPercentage>;
  decreaseRunningTaskResources(args: DecreaseRunningTaskResourcesArgs): Promise<null>;
  getRunningTaskResources(args: TaskIdArgs): Promise<RunningTaskResources>;
  /** Hands the dict to the metrics collector. */
  reportTaskStatistics(args: ReportTaskStatisticsArgs): Promise<null>;
  /** Stores a running step's reply to a scheduler message. */
  addSchedulerMessageResponse(args: AddSchedulerMessageResponseArgs): Promise<null>;

  // UI / admin
  taskList(args: TaskListArgs): Promise<TaskListResponse>;
  taskSearch(args: TaskSearchArgs): Promise<TaskSearchResponse>;
  graph(args?: NoArgs): Promise<StepNodes>;
  depGraph(args: DepGraphArgs): Promise<StepNodes>;
  inverseDepGraph(args: DepGraphArgs): Promise<StepNodes>;
  workerList(args?: WorkerListArgs): Promise<WorkerNode[]>;
  resourceList(): Promise<ResourceNode[]>;
  fetchError(args: TaskIdArgs): Promise<FetchErrorResponse>;
  reEnableTask(args: TaskIdArgs): Promise<ReEnableResponse>;
  forgiveFailures(args: TaskIdArgs): Promise<StatusChange>;
  markAsDone(args: TaskIdArgs): Promise<StatusChange>;
  disableWorker(args: WorkerArgs): Promise<null>;
  setWorkerProcesses(args: SetWorkerProcessesArgs): Promise<null>;
  /** Queues `dispatch_scheduler_message` for the worker; `message_id` null when send_messages is off. */
  sendSchedulerMessage(args: SendSchedulerMessageArgs): Promise<SendSchedulerMessageResponse>;
  /** Pops the step's stored reply to a message (null when there is none yet). */
  getSchedulerMessageResponse(args: SchedulerMessageArgs): Promise<SchedulerMessageResponse>;
  isPauseEnabled(): Promise<PauseEnabled>;
  isPaused(): Promise<PauseState>;
  pause(): Promise<null>;
  unpause(): Promise<null>;
  /** Luigi's `update_resources(**resources)`: resource name -> capacity. */
  updateResources(args: Resources): Promise<null>;
  updateResource(args: UpdateResourceArgs): Promise<boolean>;
  hasTaskHistory(): Promise<boolean>;
  prune(): Promise<null>;

  // luigi-ts extensions for the visualiser (Luigi's clients never call them)
  /** One page of steps with the per-category counts and the family list (`step_page`). */
  stepPage(args: StepPageArgs): Promise<StepPage>;
  /** A bounded graph around one step, saying how many nodes were left out (`step_graph`). */
  stepGraph(args: StepGraphArgs): Promise<StepGraph>;
  /** The latest run of each step held, as bars of a Gantt chart (`step_timeline`). */
  stepTimeline(args?: StepTimelineArgs): Promise<StepTimeline>;

  // luigi-ts extensions: runs started over HTTP or from the visualiser, run by assistants (triggers.ts)
  /** Queues a root step for an assistant that can load its family (`trigger_step`). */
  triggerStep(args: TriggerStepArgs): Promise<TriggerInfo>;
  /** An assistant asks for the oldest queued trigger of a family it announced (`take_trigger`). */
  takeTrigger(args: WorkerArgs): Promise<TakenTrigger>;
  /** The assistant that took a trigger says how it goes (`report_trigger`). */
  reportTrigger(args: ReportTriggerArgs): Promise<TriggerReportAnswer>;
  /** The families live assistants can run, and the latest triggers (`trigger_list`). */
  triggerList(args?: TriggerListArgs): Promise<TriggerList>;

  // luigi-ts extensions: captured step logs (step-logs.ts)
  /** Pieces of the logs of the steps a worker runs, as they are printed (`add_step_logs`). */
  addStepLogs(args: AddStepLogsArgs): Promise<null>;
  /** A step's latest log, or null when none is kept (`step_log`). */
  stepLog(args: TaskIdArgs): Promise<StepLogAnswer | null>;
}

// ---------------------------------------------------------------------------------- luigi-ts listing

/**
 * The visualiser's eight status categories: a step's status, with PENDING split by its upstream status
 * (a PENDING step blocked by a disabled or failed step upstream counts there, not as PENDING).
 */
export const STEP_CATEGORIES = [
  "PENDING",
  "RUNNING",
  "BATCH_RUNNING",
  "DONE",
  "FAILED",
  "DISABLED",
  "UPSTREAM_FAILED",
  "UPSTREAM_DISABLED",
] as const;
export type StepCategory = (typeof STEP_CATEGORIES)[number];
export const STEP_PAGE_SORTS = ["default", "name", "updated", "started", "priority"] as const;
export type StepPageSort = (typeof STEP_PAGE_SORTS)[number];

export interface StepPageArgs {
  /** Categories to list; empty or absent: all of them. */
  statuses?: StepCategory[] | null;
  /** Exact family. */
  family?: string | null;
  /** Whitespace-separated terms, each a case-insensitive substring of the display name or the id. */
  search?: string | null;
  /** "default": most severe category first (failed, disabled, upstream ..., running, pending, done). */
  sort?: StepPageSort;
  order?: "asc" | "desc";
  offset?: number;
  limit?: number;
  /** Rows past this position are not served (default `[scheduler] max_shown_tasks`). */
  max_shown_tasks?: number | null;
}

export interface StepRow extends StepNode {
  task_id: string;
  category: StepCategory;
}

export interface StepPage {
  /** Steps per category, over all steps (not filtered). */
  counts: Record<StepCategory, number>;
  /** Every family with its number of steps, sorted by name. */
  families: { name: string; count: number }[];
  /** Steps matching the filters. */
  total: number;
  offset: number;
  limit: number;
  /** The cap in force: rows at positions >= it are not served. */
  max_shown_tasks: number;
  rows: StepRow[];
}

export interface StepGraphArgs {
  task_id: string;
  /** "deps": what the step needs (dep_graph); "dependents": what it blocks (inverse_dep_graph). */
  direction?: "deps" | "dependents";
  include_done?: boolean;
  /** Largest number of nodes answered; clamped to `[scheduler] max_graph_nodes`. */
  max_nodes?: number | null;
}

/**
 * A `step_graph` node: a step with the step list's category (PENDING split by upstream status), so that
 * the graph colours a step as the list does. UNKNOWN: a dependency the scheduler knows nothing about.
 */
export interface StepGraphNode extends StepNode {
  category: StepCategory | "UNKNOWN";
}

export interface StepGraph {
  root: string;
  /** id -> node with `deps` (the edges in the asked direction), `display_name` and `category`. */
  nodes: Record<string, StepGraphNode>;
  /** Reachable steps that were left out because of the node limit. */
  left_out: number;
  /** The node limit in force. */
  max_nodes: number;
}

// ---------------------------------------------------------------------------------- luigi-ts timeline

/** Bars one `step_timeline` call answers at most, and by default. */
export const MAX_TIMELINE_BARS = 50_000;
export const DEFAULT_TIMELINE_BARS = 10_000;

export interface StepTimelineArgs {
  /** Only the runs of this worker (its id, as worker_list names it). Default all workers. */
  worker?: string | null;
  /** Epoch seconds: only runs still going at that time or later (end >= since). Default no bound. */
  since?: number | null;
  /** Epoch seconds: only runs handed out at that time or earlier (start <= until). Default no bound. */
  until?: number | null;
  /** Most bars: the runs that started last are kept. Default 10,000, at most 50,000. */
  limit?: number;
}

/**
 * A step's latest run as the scheduler remembers it: handed out at `start`, ended at `end` (null while it
 * runs) with `status` (RUNNING or BATCH_RUNNING while it runs; then DONE, FAILED, DISABLED, or PENDING
 * when its run yielded dependencies), by `worker`. Times are epoch seconds.
 */
export interface TimelineBar {
  id: string;
  family: string;
  status: StepStatus;
  start: number;
  end: number | null;
  worker: string | null;
  /** Its dependencies that are bars of the same answer. */
  deps: string[];
}

export interface StepTimeline {
  /** By start time, then id. */
  bars: TimelineBar[];
  /** Runs that matched; more than `bars.length` when the limit cut the earliest ones. */
  total: number;
  limit: number;
  /** The scheduler's time of the answer: where running bars end for now. */
  now: number;
  /** The workers with runs in the window (whatever `worker` asked), most runs first. */
  workers: { worker: string; runs: number }[];
}

// ---------------------------------------------------------------------------------- luigi-ts triggers

/**
 * One parameter of a family an assistant can run, as the visualiser builds its form from it. Values are
 * in their command-line text form (what `--param VALUE` takes and `trigger_step` sends).
 */
export interface FamilyParamSpec {
  name: string;
  /** The parameter kind: "str", "int", "float", "bool", "date", "month", "choice", "enum", "list", ... */
  kind: string;
  /** The text form expected, as `--help` says it ("YYYY-MM-DD", "an integer", "one of a, b"). */
  expected: string;
  /** The default in text form; null when there is none (see has_default). */
  default: string | null;
  /** False when the run needs a value. */
  has_default: boolean;
  description: string | null;
  /** choice and enum: the values allowed, in text form; else null. */
  choices: string[] | null;
  /** An optional kind: the empty text stands for none. */
  optional: boolean;
  /** Not part of the step id. */
  significant: boolean;
}

/** A family an assistant can construct (announced in its `add_worker` info as `step_families`). */
export interface FamilySpec {
  name: string;
  /** The module the assistant loaded it from, when known. */
  module: string | null;
  /** Its parameters, private ones left out (they never leave the process). */
  params: FamilyParamSpec[];
}

export interface TriggerStepArgs {
  family: string;
  /** Parameter name -> value in text form, as on the command line. Default none. */
  params?: Record<string, string>;
  /**
   * Who asked: luigid sets it from the caller (user and address), replacing what a client sends; a
   * program that drives the scheduler in-process may name itself.
   */
  requested_by?: string | null;
}

/**
 * Where a trigger is: `queued` (no capable assistant took it yet), `taken` (an assistant builds the root
 * step), `running` (the root step is known: its id is `task_id`), then one of `done` (the run ended with
 * exit code 0), `failed` (the run ended with another exit code), `refused` (the assistant could not
 * build the step: bad parameters, with the message) or `lost` (the assistant went away first).
 */
export type TriggerStatus = "queued" | "taken" | "running" | "done" | "failed" | "refused" | "lost";
export const TRIGGER_STATUSES: readonly TriggerStatus[] = [
  "queued",
  "taken",
  "running",
  "done",
  "failed",
  "refused",
  "lost",
];

export interface TriggerInfo {
  trigger_id: number;
  family: string;
  params: Record<string, string>;
  requested_by: string | null;
  /** Epoch seconds. */
  requested_at: number;
  status: TriggerStatus;
  /** The assistant that took it. */
  worker: string | null;
  taken_at: number | null;
  /** The root step's id, once the assistant built it. */
  task_id: string | null;
  /** The worker id the assistant runs it as (one per run, as a `luigi FAMILY` process would be). */
  run_worker: string | null;
  finished_at: number | null;
  /** The execution summary's status (SUCCESS, FAILED, ...), once the run ended. */
  result: string | null;
  /** What `luigi FAMILY ...` would have exited with, once the run ended. */
  exit_code: number | null;
  /** refused: why; lost: what happened; done and failed: the execution summary. */
  message: string | null;
  /**
   * Now: the root step's category (UNKNOWN: its scheduling failed); null when the scheduler holds no
   * such step (yet, or any more).
   */
  root_status: StepCategory | "UNKNOWN" | null;
  /** Now: live assistants that announced this family (0: the trigger waits for one). */
  assistants: number;
}

/** What `take_trigger` hands an assistant: the step to build, or null when nothing waits for it. */
export interface TakenTrigger {
  trigger: { trigger_id: number; family: string; params: Record<string, string> } | null;
}

export interface ReportTriggerArgs {
  worker: string;
  trigger_id: number;
  /** running: the root step is built; done / failed: the run ended; refused: the step could not be built. */
  status: "running" | "done" | "failed" | "refused";
  task_id?: string | null;
  run_worker?: string | null;
  result?: string | null;
  exit_code?: number | null;
  message?: string | null;
}

/** False when the trigger is not (any more) this worker's to report on. */
export interface TriggerReportAnswer {
  accepted: boolean;
}

export interface TriggerListArgs {
  /** Only this trigger. */
  trigger_id?: number | null;
  /** Latest triggers to list, newest first. Default 50. */
  limit?: number;
}

/** A family live assistants can run, with how many can. */
export interface RunnableFamily extends FamilySpec {
  assistants: number;
}

export interface TriggerList {
  /** Sorted by name. */
  families: RunnableFamily[];
  /** Newest first, at most `limit`. */
  triggers: TriggerInfo[];
  /** Triggers not ended yet (queued, taken, running), of all. */
  open: number;
}

/** One piece of a step's captured log, as a worker sends it (`add_step_logs`). */
export interface StepLogChunk {
  task_id: string;
  /** The worker's count of its runs of the step, from 1: a new count is a new attempt. */
  attempt: number;
  /** Where `text` starts in everything the run printed, in UTF-8 bytes (a gap before it was cut). */
  offset: number;
  text: string;
  /** The run ended: the log is complete. */
  final: boolean;
  /**
   * luigi-ts workers, on a run's first piece (offset 0): the worker's bound on the run's log
   * (`[worker] log_tail_bytes`). The scheduler bounds its copy alike (the smaller of it and its own
   * `step_log_bytes`), so that both show the same text: with a larger bound it kept pieces the worker
   * had shipped and then let go of. Default: the scheduler's own.
   */
  limit?: number;
}

export interface AddStepLogsArgs {
  worker: string;
  logs: StepLogChunk[];
}

/** A step's latest captured log, as `step_log` answers it. */
export interface StepLogAnswer {
  task_id: string;
  /** The scheduler's count of the step's logged runs, from 1. */
  attempt: number;
  worker: string;
  /** The log, with a line marking where the middle was cut (`[… N bytes cut …]`). */
  text: string;
  /** Bytes the run printed in all. */
  bytes: number;
  /** Bytes of those not shown. */
  cut: number;
  /** The run is going on: more may come. */
  running: boolean;
  /** The run ended without the worker sending the rest (it died, or stopped answering). */
  incomplete: boolean;
  /** Epoch seconds of the last piece. */
  updated: number;
}
