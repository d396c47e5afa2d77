/**
 * The scheduler core: a pure, synchronous, in-memory state machine with Luigi's rules (SPEC 2) and
 * indexed data (SPEC 7.1). No I/O and no timers: the caller supplies the clock and calls `prune()` (or
 * sets pruneOnGetWork). Methods take and return Luigi's wire shapes (api.ts), named in camelCase.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  type AddSchedulerMessageResponseArgs,
  type AddStepLogsArgs,
  type AddTaskArgs,
  type AddTaskBatcherArgs,
  type AddTasksArgs,
  type AddWorkerArgs,
  type AnnounceSchedulingFailureArgs,
  type CheckClaimsArgs,
  type CheckClaimsResponse,
  type ClaimStatus,
  type DecreaseRunningTaskResourcesArgs,
  type DepGraphArgs,
  type FetchErrorResponse,
  type GetWorkArgs,
  type GetWorkResponse,
  type GetWorksArgs,
  type GetWorksResponse,
  MAX_WORKS_PER_CALL,
  type PauseEnabled,
  type PauseState,
  type PendingCounts,
  type PingResponse,
  type ReEnableResponse,
  type ReportTaskStatisticsArgs,
  type ResourceNode,
  type Resources,
  type RunningTaskInfo,
  type ReportTriggerArgs,
  type RunningTaskResources,
  type SchedulerMessageArgs,
  type SchedulerMessageResponse,
  type SendSchedulerMessageArgs,
  type SendSchedulerMessageResponse,
  type SetTaskProgressPercentageArgs,
  type SetTaskStatusMessageArgs,
  type SetWorkerProcessesArgs,
  type StatusChange,
  STEP_STATUSES,
  type StepGraph,
  type StepGraphArgs,
  type StepNodes,
  type StepPage,
  type StepPageArgs,
  type StepLogAnswer,
  type StepStatus,
  type StepTimeline,
  type StepTimelineArgs,
  type TakenTrigger,
  type TaskIdArgs,
  type TaskListArgs,
  type TaskListResponse,
  type TaskProgressPercentage,
  type TaskSearchArgs,
  type TaskSearchResponse,
  type TaskStatusMessage,
  type TriggerInfo,
  type TriggerList,
  type TriggerListArgs,
  type TriggerReportAnswer,
  type TriggerStepArgs,
  type UpdateResourceArgs,
  type WorkerArgs,
  type WorkerInfo,
  type WorkerListArgs,
  type WorkerNode,
} from "./api.js";
import { CompletenessClaims } from "./claims.js";
import { notify, type Core, type SchedulerHooks } from "./core.js";
import { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from "./options.js";
import { stepNode } from "./nodes.js";
import { prune, pruneDue } from "./prune.js";
import * as queries from "./queries.js";
import { makeDefaultPolicy, policyFrom, type RetryPolicy } from "./retry-policy.js";
import { exportState, restoreState, type StateSnapshot } from "./snapshot.js";
import { SchedulerState, type Batcher } from "./state.js";
import { stepTimeline } from "./timeline.js";
import {
  copyOrEmpty,
  displayName,
  EMPTY_OBJECT,
  isRunningStatus,
  withItem,
  type StepRecord,
} from "./step-record.js";
import { stepLogAnswer } from "./step-logs.js";
import { finishedLog, hasRunner, raisePriority, recordChange, reEnable, setStatus } from "./transitions.js";
import { familySpecsFrom, listTriggers, queueTrigger, reportTrigger, takeTrigger } from "./triggers.js";
import { verifyState } from "./verify.js";
import { collectBatch, ownQueue, pickWork } from "./work-picker.js";
import { type HelpScope, helpedRunning, helpScope, walkersOf, walkingCount } from "./fleet-help.js";

export interface SchedulerInit extends Partial<SchedulerOptions> {
  /** Epoch seconds as a float. The core has no clock of its own. */
  clock: () => number;
  /** Ids for `send_scheduler_message`; default `crypto.randomUUID`. */
  newMessageId?: () => string;
  hooks?: SchedulerHooks;
  /** Seconds a completeness claim holds without its registration (check_claims); default CLAIM_SECONDS. */
  claimSeconds?: number;
}

/** What `census()` counts. */
export interface SchedulerCensus {
  steps: Record<StepStatus, number>;
  /** Workers heard from within worker_disconnect_delay (disabled ones included). */
  workers: number;
}

const CLAIM_STATUSES = new Set<string>([...STEP_STATUSES, "SUSPENDED"]);

export class Scheduler {
  readonly options: Readonly<SchedulerOptions>;
  private readonly core: Core;
  private readonly clock: () => number;
  private readonly newMessageId: () => string;
  private readonly defaultPolicy: RetryPolicy;
  private paused = false;
  /** Who checks which step's completeness (check_claims): soft, never exported or journaled. */
  private readonly claims: CompletenessClaims;

