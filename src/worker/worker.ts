import { setTimeout as sleep } from "node:timers/promises";
import { describeThrown, ErrorCode } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import {
  MAX_WORKS_PER_CALL,
  type AddTaskArgs,
  type GetWorkResponse,
  type SchedulerApi,
  type StepStatus,
} from "../scheduler/api.js";
import { stepFromWire } from "../step/rebuild.js";
import { anyHandlers } from "../step/events.js";
import { isExternal, type Step, type StepReporter } from "../step/step.js";
import { mapConcurrent } from "./concurrency.js";
import { InlineExecutor, type RunOutcome } from "./execute.js";
import { WorkerHistory } from "./history.js";
import { workerIdentity, type WorkerIdentity } from "./identity.js";
import type { ProcessExecutor } from "./process-executor.js";

function safeDependencies(step: Step): Step[] {
  try {
    return step.dependencies();
  } catch {
    return [];
  }
}

/**
 * An add_task's arguments without the worker and without the arguments that only repeat the scheduler's
 * defaults (null, false, 0, empty): a graph registration then carries a third less JSON to encode, parse,
 * check and journal. Built member by member rather than by deleting from a copy, which would leave V8 a
 * slow dictionary-mode object on the walk's path.
 */
function slim(a: AddTaskArgs): Omit<AddTaskArgs, "worker"> {
  const task: Omit<AddTaskArgs, "worker"> = { task_id: a.task_id };
  if (a.status !== undefined) task.status = a.status;
  if (a.runnable !== undefined) task.runnable = a.runnable;
  if (a.deps !== undefined) task.deps = a.deps;
  if (a.new_deps != null) task.new_deps = a.new_deps;
  if (a.expl != null) task.expl = a.expl;
  if (a.resources != null && !isEmptyObject(a.resources)) task.resources = a.resources;
  if (a.priority !== undefined && a.priority !== 0) task.priority = a.priority;
  if (a.family !== undefined) task.family = a.family;
  if (a.module != null) task.module = a.module;
  if (a.params != null) task.params = a.params;
  if (a.param_visibilities != null && Object.values(a.param_visibilities).some((v) => v !== 0))
    task.param_visibilities = a.param_visibilities;
  if (a.accepts_messages === true) task.accepts_messages = true;
  if (a.assistant === true) task.assistant = true;
  if (a.tracking_url != null) task.tracking_url = a.tracking_url;
  if (a.batchable === true) task.batchable = true;
  if (a.batch_id != null) task.batch_id = a.batch_id;
  const policy = a.retry_policy_dict;
  if (
    policy != null &&
    (policy.retry_count != null || policy.disable_hard_timeout != null || policy.disable_window != null)
  )
    task.retry_policy_dict = policy;
  if (a.owners != null && a.owners.length > 0) task.owners = a.owners;
  return task;
}

