/**
 * The worker's outgoing reports, batched: the scheduling walk's registrations travel in `add_tasks` calls
 * of REGISTRATION_BATCH, and the outcomes of finished steps wait (at most REPORT_DELAY_MS) for the next
 * `get_works`, which carries them, or go on their own in one `add_tasks`.
 */
import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { AddTaskArgs, SchedulerApi } from "../scheduler/api.js";

/** An add_task's arguments without the worker (batches name it once). */
export type TaskReport = Omit<AddTaskArgs, "worker">;

/** Registrations per `add_tasks` call while walking the graph: large enough to amortise a round trip. */
const REGISTRATION_BATCH = 500;
/**
 * Longest an outcome waits for the next request before it is sent on its own (ms): dependants elsewhere
 * must not wait on this worker's batch.
 */
const REPORT_DELAY_MS = 100;

export class Outbox {
  /** add_task calls of the scheduling walk not sent yet. */
  private registrations: TaskReport[] = [];
  /** Outcomes not reported yet. */
  private outcomes: TaskReport[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The chain of outcome sends in flight, if any (settles, never rejects). */
  private sending: Promise<void> | undefined;

  constructor(
    private readonly scheduler: SchedulerApi,
    private readonly workerId: string,
    private readonly log: Logger,
    /**
     * Awaited before outcomes are sent: the captured logs' last pieces go first, so that the scheduler
     * has a run's whole log when it hears how the run ended.
     */
    readonly beforeOutcomes: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Outcomes waiting to be sent. */
  get queued(): number {
    return this.outcomes.length;
  }

  /** Queues a registration of the walk; sends the batch when it is full. */
  async register(task: TaskReport): Promise<void> {
    this.registrations.push(task);
    if (this.registrations.length >= REGISTRATION_BATCH) await this.flushRegistrations();
  }

  /** Sends the registrations gathered so far in one `add_tasks` round trip. */
  async flushRegistrations(): Promise<void> {
    if (this.registrations.length === 0) return;
    const tasks = this.registrations;
    this.registrations = [];
    await this.scheduler.addTasks({ worker: this.workerId, tasks });
  }

  /** Queues an outcome: it goes with the next request, or on its own after REPORT_DELAY_MS. */
  queue(task: TaskReport): void {
    this.outcomes.push(task);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) =>
        this.log.warn({ err: describeThrown(err).message }, "reporting finished steps failed"),
      );
    }, REPORT_DELAY_MS);
  }

  /**
   * Sends the queued outcomes in one `add_tasks` round trip. Sends are chained, one at a time: a later
   * one (or a `get_works`) overtaking an earlier one still being retried would leave the scheduler
   * believing those steps still run, and it would hand them out again.
   */
  async flush(): Promise<void> {
    const send = async (): Promise<void> => {
      if (this.outcomes.length === 0) return;
      await this.beforeOutcomes();
      const tasks = this.take();
      if (tasks.length === 0) return;
      try {
        await this.scheduler.addTasks({ worker: this.workerId, tasks });
      } catch (err) {
        // Not delivered (the scheduler is away longer than the client's retries): they go with the next
        // request. Dropping them would make the scheduler hand the steps out again.
        this.giveBack(tasks);
        throw err;
      }
    };
    const sending = (this.sending ?? Promise.resolve()).then(send);
    this.sending = sending.catch(() => undefined);
    await sending;
  }

  /** Resolves once the sends in flight have settled: a request must not overtake them. */
  async settled(): Promise<void> {
    await this.sending;
  }

  /** Empties the outcome queue (its timer too) and returns what it held, for a request to carry. */
  take(): TaskReport[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const tasks = this.outcomes;
    this.outcomes = [];
    return tasks;
  }

  /** Puts back outcomes a request failed to deliver, ahead of newer ones. */
  giveBack(tasks: TaskReport[]): void {
    this.outcomes.unshift(...tasks);
  }
}

/**
 * An add_task's arguments without the worker and without the arguments that only repeat the scheduler's
 * defaults (null, false, 0, empty): a graph registration then carries a third less JSON to encode, parse,
 * check and journal. Built member by member rather than by deleting from a copy, which would leave V8 a
 * slow dictionary-mode object on the walk's path.
 */
export function slim(a: AddTaskArgs): TaskReport {
  const task: TaskReport = { task_id: a.task_id };
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
  if (a.incomplete_after_done === true) task.incomplete_after_done = true;
  return task;
}

function isEmptyObject(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}