  constructor(init: SchedulerInit) {
    const { clock, newMessageId, hooks, claimSeconds, ...options } = init;
    this.options = Object.freeze({ ...DEFAULT_SCHEDULER_OPTIONS, ...stripUndefined(options) });
    this.clock = clock;
    this.newMessageId = newMessageId ?? randomUUID;
    this.defaultPolicy = makeDefaultPolicy(this.options);
    this.claims = new CompletenessClaims(claimSeconds);
    this.core = {
      state: new SchedulerState(this.options.workerDisconnectDelay),
      options: this.options,
      capacity: { ...this.options.resources },
      hooks: hooks ?? {},
    };
  }

  /** Rebuilds a scheduler from `exportState()` output, every index included. */
  static importState(snapshot: unknown, init: SchedulerInit): Scheduler {
    const scheduler = new Scheduler(init);
    scheduler.tick();
    restoreState(scheduler.core, snapshot, scheduler.defaultPolicy);
    return scheduler;
  }

  /** Every step and worker record as plain JSON-safe data (pause flag and runtime resources excluded). */
  exportState(): StateSnapshot {
    return exportState(this.core.state);
  }

  /** Diagnostic: recomputes every index from the records and throws on the first difference. O(n). */
  checkConsistency(): void {
    verifyState(this.core.state);
  }

  /** Read-only view of a record, for tests and diagnostics. */
  inspectStep(taskId: string): Readonly<StepRecord> | undefined {
    return this.core.state.steps.get(taskId);
  }

  get stepCount(): number {
    return this.core.state.steps.size;
  }

  /** Steps per status and workers held, from the indexes in O(statuses): luigid's /metrics gauges. */
  census(): SchedulerCensus {
    const { idx, workers } = this.core.state;
    const steps = {} as Record<StepStatus, number>;
    for (const status of STEP_STATUSES) steps[status] = idx.statusCount(status);
    return { steps, workers: workers.size };
  }

  private tick(): number {
    const now = this.clock();
    this.core.state.now = now;
    return now;
  }

  private get state(): SchedulerState {
    return this.core.state;
  }

  // ---------------------------------------------------------------- worker-facing

  addTask(args: AddTaskArgs): null {
    return this.addTaskOf(args.worker, args);
  }

  /**
   * check_claims: per id, whether the caller checks the step's completeness (see claims.ts). Touches no
   * record (not even the worker's): a standby or a restart replaying the journal must see the same state.
   */
  checkClaims(args: CheckClaimsArgs): CheckClaimsResponse {
    const now = this.tick();
    const workerId = required(args.worker, "worker");
    const peek = args.peek === true;
    const verdicts = args.task_ids.map((id) => this.claims.verdict(this.state, workerId, id, now, peek));
    if (args.help !== true) return { verdicts };
    // A helper leaves the steps another live worker registered (and walks below) to that worker.
    const walkers = new Set<string>();
    args.task_ids.forEach((id, i) => {
      const rec = verdicts[i] === "pending" ? this.state.steps.get(id) : undefined;
      if (rec?.status !== "PENDING") return;
      const theirs = walkersOf(this.state, workerId, rec, now);
      if (theirs.length === 0) return;
      verdicts[i] = "walked";
      for (const w of theirs) walkers.add(w);
    });
    return walkers.size > 0 ? { verdicts, walkers: [...walkers] } : { verdicts };
  }

  /** Completeness claims held (expired ones not yet swept included): for tests. */
  get claimCount(): number {
    return this.claims.size;
  }

  /** add_tasks: each step as its own add_task of `worker`, in order. */
  addTasks(args: AddTasksArgs): null {
    for (const task of args.tasks) this.addTaskOf(args.worker, task);
    return null;
  }