function isEmptyObject(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/** Registrations per `add_tasks` call while walking the graph: large enough to amortise a round trip. */
const REGISTRATION_BATCH = 500;
/** A step that ran faster than this lets the worker take more steps per request (see workBatchSize). */
const FAST_STEP_SECONDS = 0.05;
/**
 * Longest an outcome waits for the next request before it is sent on its own (ms): dependants elsewhere
 * must not wait on this worker's batch.
 */
const REPORT_DELAY_MS = 100;

/** Worker settings; the defaults are Luigi's `[worker]` defaults unless noted. */
export interface WorkerOptions {
  scheduler: SchedulerApi;
  /** Steps run at once (`--workers`). Default 1. */
  processes?: number;
  /** Explicit worker id (`[worker] id`). Default: Luigi's `Worker(salt=..., ...)` form. */
  id?: string;
  /** Run any pending step whose family this process can load (`--assistant`). Default false. */
  assistant?: boolean;
  /** Keep asking for work while the scheduler reports pending steps. Default false. */
  keepAlive?: boolean;
  countUniques?: boolean;
  countLastScheduled?: boolean;
  /** Seconds idle before a keep-alive worker gives up anyway; 0 = never. Default 0. */
  maxKeepAliveIdleDuration?: number;
  /** Seconds between empty get_work polls, plus up to waitJitter. Defaults 1 and 5. */
  waitInterval?: number;
  waitJitter?: number;
  /** Seconds between pings. Default 1. */
  pingInterval?: number;
  /** Default run timeout in seconds for steps without `workerTimeout`; 0 = none. Default 0. */
  timeout?: number;
  /** Re-check dependencies' completeness just before a run. Default true. */
  checkUnfulfilledDeps?: boolean;
  /** After run(), the step must be complete or it fails. Default false. */
  checkCompleteOnRun?: boolean;
  /** Let missing external steps be retried (runnable). Default false. */
  retryExternalTasks?: boolean;
  /** Stop scheduling after this many steps (the rest are reported UNKNOWN). Default: no limit. */
  taskLimit?: number | null;
  /** Remember steps seen complete and never re-check them. Default false. */
  cacheTaskCompletion?: boolean;
  /** complete() calls in flight at once while walking the graph (luigi-ts). Default 16. */
  completionConcurrency?: number;
  /**
   * Most steps one `get_works` request takes while steps finish in under 50 ms (a slow step resets it to
   * one); finished steps are then reported with the next request. 1 = Luigi's one `get_work` per step and
   * an `add_task` per outcome. Default 32.
   */
  workBatchSize?: number;
  /** Times a step may be rescheduled for an unfulfilled dependency. Default 1. */
  maxReschedules?: number;
  /** Where steps run: "inline" (async, this process; default) or "process" (a child process each). */
  isolation?: "inline" | "process";
  /** Needed for process isolation: runs a step in a child process. */
  processExecutor?: ProcessExecutor;
  logger?: Logger;
  /** Called whenever counts change (live progress display). */
  onProgress?: (progress: WorkerProgress) => void;
}

export interface WorkerProgress {
  scheduled: number;
  done: number;
  failed: number;
  running: { id: string; name: string; statusMessage?: string; progress?: number }[];
  pending: number;
}

interface RunningEntry {
  step: Step;
  promise: Promise<void>;
  abort: AbortController;
  statusMessage?: string;
  progress?: number;
}

/**
 * The worker: walks the requirements of the steps it is given, registers each with the scheduler
 * (complete ones as DONE), then runs what `get_work` hands it until nothing is left for it.
 */
export class Worker {
  readonly identity: WorkerIdentity;
  readonly history = new WorkerHistory();
  private readonly scheduler: SchedulerApi;
  private readonly log: Logger;
  private readonly opts: Required<
    Omit<WorkerOptions, "scheduler" | "logger" | "onProgress" | "id" | "processExecutor" | "taskLimit">
  > & { taskLimit: number | null };
  private readonly known = new Map<string, Step>();
  private readonly completeCache = new Set<string>();
  private readonly running = new Map<string, RunningEntry>();
  private readonly reschedules = new Map<string, number>();
  /** add_task calls of the scheduling walk not sent yet (they travel in batches). */
  private registrations: Omit<AddTaskArgs, "worker">[] = [];
  /** Steps handed out by the last `get_works`, not started yet. */
  private handed: GetWorkResponse[] = [];
  /** Outcomes not reported yet: they travel with the next `get_works` (or after REPORT_DELAY_MS). */
  private outbox: Omit<AddTaskArgs, "worker">[] = [];
  private outboxTimer: NodeJS.Timeout | undefined;
  /** The chain of outbox flushes in flight, if any (settles, never rejects). */
  private reporting: Promise<void> | undefined;
  /** Steps to ask for per request now: doubles while steps finish fast, back to 1 after a slow one. */
  private batchSize = 1;
  private readonly inline = new InlineExecutor();
  private pinger: NodeJS.Timeout | undefined;
  private phasingOut = false;
  private schedulingFailed = false;
  private scheduledCount = 0;
  private doneCount = 0;
  private failedCount = 0;

  constructor(private readonly options: WorkerOptions) {
    this.scheduler = options.scheduler;
    this.log = options.logger ?? silentLogger();
    this.opts = {
      processes: Math.max(1, options.processes ?? 1),
      assistant: options.assistant ?? false,
      keepAlive: options.keepAlive ?? false,
      countUniques: options.countUniques ?? false,
      countLastScheduled: options.countLastScheduled ?? false,
      maxKeepAliveIdleDuration: options.maxKeepAliveIdleDuration ?? 0,
      waitInterval: options.waitInterval ?? 1,
      waitJitter: options.waitJitter ?? 5,
      pingInterval: options.pingInterval ?? 1,
      timeout: options.timeout ?? 0,
      checkUnfulfilledDeps: options.checkUnfulfilledDeps ?? true,
      checkCompleteOnRun: options.checkCompleteOnRun ?? false,
      retryExternalTasks: options.retryExternalTasks ?? false,
      taskLimit: options.taskLimit ?? null,
      cacheTaskCompletion: options.cacheTaskCompletion ?? false,
      completionConcurrency: Math.max(1, options.completionConcurrency ?? 16),
      maxReschedules: options.maxReschedules ?? 1,
      workBatchSize: Math.max(1, Math.floor(options.workBatchSize ?? 32)),
      isolation: options.isolation ?? "inline",
    };
    if (this.opts.isolation === "process" && !options.processExecutor) {
      throw new TypeError(
        "isolation 'process' needs a processExecutor (the module path the steps come from)",
      );
    }
    this.identity = workerIdentity(this.opts.processes, options.id);
  }

  get id(): string {
    return this.identity.id;
  }

  /** True when some step could not be scheduled (complete() or requires() threw, or the limit hit). */
  get hadSchedulingError(): boolean {
    return this.schedulingFailed;
  }

  /** Asks the worker to finish its running steps and take no new ones (SIGUSR1, disabled worker). */
  phaseOut(): void {
    this.phasingOut = true;
  }

  /**
   * Registers `roots` and everything they need with the scheduler. complete() calls run concurrently
   * (bounded by completionConcurrency); each step is checked once.
   */
  async add(roots: Step[]): Promise<void> {
    if (this.identity.info.first_task === undefined && roots[0]) this.identity.info.first_task = roots[0].id;
    const queue: Step[] = [];
    for (const root of roots) {
      if (!this.known.has(root.id)) {
        this.known.set(root.id, root);
        queue.push(root);
      }
    }
    let next = 0;
    let active = 0;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (active < this.opts.completionConcurrency && next < queue.length) {
          const step = queue[next++] as Step;
          queue[next - 1] = undefined as unknown as Step; // let visited steps be collected from the queue
          active++;
          this.visit(step)
            .then((deps) => {
              for (const dep of deps) {
                if (!this.known.has(dep.id)) {
                  this.known.set(dep.id, dep);
                  queue.push(dep);
                }
              }
            })
            .catch((err: unknown) => this.log.error({ err: describeThrown(err) }, "scheduling walk failed"))
            .finally(() => {
              active--;
              pump();
            });
        }
        if (active === 0 && next >= queue.length) resolve();
      };
      pump();
    });
    await this.flushRegistrations();
  }

  /** Checks one step and registers it; returns the dependencies still to visit. */
  private async visit(step: Step): Promise<Step[]> {
    if (this.opts.taskLimit !== null && this.scheduledCount >= this.opts.taskLimit) {
      await this.report(
        step,
        "UNKNOWN",
        {
          runnable: false,
          expl: `task_limit of ${this.opts.taskLimit} reached`,
        },
        "walk",
      );
      this.schedulingFailed = true;
      return [];
    }
    if (step.disabled) {
      await this.report(step, "DISABLED", { runnable: false }, "walk");
      return [];
    }
    let complete: boolean;
    let deps: Step[] = [];
    try {
      complete = await this.isComplete(step);
      if (typeof complete !== "boolean") {
        throw new TypeError(`${step.family}.complete() returned ${typeof complete}, not a boolean`);
      }
      if (!complete && !isExternal(step)) deps = step.dependencies();
    } catch (err) {
      const { message, stack } = describeThrown(err);
      this.log.error(
        { step: step.toString(), err: message },
        "could not schedule step: complete() or requires() failed",
      );
      this.schedulingFailed = true;
      await this.fire(step, "brokenStep", err);
      await this.report(step, "UNKNOWN", { runnable: false, expl: stack }, "walk");
      return [];
    }
    this.scheduledCount++;
    if (complete) {
      if (anyHandlers()) await this.fire(step, "dependencyPresent");
      await this.report(step, "DONE", { runnable: false }, "walk");
      return [];
    }
    if (isExternal(step)) {
      await this.fire(step, "dependencyMissing");
      this.log.warn({ step: step.toString() }, "external dependency is missing");
      await this.report(step, "PENDING", { runnable: this.opts.retryExternalTasks, deps: [] }, "walk");
      return [];
    }
    if (anyHandlers()) for (const dep of deps) await this.fire(step, "dependencyDiscovered", dep);
    await this.report(step, "PENDING", { runnable: true, deps: deps.map((d) => d.id) }, "walk");
    return deps;
  }

  private async isComplete(step: Step): Promise<boolean> {
    if (this.opts.cacheTaskCompletion && this.completeCache.has(step.id)) return true;
    const complete = await step.complete();
    if (complete === true && this.opts.cacheTaskCompletion) this.completeCache.add(step.id);
    return complete;
  }

  /** Sends a status claim about `step` to the scheduler and records it for the summary. */
  private async report(
    step: Step,
    status: StepStatus,
    extra: { runnable?: boolean | null; deps?: string[] | null; newDeps?: string[]; expl?: string | null },
    via: "call" | "walk" | "outbox" = "call",
  ): Promise<void> {
    if (extra.runnable !== null) this.history.record(step, status, extra.runnable ?? true);
    else this.history.record(step, status, this.history.get(step.id)?.runnable ?? true);
    const { params, visibilities } = step.wireParams();
    const args: AddTaskArgs = {
      worker: this.id,
      task_id: step.id,
      status,
      runnable: extra.runnable ?? null,
      deps: extra.deps ?? null,
      new_deps: extra.newDeps ?? null,
      // Luigi JSON-encodes the explanation text once more; kept for wire compatibility.
      expl: extra.expl === undefined || extra.expl === null ? null : JSON.stringify(extra.expl),
      resources: { ...step.resources },
      priority: step.priority,
      family: step.family,
      module: (step.constructor as typeof Step).stepModule ?? null,
      params,
      param_visibilities: visibilities,
      accepts_messages: false,
      assistant: this.opts.assistant,
      tracking_url: null,
      batchable: false,
      batch_id: null,
      retry_policy_dict: {
        retry_count: step.retryCount,
        disable_hard_timeout: step.disableHardTimeout,
        disable_window: step.disableWindow,
      },
      owners: [...step.owners],
    };
    if (via === "call") {
      await this.scheduler.addTask(args);
      return;
    }
    const task = slim(args);
    if (via === "outbox") {
      this.outbox.push(task);
      this.outboxTimer ??= setTimeout(() => {
        this.outboxTimer = undefined;
        this.flushOutbox().catch((err: unknown) =>
          this.log.warn({ err: describeThrown(err).message }, "reporting finished steps failed"),
        );
      }, REPORT_DELAY_MS);
      return;
    }
    this.registrations.push(task);
    if (this.registrations.length >= REGISTRATION_BATCH) await this.flushRegistrations();
  }

  /**
   * Sends the outcomes waiting in the outbox in one `add_tasks` round trip. Sends are chained, one at a
   * time: a later one (or a `get_works`) overtaking an earlier one still being retried would leave the
   * scheduler believing those steps still run, and it would hand them out again.
   */
  private async flushOutbox(): Promise<void> {
    const send = async (): Promise<void> => {
      const tasks = this.takeOutbox();
      if (tasks.length === 0) return;
      try {
        await this.scheduler.addTasks({ worker: this.id, tasks });
      } catch (err) {
        // Not delivered (the scheduler is away longer than the client's retries): they go with the next
        // request. Dropping them would make the scheduler hand the steps out again.
        this.outbox.unshift(...tasks);
        throw err;
      }
    };
    const sending = (this.reporting ?? Promise.resolve()).then(send);
    this.reporting = sending.catch(() => undefined);
    await sending;
  }

  /** Empties the outbox (its timer too) and returns what it held. */
  private takeOutbox(): Omit<AddTaskArgs, "worker">[] {
    if (this.outboxTimer) clearTimeout(this.outboxTimer);
    this.outboxTimer = undefined;
    const tasks = this.outbox;
    this.outbox = [];
    return tasks;
  }

  /** Sends the registrations gathered by the scheduling walk in one `add_tasks` round trip. */
  private async flushRegistrations(): Promise<void> {
    if (this.registrations.length === 0) return;
    const tasks = this.registrations;
    this.registrations = [];
    await this.scheduler.addTasks({ worker: this.id, tasks });
  }

  /**
   * Runs what the scheduler hands out until nothing is left for this worker. Returns true when no step
   * failed and scheduling went well.
   */
  async run(): Promise<boolean> {
    await this.scheduler.addWorker({ worker: this.id, info: this.identity.info });
    this.startPinging();
    let idleSince: number | undefined;
    try {
      for (;;) {
        // Steps already handed to this worker are its own: they run even when it is phasing out.
        while (this.running.size < this.opts.processes && this.handed.length > 0) {
          this.start(this.handed.shift() as GetWorkResponse);
        }
        if (this.running.size >= this.opts.processes || (this.phasingOut && this.running.size > 0)) {
          await this.waitForAnyRun();
          continue;
        }
        if (this.phasingOut) break;
        const replies = await this.getWork();
        const reply = replies.at(-1) as GetWorkResponse;
        if (reply.worker_state === "disabled") {
          this.log.info("the scheduler disabled this worker: finishing running steps, then stopping");
          this.phaseOut();
          continue;
        }
        const handedOut = replies.filter((r) => r.task_id !== null);
        if (handedOut.length > 0) {
          idleSince = undefined;
          this.handed.push(...handedOut);
          continue;
        }
        let othersRunMine = false;
        for (const info of reply.running_tasks) {
          if (info.worker !== this.id) {
            this.history.runByOtherWorker.set(info.task_id, info.worker);
            othersRunMine = true;
          }
        }
        if (this.running.size > 0) {
          await this.waitForAnyRun();
          continue;
        }
        if (othersRunMine && reply.n_pending_tasks > 0 && !this.phasingOut) {
          // Another worker runs a step this one needs: wait for it instead of giving up (luigi-ts; Luigi
          // exits unless keep_alive), then go on with what depends on it.
          await sleep(this.pollDelay());
          continue;
        }
        idleSince ??= Date.now();
        if (!this.keepAlive(reply, idleSince)) break;
        await sleep(this.pollDelay());
      }
    } finally {
      await Promise.allSettled([...this.running.values()].map((r) => r.promise));
      await this.flushOutbox().catch((err: unknown) =>
        this.log.error({ err: describeThrown(err).message }, "reporting finished steps failed"),
      );
      this.stopPinging();
    }
    await this.settleRunByOthers();
    return this.failedCount === 0 && !this.schedulingFailed;
  }

  private pollDelay(): number {
    return (this.opts.waitInterval + Math.random() * this.opts.waitJitter) * 1000;
  }

  /**
   * Steps this worker left pending that are complete now were run by other workers (luigid shares the
   * graph): they are recorded as such, checked with the same bounded concurrency as the scheduling walk.
   */
  private async settleRunByOthers(): Promise<void> {
    const open = [...this.history.entries.values()].filter((e) => {
      const last = e.statuses.at(-1);
      return last === "PENDING" || last === "RUNNING";
    });
    if (open.length === 0) return;
    // Whatever a completed step needs was complete when it ran: no need to ask those again.
    const known = new Set<string>();
    const stack: Step[] = [];
    for (const entry of this.history.entries.values()) {
      if (entry.statuses.at(-1) === "DONE") stack.push(entry.step);
    }
    while (stack.length > 0) {
      const step = stack.pop() as Step;
      for (const dep of safeDependencies(step)) {
        if (known.has(dep.id)) continue;
        known.add(dep.id);
        stack.push(dep);
      }
    }
    const unsure = open.filter((e) => !known.has(e.step.id));
    const complete = await mapConcurrent(unsure, this.opts.completionConcurrency, (e) =>
      e.step.complete().catch(() => false),
    );
    const done = new Set(unsure.filter((_, i) => complete[i]).map((e) => e.step.id));
    for (const entry of open) {
      if (!known.has(entry.step.id) && !done.has(entry.step.id)) continue;
      entry.statuses.push("DONE");
      entry.byOtherWorker = true;
      this.history.runByOtherWorker.delete(entry.step.id);
    }
  }

  private keepAlive(reply: GetWorkResponse, idleSince: number): boolean {
    if (!this.opts.keepAlive) return false;
    if (this.opts.assistant) return true;
    if (this.opts.countLastScheduled) return (reply.n_pending_last_scheduled ?? 0) > 0;
    if (this.opts.countUniques) return reply.n_unique_pending > 0;
    if (reply.n_pending_tasks === 0) return false;
    if (!this.opts.maxKeepAliveIdleDuration) return true;
    return Date.now() - idleSince < this.opts.maxKeepAliveIdleDuration * 1000;
  }

  /** One request for work: `get_work`, or `get_works` carrying the outbox when batching is on. */
  private async getWork(): Promise<GetWorkResponse[]> {
    // Outcomes sent on their own must arrive first: a request that overtook them would not list those
    // steps among this worker's current ones, and the scheduler would hand them out again as lost.
    await this.reporting;
    const args = {
      worker: this.id,
      host: this.identity.host,
      assistant: this.opts.assistant,
      current_tasks: [...this.running.keys(), ...this.handed.map((h) => h.task_id as string)],
    };
    if (this.opts.workBatchSize <= 1) return [await this.scheduler.getWork(args)];
    const reports = this.takeOutbox();
    const free = Math.max(1, this.opts.processes - this.running.size);
    try {
      const { replies } = await this.scheduler.getWorks({
        ...args,
        max_tasks: Math.min(MAX_WORKS_PER_CALL, free * this.batchSize),
        reports,
      });
      return replies.length > 0 ? replies : [await this.scheduler.getWork(args)];
    } catch (err) {
      // Not delivered: they go with the next request (the call already retried per rpc_retry_*).
      this.outbox.unshift(...reports);
      throw err;
    }
  }

  private async waitForAnyRun(): Promise<void> {
    await Promise.race([...this.running.values()].map((r) => r.promise));
  }

  /** Starts the step the scheduler handed out, unless this worker already runs it. */
  private start(reply: GetWorkResponse): void {
    const id = reply.task_id as string;
    if (this.running.has(id)) return;
    let step = this.known.get(id);
    if (!step) {
      try {
        step = this.construct(reply);
      } catch (err) {
        // An assistant handed a family it cannot load: say so to the scheduler instead of crashing.
        const { message } = describeThrown(err);
        this.log.error({ step: id, err: message }, "cannot construct the step the scheduler handed out");
        const abort = new AbortController();
        const promise = this.scheduler
          .addTask({
            worker: this.id,
            task_id: id,
            status: "FAILED",
            runnable: false,
            expl: JSON.stringify(message),
          })
          .then(() => undefined)
          .finally(() => this.running.delete(id));
        this.running.set(id, { step: undefined as unknown as Step, promise, abort });
        return;
      }
      this.known.set(id, step);
    }
    const abort = new AbortController();
    const entry: RunningEntry = { step, abort, promise: Promise.resolve() };
    entry.promise = this.runOne(step, entry)
      .catch((err: unknown) =>
        this.log.error({ step: step.toString(), err: describeThrown(err) }, "worker error"),
      )
      .finally(() => {
        this.running.delete(id);
        this.emitProgress();
      });
    this.running.set(id, entry);
    this.emitProgress();
  }

  private construct(reply: GetWorkResponse): Step {
    const step = stepFromWire(reply.task_family ?? "", reply.task_params ?? {});
    if (step.id !== reply.task_id) {
      this.log.warn({ expected: reply.task_id, got: step.id }, "rebuilt step has a different id");
    }
    return step;
  }

  private async runOne(step: Step, entry: RunningEntry): Promise<void> {
    const label = step.toString();
    if (this.opts.checkUnfulfilledDeps) {
      const deps = step.dependencies();
      const complete = await mapConcurrent(deps, this.opts.completionConcurrency, (dep) => dep.complete());
      const missing = deps.filter((_, i) => !complete[i]);
      if (missing.length > 0) {
        await this.handleUnfulfilled(step, missing);
        return;
      }
    }
    this.log.info({ step: label }, "running");
    await this.fire(step, "start");
    const reporter = this.reporter(step, entry);
    const timeout = step.workerTimeout ?? this.opts.timeout;
    let outcome: RunOutcome;
    if (this.opts.isolation === "process" && this.options.processExecutor) {
      outcome = await this.options.processExecutor.execute(step, reporter, entry.abort, timeout);
    } else {
      outcome = await this.inline.execute(step, reporter, entry.abort, timeout);
    }
    if (outcome.kind === "done" && this.opts.checkCompleteOnRun && !(await step.complete())) {
      outcome = {
        kind: "failed",
        message: `${label} finished but is not complete (check_complete_on_run)`,
        stack: `${label} finished but is not complete (check_complete_on_run)`,
        timedOut: false,
        seconds: outcome.seconds,
        attempts: outcome.attempts,
      };
    }
    await this.finish(step, outcome);
  }

  private async finish(step: Step, outcome: RunOutcome): Promise<void> {
    const label = step.toString();
    if (outcome.kind === "suspended") {
      this.log.info({ step: label, newDeps: outcome.newDeps.length }, "waiting for dynamic dependencies");
      await this.report(step, "PENDING", {
        runnable: true,
        newDeps: outcome.newDeps.map((d) => d.id),
        deps: null,
      });
      await this.add(outcome.newDeps);
      return;
    }
    if (outcome.kind === "done") {
      let expl: string | undefined;
      try {
        const hook = await step.onSuccess();
        if (typeof hook === "string") expl = hook;
      } catch (err) {
        this.log.warn({ step: label, err: describeThrown(err).message }, "onSuccess() failed");
      }
      this.doneCount++;
      if (outcome.attempts > 1) {
        const entry = this.history.get(step.id);
        if (entry) entry.retried = true;
      }
      this.batchSize =
        outcome.seconds < FAST_STEP_SECONDS ? Math.min(this.opts.workBatchSize, this.batchSize * 2) : 1;
      await this.report(step, "DONE", { runnable: null, expl: expl ?? null }, this.outcomeVia());
      this.log.info({ step: label, seconds: Number(outcome.seconds.toFixed(3)) }, "done");
      await this.fire(step, "success");
      await this.fire(step, "processingTime", outcome.seconds);
      return;
    }
    let expl = outcome.stack;
    try {
      const hook = await step.onFailure(new Error(outcome.message));
      if (typeof hook === "string") expl = hook;
    } catch (err) {
      this.log.warn({ step: label, err: describeThrown(err).message }, "onFailure() failed");
    }
    this.failedCount++;
    const entry = this.history.get(step.id);
    if (entry) entry.error = { message: outcome.message, stack: outcome.stack };
    this.batchSize = 1;
    await this.report(step, "FAILED", { runnable: null, expl }, this.outcomeVia());
    this.log.error({ step: label, attempts: outcome.attempts, err: outcome.message }, "failed");
    if (outcome.timedOut) await this.fire(step, "timeout", outcome.message);
    await this.fire(step, "failure", new Error(outcome.message));
  }

  /** Outcomes wait for the next request when batching is on; otherwise each is its own `add_task`. */
  private outcomeVia(): "call" | "outbox" {
    return this.opts.workBatchSize > 1 ? "outbox" : "call";
  }

  /** A dependency vanished between scheduling and running: re-register it (at most maxReschedules). */
  private async handleUnfulfilled(step: Step, missing: Step[]): Promise<void> {
    const message = `Unfulfilled dependency at run time: ${missing.map((d) => d.toString()).join(", ")}`;
    const count = (this.reschedules.get(step.id) ?? 0) + 1;
    this.reschedules.set(step.id, count);
    if (count > this.opts.maxReschedules) {
      await this.finish(step, {
        kind: "failed",
        message,
        stack: message,
        timedOut: false,
        seconds: 0,
        attempts: 1,
      });
      return;
    }
    this.log.warn({ step: step.toString() }, message);
    for (const dep of missing) this.known.delete(dep.id);
    await this.report(step, "PENDING", { runnable: true, deps: step.dependencies().map((d) => d.id) });
    await this.add(missing);
  }

  private reporter(step: Step, entry: RunningEntry): StepReporter {
    const send = (what: string, call: Promise<unknown>): void => {
      call.catch((err: unknown) =>
        this.log.warn({ step: step.id, err: describeThrown(err).message }, `${what} failed`),
      );
    };
    return {
      signal: entry.abort.signal,
      setStatusMessage: (message) => {
        entry.statusMessage = message;
        this.emitProgress();
        send(
          "set_task_status_message",
          this.scheduler.setTaskStatusMessage({ task_id: step.id, status_message: message }),
        );
      },
      setProgressPercentage: (percent) => {
        entry.progress = percent;
        this.emitProgress();
        send(
          "set_task_progress_percentage",
          this.scheduler.setTaskProgressPercentage({ task_id: step.id, progress_percentage: percent }),
        );
      },
      setTrackingUrl: (url) => {
        send(
          "add_task",
          this.scheduler.addTask({
            worker: this.id,
            task_id: step.id,
            status: "RUNNING",
            tracking_url: url,
            resources: { ...step.resources },
          }),
        );
      },
      decreaseRunningResources: (resources) => {
        send(
          "decrease_running_task_resources",
          this.scheduler.decreaseRunningTaskResources({ task_id: step.id, decrease_resources: resources }),
        );
      },
    };
  }

  private async fire(step: Step, event: Parameters<Step["fireEvent"]>[0], ...args: unknown[]): Promise<void> {
    if (!anyHandlers()) return;
    const errors = await (step.fireEvent as (e: string, ...a: unknown[]) => Promise<unknown[]>).call(
      step,
      event,
      ...args,
    );
    for (const err of errors) {
      this.log.warn(
        { step: step.toString(), event, err: describeThrown(err).message },
        "event handler failed",
      );
    }
  }

  private emitProgress(): void {
    const listener = this.options.onProgress;
    if (!listener) return;
    listener({
      scheduled: this.scheduledCount,
      done: this.doneCount,
      failed: this.failedCount,
      pending: Math.max(0, this.scheduledCount - this.doneCount - this.failedCount - this.running.size),
      running: [...this.running.values()]
        .filter((r) => r.step !== undefined)
        .map((r) => ({
          id: r.step.id,
          name: r.step.toString(),
          statusMessage: r.statusMessage,
          progress: r.progress,
        })),
    });
  }

  private startPinging(): void {
    const interval = this.opts.pingInterval * 1000;
    if (!(interval > 0)) return;
    const tick = (): void => {
      this.scheduler
        .ping({ worker: this.id })
        .then((reply) => {
          for (const message of reply.rpc_messages) this.handleRpcMessage(message.name, message.kwargs);
        })
        .catch((err: unknown) => this.log.warn({ err: describeThrown(err).message }, "ping failed"));
    };
    this.pinger = setInterval(tick, interval);
    this.pinger.unref();
  }

  private stopPinging(): void {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = undefined;
  }

  private handleRpcMessage(name: string, kwargs: Record<string, unknown>): void {
    if (name === "set_worker_processes") {
      const n = Number(kwargs.n);
      if (Number.isFinite(n)) {
        this.opts.processes = Math.max(1, Math.floor(n));
        this.identity.info.workers = this.opts.processes;
        this.scheduler
          .addWorker({ worker: this.id, info: { workers: this.opts.processes } })
          .catch((err: unknown) => this.log.warn({ err: describeThrown(err).message }, "add_worker failed"));
      }
      return;
    }
    this.log.debug({ name, code: ErrorCode.UNKNOWN_METHOD }, "ignoring unknown scheduler message");
  }
}