  /**
   * add_task with the worker given apart, so that batches (add_tasks, get_works' reports) need not copy
   * every step's arguments to add it.
   */
  private addTaskOf(workerName: string, args: Omit<AddTaskArgs, "worker">): null {
    const now = this.tick();
    const { state } = this;
    const workerId = required(workerName, "worker");
    const taskId = required(args.task_id, "task_id");
    // The worker's registration of a step is the verdict its completeness claim waited for.
    this.claims.release(workerId, taskId);
    const claim: ClaimStatus = args.status ?? "PENDING";
    if (!CLAIM_STATUSES.has(claim)) throw new TypeError(`add_task: unknown status ${JSON.stringify(claim)}`);
    const worker = state.touchWorker(workerId);
    const resources: Resources = copyOrEmpty(args.resources);
    const policy = policyFrom(this.defaultPolicy, args.retry_policy_dict);
    const priority = args.priority ?? 0;

    let rec = state.steps.get(taskId);
    const isNew = rec === undefined;
    if (!rec) {
      if (!worker.enabled) return null;
      rec = state.createStep(taskId, "PENDING", priority, this.defaultPolicy);
      const created = rec;
      state.change(created, () => (created.resources = resources));
      if (args.deps) state.replaceDeps(created, args.deps);
    }
    const step = rec;
    // A disabled worker may only report on steps that are running.
    if (step.status !== "RUNNING" && !worker.enabled) return null;
    // Stable-done cooldown: a stale "still pending" right after DONE is ignored entirely.
    if (
      claim === "PENDING" &&
      step.status === "DONE" &&
      now - step.updated < this.options.stableDoneCooldownSecs &&
      args.incomplete_after_done !== true
    ) {
      return null;
    }

    if (!step.family && args.family) state.change(step, () => (step.family = args.family as string));
    if (!step.module) step.module = args.module ?? null;
    if (isEmpty(step.paramVisibilities)) step.paramVisibilities = copyOrEmpty(args.param_visibilities);
    if (isEmpty(step.params)) step.params = copyParams(args.params);

    if (args.batch_id != null) state.change(step, () => (step.batchId = args.batch_id as string));
    if (claim === "RUNNING" && !hasRunner(step)) {
      const batchId = args.batch_id;
      state.change(step, () => {
        step.workerRunning = workerId;
        if (batchId) {
          const first = state.idx.batchMembers.get(batchId)?.values().next().value;
          if (first?.resourcesRunning) step.resourcesRunning = { ...first.resourcesRunning };
        }
        step.timeRunning = now;
      });
    }
    if (args.accepts_messages !== null) step.acceptsMessages = args.accepts_messages ?? false;
    if (args.tracking_url != null || step.status !== "RUNNING") {
      step.trackingUrl = args.tracking_url ?? null;
      for (const m of this.batchMembersOf(step)) m.trackingUrl = step.trackingUrl;
    }
    if (args.batchable != null) step.batchable = args.batchable;
    step.remove = null;
    if (args.expl != null) {
      step.expl = args.expl;
      for (const m of this.batchMembersOf(step)) m.expl = args.expl;
    }

    // The running-step guard (SPEC 2.8): only the runner may change a running step, except new_deps.
    const notRunning = !isRunningStatus(step.status);
    const startedRun = claim === "DONE" || claim === "FAILED" || claim === "RUNNING";
    const onThisWorker = step.workerRunning === workerId;
    const hasNewDeps = args.new_deps != null && args.new_deps.length > 0;
    if (notRunning || (startedRun && onThisWorker) || hasNewDeps) {
      const target: StepStatus = claim === "SUSPENDED" ? "PENDING" : claim;
      const previous = step.status;
      // A DONE step announced pending again is to be redone from the start: what its last run yielded
      // goes (the static deps below replace them), and its next run yields its dependencies anew.
      if (previous === "DONE" && target === "PENDING" && !hasNewDeps) step.dynamicDeps = null;
      setStatus(this.core, step, target);
      // setStatus reports changes, but a first announcement changes nothing (records start PENDING)
      // and it leaves changes into RUNNING to callers, which know the runner: report those here.
      if ((isNew && step.status === "PENDING") || (isRunningStatus(step.status) && previous !== step.status))
        recordChange(this.core, step, previous, step.status, "claim", workerId);
    } else if (claim === "DONE") {
      step.foundComplete = true;
    }

    if (args.deps != null) state.replaceDeps(step, args.deps);
    if (args.new_deps != null) state.addDeps(step, args.new_deps);
    if (!sameResources(step.resources, resources)) state.change(step, () => (step.resources = resources));

    if (worker.enabled && !args.assistant) {
      state.addStakeholder(step, workerId);
      // Placeholders keep not-yet-announced deps (and their priority) from being pruned meanwhile.
      for (const depId of step.deps) {
        const dep =
          state.steps.get(depId) ?? state.createStep(depId, "UNKNOWN", priority, this.defaultPolicy);
        state.addStakeholder(dep, workerId);
      }
    }
    raisePriority(this.core, step, priority);
    step.retryPolicy = policy;
    const runnable = args.runnable === undefined ? true : Boolean(args.runnable);
    if (
      runnable &&
      claim !== "FAILED" &&
      worker.enabled &&
      (!step.workers.includes(workerId) || !step.runnable)
    ) {
      // Another worker that may run an already runnable step (every worker of a fleet registers it):
      // only its own indexes and the per-worker counters move.
      if (step.runnable) state.idx.appendWorker(step, workerId);
      else
        state.change(step, () => {
          step.workers = withItem(step.workers, workerId);
          step.runnable = true;
        });
    }
    if (step.stakeholders.length === 0) state.orphanCandidates.add(step);
    if (claim === "FAILED" && this.core.hooks.failureReported) {
      const disabled = step.status === "DISABLED";
      this.reportFailure("failed", workerId, displayName(step), step.family, step.params, args, disabled);
    }
    return null;
  }

  /** Hands a reported failure to the `failureReported` hook (Luigi's batch notifier's input). */
  private reportFailure(
    kind: "failed" | "scheduling",
    workerId: string | null,
    name: string,
    family: string,
    params: Readonly<Record<string, unknown>>,
    args: { expl?: string | null; owners?: readonly string[] | null },
    disabled = false,
  ): void {
    const batched = workerId === null ? undefined : this.state.batchers.get(workerId)?.get(family);
    const unbatchedParams = batched
      ? Object.fromEntries(Object.entries(params).filter(([k]) => !batched.batchedArgs.includes(k)))
      : params;
    notify(this.core.hooks, "failureReported", {
      kind,
      name,
      family,
      unbatchedParams,
      expl: args.expl ?? "",
      owners: args.owners ?? [],
      disabled,
      worker: workerId,
    });
  }

  addTaskBatcher(args: AddTaskBatcherArgs): null {
    this.tick();
    const worker = required(args.worker, "worker");
    let families = this.state.batchers.get(worker);
    if (!families) this.state.batchers.set(worker, (families = new Map<string, Batcher>()));
    families.set(required(args.task_family, "task_family"), {
      batchedArgs: [...(args.batched_args ?? [])],
      maxBatchSize: args.max_batch_size ?? Number.POSITIVE_INFINITY,
    });
    return null;
  }

  addWorker(args: AddWorkerArgs): null {
    this.tick();
    const w = this.state.getWorker(required(args.worker, "worker"));
    // luigi-ts: what an assistant can run, kept apart from the info (see WorkerRecord.families).
    const { step_families: families, ...info } = infoObject(args.info);
    if (families !== undefined) w.families = familySpecsFrom(families);
    this.state.setWorkerInfo(w, info);
    return null;
  }

  /**
   * `listRunning` false leaves `running_tasks` empty: get_works lists them once, in its last answer (the
   * list can hold every running step, with its worker's info, and a worker reads only the last one).
   */
  getWork(args: GetWorkArgs): GetWorkResponse {
    return this.handOut(args, true);
  }

  /** get_work; `scope` is args.help's scope when the caller worked it out already (get_works, once). */
  private handOut(
    args: GetWorkArgs,
    listRunning: boolean,
    scope?: { help: HelpScope | undefined },
    /** The steps the worker runs, when they are not `args.current_tasks` (get_works' hand-outs so far). */
    currentTasks: readonly string[] | null | undefined = args.current_tasks,
  ): GetWorkResponse {
    const now = this.tick();
    const help = scope ? scope.help : helpScope(this.state, args.worker, args.help);
    if (this.options.pruneOnGetWork) prune(this.core);
    const { state } = this;
    const workerId = required(args.worker, "worker");
    const worker = state.touchWorker(workerId, { host: args.host ?? null }, true);
    if (worker.disabled) {
      return {
        n_pending_tasks: 0,
        running_tasks: [],
        task_id: null,
        n_unique_pending: 0,
        worker_state: "disabled",
      };
    }
    const assistant = Boolean(args.assistant);
    if (assistant) state.setWorkerInfo(worker, { assistant: true });

    let best: StepRecord | undefined;
    if (currentTasks != null) {
      best = this.lostAssignment(workerId, new Set(currentTasks));
      this.resetOrphanedBatches(workerId);
    }
    let batch: ReturnType<typeof collectBatch>;
    if (!best && !this.paused) {
      const picked = pickWork(this.core, workerId, assistant, help);
      best = picked?.step;
      if (picked) batch = collectBatch(this.core, workerId, picked.queue, picked.step);
    }

    // The counts describe the state before the hand-out (they include the step handed out). The reply is
    // the counts' own object, given the fields that follow: the counts spread into a new object, then
    // given them, took V8's slow path for each (about 8 µs a hand-out on Node 20; docs/architecture.md,
    // "Objects made by spreading").
    const reply: GetWorkResponse = Object.assign(this.pendingCounts(workerId, listRunning, help), {
      task_id: null as string | null,
    });
    if (help) {
      reply.n_helped_walking = walkingCount(state, help);
      if (listRunning) reply.n_helped_running = helpedRunning(state, workerId, help);
    }
    // A helped step (fleet-help.ts) becomes the helper's too, as if it had registered it: its reports are
    // a stakeholder's, and it stays eligible should the run be lost.
    for (const rec of batch ? batch.members : best ? [best] : []) {
      if (rec.workers.includes(workerId)) continue;
      state.addStakeholder(rec, workerId);
      state.idx.appendWorker(rec, workerId);
    }
    if (batch && batch.members.length > 1) {
      const head = batch.members[0] as StepRecord;
      const ids = batch.members.map((m) => m.id);
      const batchId = createHash("md5").update(ids.join("|"), "utf8").digest("hex");
      for (const member of batch.members) {
        setStatus(this.core, member, "BATCH_RUNNING");
        state.change(member, () => {
          member.batchId = batchId;
          member.workerRunning = workerId;
          member.resourcesRunning = copyOrEmpty(member.resources);
          member.timeRunning = now;
        });
      }
      for (const member of batch.members)
        recordChange(this.core, member, "PENDING", member.status, "handout", workerId, args.host ?? null);
      reply.task_family = head.family;
      reply.task_module = head.module;
      reply.task_params = { ...freshParams(head.params), ...batch.batchedParams };
      reply.batch_id = batchId;
      reply.batch_task_ids = ids;
    } else if (best) {
      const step = best;
      notify(this.core.hooks, "metrics", "started", step, step.status);
      setStatus(this.core, step, "RUNNING");
      state.change(step, () => {
        step.workerRunning = workerId;
        step.resourcesRunning = copyOrEmpty(step.resources);
        step.timeRunning = now;
      });
      recordChange(this.core, step, "PENDING", "RUNNING", "handout", workerId, args.host ?? null);
      reply.task_id = step.id;
      reply.task_family = step.family;
      reply.task_module = step.module;
      reply.task_params = freshParams(step.params);
    }
    return reply;
  }

  getWorks(args: GetWorksArgs): GetWorksResponse {
    const workerId = required(args.worker, "worker");
    for (const report of args.reports ?? []) this.addTaskOf(workerId, report);
    const max = Math.min(MAX_WORKS_PER_CALL, Math.max(1, Math.floor(args.max_tasks ?? 1)));
    const current = [...(args.current_tasks ?? [])];
    const replies: GetWorkResponse[] = [];
    this.tick();
    const scope = { help: helpScope(this.state, workerId, args.help) };
    // The share is of the pending steps this worker could run, or of the queue it takes from when that is
    // larger: an assistant registered nothing, and takes from every worker's runnable steps (ownQueue).
    // Counted before the first hand-out takes one.
    const queueAtStart = ownQueue(this.core, workerId, Boolean(args.assistant))?.size ?? 0;
    for (;;) {
      const reply = this.handOut(args, false, scope, args.current_tasks == null ? null : current);
      replies.push(reply);
      // A batch (Luigi's batch_method) is one hand-out of several steps: the worker runs it as one.
      if (reply.task_id === null || reply.batch_id !== undefined || replies.length >= max) break;
      current.push(reply.task_id);
      // A fair share only: the rest of what this worker could run stays for the other workers.
      const pendingAtStart = Math.max((replies[0] as GetWorkResponse).n_pending_tasks, queueAtStart);
      if (replies.length * Math.max(1, this.state.workers.size) >= pendingAtStart) break;
    }
    const last = replies.at(-1) as GetWorkResponse;
    // Only an answer that hands out nothing is read for who runs what: with work handed out the list is
    // left empty (with many workers it names every running step, in every answer).
    if (last.task_id === null) {
      last.running_tasks = this.runningTasksFor(workerId);
      if (scope.help) last.n_helped_running = helpedRunning(this.state, workerId, scope.help);
    }
    return { replies };
  }

  countPending(args: WorkerArgs): PendingCounts {
    this.tick();
    const workerId = required(args.worker, "worker");
    this.state.getWorker(workerId);
    return this.pendingCounts(workerId);
  }

  ping(args: WorkerArgs): PingResponse {
    this.tick();
    const w = this.state.touchWorker(required(args.worker, "worker"));
    return { rpc_messages: w.fetchRpcMessages() };
  }

  /** Only feeds the batch e-mailer (the `failureReported` hook); changes nothing. */
  announceSchedulingFailure(args: AnnounceSchedulingFailureArgs): null {
    if (this.core.hooks.failureReported) {
      const { task_name, family, params } = args;
      this.reportFailure("scheduling", args.worker ?? null, task_name, family, params, args);
    }
    return null;
  }

  setTaskStatusMessage(args: SetTaskStatusMessageArgs): null {
    this.tick();
    const rec = this.state.steps.get(args.task_id);
    if (rec) {
      rec.statusMessage = args.status_message;
      if (rec.status === "RUNNING")
        for (const m of this.batchMembersOf(rec)) m.statusMessage = args.status_message;
    }
    return null;
  }

  getTaskStatusMessage(args: TaskIdArgs): TaskStatusMessage {
    const rec = this.state.steps.get(args.task_id);
    return { taskId: args.task_id, statusMessage: rec ? rec.statusMessage : "" };
  }

  setTaskProgressPercentage(args: SetTaskProgressPercentageArgs): null {
    this.tick();
    const rec = this.state.steps.get(args.task_id);
    if (rec) {
      rec.progressPercentage = args.progress_percentage;
      if (rec.status === "RUNNING") {
        for (const m of this.batchMembersOf(rec)) m.progressPercentage = args.progress_percentage;
      }
    }
    return null;
  }

  getTaskProgressPercentage(args: TaskIdArgs): TaskProgressPercentage {
    const rec = this.state.steps.get(args.task_id);
    return { taskId: args.task_id, progressPercentage: rec ? rec.progressPercentage : null };
  }

  /**
   * Only for RUNNING steps; each positive amount is taken off the running resources (floor 0), batch
   * members too. A step that holds its declared resources without a copy (claimed RUNNING directly)
   * gets the copy first, where Luigi would fail.
   */
  decreaseRunningTaskResources(args: DecreaseRunningTaskResourcesArgs): null {
    this.tick();
    const rec = this.state.steps.get(args.task_id);
    if (!rec || rec.status !== "RUNNING") return null;
    for (const target of [rec, ...this.batchMembersOf(rec)]) {
      this.state.change(target, () => {
        const held = { ...(target.resourcesRunning ?? target.resources) };
        for (const [name, amount] of Object.entries(args.decrease_resources ?? {})) {
          const cur = held[name];
          if (amount > 0 && cur !== undefined) held[name] = Math.max(0, cur - amount);
        }
        target.resourcesRunning = held;
      });
    }
    return null;
  }

  getRunningTaskResources(args: TaskIdArgs): RunningTaskResources {
    const rec = this.state.steps.get(args.task_id);
    const held = rec?.resourcesRunning;
    return { taskId: args.task_id, resources: held ? { ...held } : null };
  }

  reportTaskStatistics(args: ReportTaskStatisticsArgs): null {
    notify(this.core.hooks, "taskStatistics", args.task_id, args.statistics);
    return null;
  }

  sendSchedulerMessage(args: SendSchedulerMessageArgs): SendSchedulerMessageResponse {
    this.tick();
    if (!this.options.sendMessages) return { message_id: null };
    const messageId = this.newMessageId();
    this.state.getWorker(required(args.worker, "worker")).addRpcMessage("dispatch_scheduler_message", {
      task_id: args.task,
      message_id: messageId,
      content: args.content,
    });
    return { message_id: messageId };
  }

  addSchedulerMessageResponse(args: AddSchedulerMessageResponseArgs): null {
    const rec = this.state.steps.get(args.task_id);
    if (rec) (rec.messageResponses ??= new Map()).set(args.message_id, args.response);
    return null;
  }

  getSchedulerMessageResponse(args: SchedulerMessageArgs): SchedulerMessageResponse {
    const rec = this.state.steps.get(args.task_id);
    let response: unknown = null;
    if (rec?.messageResponses?.has(args.message_id)) {
      response = rec.messageResponses.get(args.message_id);
      rec.messageResponses.delete(args.message_id);
      if (rec.messageResponses.size === 0) rec.messageResponses = null;
    }
    return { response: response ?? null };
  }

  // ---------------------------------------------------------------- UI / admin

  taskList(args: TaskListArgs = {}): TaskListResponse {
    this.tick();
    return queries.taskList(this.core, args, () => prune(this.core));
  }

  taskSearch(args: TaskSearchArgs): TaskSearchResponse {
    this.tick();
    prune(this.core);
    return queries.taskSearch(this.core, args.task_str ?? "");
  }

  graph(): StepNodes {
    this.tick();
    prune(this.core);
    return queries.graph(this.core);
  }

  depGraph(args: DepGraphArgs): StepNodes {
    this.tick();
    prune(this.core);
    return queries.depGraph(this.core, args.task_id, args.include_done ?? true);
  }

  inverseDepGraph(args: DepGraphArgs): StepNodes {
    this.tick();
    prune(this.core);
    return queries.inverseDepGraph(this.core, args.task_id, args.include_done ?? true);
  }

  workerList(args: WorkerListArgs = {}): WorkerNode[] {
    this.tick();
    prune(this.core);
    return queries.workerList(this.core, args.include_running ?? true);
  }

  resourceList(): ResourceNode[] {
    this.tick();
    prune(this.core);
    return queries.resourceList(this.core);
  }

  fetchError(args: TaskIdArgs): FetchErrorResponse {
    const rec = this.state.steps.get(args.task_id);
    if (!rec) return { taskId: args.task_id, error: "" };
    return {
      taskId: args.task_id,
      error: rec.expl ?? "",
      displayName: displayName(rec),
      taskParams: freshParams(rec.params),
      taskModule: rec.module,
      taskFamily: rec.family,
    };
  }

  reEnableTask(args: TaskIdArgs): ReEnableResponse {
    this.tick();
    const rec = this.state.steps.get(args.task_id);
    if (!rec || rec.status !== "DISABLED" || rec.schedulerDisableTime === null) return {};
    reEnable(this.core, rec, true);
    return stepNode(rec, { sendMessages: this.options.sendMessages });
  }

  /** FAILED -> PENDING, keeping the failure history ("forgive, don't forget"). */
  forgiveFailures(args: TaskIdArgs): StatusChange {
    this.tick();
    const rec = this.state.steps.get(args.task_id);
    if (!rec) return { task_id: args.task_id, status: null };
    if (rec.status === "FAILED") {
      setStatus(this.core, rec, "PENDING", "forgiven");
    }
    return { task_id: args.task_id, status: rec.status };
  }

  markAsDone(args: TaskIdArgs): StatusChange {
    this.tick();
    const rec = this.state.steps.get(args.task_id);
    if (!rec) return { task_id: args.task_id, status: null };
    if (rec.status === "RUNNING" || rec.status === "FAILED" || rec.status === "DISABLED") {
      setStatus(this.core, rec, "DONE", "marked-done");
    }
    return { task_id: args.task_id, status: rec.status };
  }

  /** The worker gets no new work and is dropped from every step's eligible workers (not stakeholders). */
  disableWorker(args: WorkerArgs): null {
    this.tick();
    const workerId = required(args.worker, "worker");
    this.state.getWorker(workerId).disabled = true;
    this.state.dropEligibility(workerId);
    return null;
  }

  setWorkerProcesses(args: SetWorkerProcessesArgs): null {
    this.tick();
    this.state
      .getWorker(required(args.worker, "worker"))
      .addRpcMessage("set_worker_processes", { n: args.n });
    return null;
  }

  isPauseEnabled(): PauseEnabled {
    return { enabled: this.options.pauseEnabled };
  }

  isPaused(): PauseState {
    return { paused: this.paused };
  }

  pause(): null {
    if (this.options.pauseEnabled) this.paused = true;
    return null;
  }

  unpause(): null {
    if (this.options.pauseEnabled) this.paused = false;
    return null;
  }

  updateResources(args: Resources): null {
    Object.assign(this.core.capacity, args);
    return null;
  }

  updateResource(args: UpdateResourceArgs): boolean {
    if (!Number.isInteger(args.amount) || args.amount < 0) return false;
    this.core.capacity[args.resource] = args.amount;
    return true;
  }

  hasTaskHistory(): boolean {
    return this.options.recordStepHistory;
  }

  /** luigi-ts: one page of the step list, with counts and families (see queries.stepPage). */
  stepPage(args: StepPageArgs = {}): StepPage {
    this.tick();
    prune(this.core);
    return queries.stepPage(this.core, args);
  }

  /** luigi-ts: a bounded graph around one step (see queries.stepGraph). */
  stepGraph(args: StepGraphArgs): StepGraph {
    this.tick();
    prune(this.core);
    return queries.stepGraph(this.core, args);
  }

  /** luigi-ts: the latest run of each step held, as Gantt bars (see timeline.ts). */
  stepTimeline(args: StepTimelineArgs = {}): StepTimeline {
    this.tick();
    prune(this.core);
    return stepTimeline(this.core, args);
  }

  prune(): null {
    this.tick();
    prune(this.core);
    return null;
  }

  /** Whether a prune at the clock's time could change anything (see pruneDue in prune.ts). */
  pruneDue(): boolean {
    this.tick();
    return pruneDue(this.core);
  }

  // ---------------------------------------------------------------- luigi-ts: triggered runs

  /** Queues a run of a root step for an assistant that can load its family (see triggers.ts). */
  triggerStep(args: TriggerStepArgs): TriggerInfo {
    this.tick();
    return queueTrigger(this.core, args);
  }

  takeTrigger(args: WorkerArgs): TakenTrigger {
    this.tick();
    return takeTrigger(this.core, this.state.touchWorker(required(args.worker, "worker")));
  }

  reportTrigger(args: ReportTriggerArgs): TriggerReportAnswer {
    this.tick();
    const worker = required(args.worker, "worker");
    this.state.touchWorker(worker);
    return reportTrigger(this.core, { ...args, worker });
  }

  triggerList(args: TriggerListArgs = {}): TriggerList {
    this.tick();
    prune(this.core);
    return listTriggers(this.core, args);
  }

  // ---------------------------------------------------------------- luigi-ts: captured step logs

  /** Pieces of the logs of the steps a worker runs (see step-logs.ts); complete ones go to the hook. */
  addStepLogs(args: AddStepLogsArgs): null {
    const now = this.tick();
    const worker = required(args.worker, "worker");
    this.state.touchWorker(worker);
    const budget = { perStep: this.options.stepLogBytes, total: this.options.stepLogMemory };
    // step_log_memory = 0: no logs kept (luigi --local-scheduler: nobody could read them).
    if (budget.total <= 0) return null;
    for (const chunk of args.logs ?? []) {
      const rec = this.state.steps.get(chunk.task_id);
      if (!rec) continue;
      const runner = isRunningStatus(rec.status) ? rec.workerRunning : null;
      for (const held of this.state.logs.add(worker, chunk, runner, now, budget))
        finishedLog(this.core, held);
    }
    return null;
  }

  /** A step's latest log, or null when none is kept. */
  stepLog(args: TaskIdArgs): StepLogAnswer | null {
    const held = this.state.logs.get(args.task_id);
    return held ? stepLogAnswer(held) : null;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * count_pending from the per-worker counters: O(running steps of the worker). A helper's
   * n_pending_tasks also counts what the workers it helps have pending.
   */
  private pendingCounts(workerId: string, listRunning = true, help?: HelpScope): PendingCounts {
    const { state } = this;
    const wi = state.idx.perWorker.get(workerId);
    let helped = 0;
    for (const other of help?.indexes ?? []) helped += other.nPending;
    return {
      n_pending_tasks: (wi?.nPending ?? 0) + helped,
      n_unique_pending: wi?.nUnique ?? 0,
      n_pending_last_scheduled: wi?.nLastScheduled ?? 0,
      worker_state: state.workers.get(workerId)?.state ?? "active",
      running_tasks: listRunning ? this.runningTasksFor(workerId) : [],
    };
  }

  /** Steps this worker could run that another worker runs now, with the runner's info (Luigi's shape). */
  private runningTasksFor(workerId: string): RunningTaskInfo[] {
    const { state } = this;
    const running: RunningTaskInfo[] = [];
    for (const id of state.idx.perWorker.get(workerId)?.runningEligible ?? []) {
      const runner = state.steps.get(id)?.workerRunning;
      if (runner == null) continue;
      running.push(Object.assign({ task_id: id, worker: runner }, state.workers.get(runner)?.info));
    }
    return running;
  }

  /** The best-ranked step this worker is said to run but no longer reports (SPEC 2.4 step 3). */
  private lostAssignment(workerId: string, current: Set<string>): StepRecord | undefined {
    let best: StepRecord | undefined;
    for (const id of this.state.idx.perWorker.get(workerId)?.runs ?? []) {
      const rec = this.state.steps.get(id);
      if (!rec || rec.status !== "RUNNING" || current.has(id)) continue;
      if (!best || rankBefore(rec, best)) best = rec;
    }
    return best;
  }

  /** BATCH_RUNNING members of this worker whose batch head is not running any more go back to PENDING. */
  private resetOrphanedBatches(workerId: string): void {
    const { state } = this;
    const runs = [...(state.idx.perWorker.get(workerId)?.runs ?? [])].map((id) => state.steps.get(id));
    const liveBatches = new Set(runs.filter((r) => r?.status === "RUNNING").map((r) => r?.batchId ?? null));
    for (const rec of runs) {
      if (rec?.status === "BATCH_RUNNING" && !liveBatches.has(rec.batchId))
        setStatus(this.core, rec, "PENDING", "batch-reset");
    }
  }

  private batchMembersOf(rec: StepRecord): StepRecord[] {
    if (rec.batchId === null) return [];
    const members = this.state.idx.batchMembers.get(rec.batchId);
    return members ? [...members].filter((m) => m !== rec) : [];
  }
}

function rankBefore(a: StepRecord, b: StepRecord): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.time !== b.time) return a.time < b.time;
  return a.seq < b.seq;
}

function required(value: string | null | undefined, name: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError(`missing required argument: ${name}`);
  return value;
}

function infoObject(info: WorkerInfo | [string, unknown][] | null | undefined): Record<string, unknown> {
  if (!info) return {};
  if (Array.isArray(info)) {
    const out: Record<string, unknown> = {};
    for (const pair of info) if (Array.isArray(pair) && typeof pair[0] === "string") out[pair[0]] = pair[1];
    return out;
  }
  return { ...info };
}

/** For storing in a record: may be the shared frozen empty object. */
function copyParams(
  params: Record<string, string | string[]> | null | undefined,
): Record<string, string | string[]> {
  if (!params || isEmpty(params)) return EMPTY_OBJECT;
  return freshParams(params);
}

/** For handing out: always the caller's own object. */
function freshParams(params: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params)) out[k] = Array.isArray(v) ? [...v] : v;
  return out;
}

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}

function sameResources(a: Resources, b: Resources): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
