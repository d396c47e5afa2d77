/**
 * The worker: walks the requirements of the steps it is given and registers them with the scheduler
 * (walk.ts), then runs what `get_work` hands it (this file's run loop; each run in run-step.ts) until
 * nothing is left for it, reporting outcomes in batches (outbox.ts) and pinging meanwhile (pinger.ts).
 * An assistant also runs the runs asked for with `trigger_step`, each with a worker of its own
 * (triggered-runs.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_RETCODES } from "../config/index.js";
import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import { StepNotices } from "../notify/index.js";
import { MAX_WORKS_PER_CALL, type GetWorkResponse, type SchedulerApi } from "../scheduler/api.js";
import { LocalScheduler } from "../scheduler/local.js";
import { stepFromWire } from "../step/rebuild.js";
import type { Step } from "../step/step.js";
import { mapConcurrent } from "./concurrency.js";
import { WorkerHistory, type StepRecordEntry } from "./history.js";
import { lowerToNice } from "./helper-priority.js";
import { workerIdentity, type WorkerIdentity } from "./identity.js";
import { keepsAlive } from "./keep-alive.js";
import { parseRedactRules } from "../log/redact.js";
import { workerCapturing } from "./log-capture.js";
import { LogShipper } from "./log-shipper.js";
import { Outbox } from "./outbox.js";
import { Pinger } from "./pinger.js";
import { StepRunner, type RunningEntry } from "./run-step.js";
import { StatusReports } from "./status-reports.js";
import { describeFamilies } from "./trigger-families.js";
import { TriggeredRuns } from "./triggered-runs.js";
import { SchedulingWalk } from "./walk.js";
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from "./worker-options.js";

/** First wait before asking again while other workers run this worker's steps (doubles; see waitDelay). */
const FIRST_WAIT_SECONDS = 0.05;

export type { WorkerOptions, WorkerProgress } from "./worker-options.js";

function safeDependencies(step: Step): Step[] {
  try {
    return step.dependencies();
  } catch {
    return [];
  }
}

export class Worker {
  readonly identity: WorkerIdentity;
  readonly history = new WorkerHistory();
  private readonly scheduler: SchedulerApi;
  private readonly log: Logger;
  private readonly opts: ResolvedWorkerOptions;
  private readonly outbox: Outbox;
  private readonly logs: LogShipper;
  private readonly walk: SchedulingWalk;
  private readonly runner: StepRunner;
  private readonly pinger: Pinger;
  private readonly notices: StepNotices;
  /** An assistant's triggered runs (undefined for other workers). */
  private readonly triggered: TriggeredRuns | undefined;
  private readonly running = new Map<string, RunningEntry>();
  /** Steps handed out by the last `get_works`, not started yet. */
  private handed: GetWorkResponse[] = [];
  private phasingOut = false;
  /** Runs of this worker that ended (see run(): a run ending during a request means asking again). */
  private runsEnded = 0;
  /** Wakes the run loop when it sleeps between polls (interrupt()). */
  private wake: AbortController = new AbortController();
  /**
   * Wakes the run loop when it waits for a running step to end (interrupt()). A plain callback rather
   * than a listener on `wake`'s signal: the loop waits once per run, and an EventTarget listener added
   * and removed each time cost more than the rest of the wait.
   */
  private wakeWaiter: (() => void) | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.scheduler = options.scheduler;
    this.log = options.logger ?? silentLogger();
    this.opts = resolveWorkerOptions(options);
    this.identity = workerIdentity(this.opts.processes, options.id);
    this.logs = new LogShipper(this.scheduler, this.id, this.log);
    this.outbox = new Outbox(this.scheduler, this.id, this.log, () => this.logs.flush());
    const reports = new StatusReports(
      this.scheduler,
      this.id,
      this.opts.assistant,
      this.history,
      this.outbox,
    );
    const notices = options.notifier
      ? new StepNotices(options.notifier, { host: this.identity.host, worker: this.id })
      : StepNotices.silent();
    this.notices = notices;
    // An in-process scheduler is this worker's alone: nothing to trust or share.
    const shared = this.scheduler instanceof LocalScheduler ? undefined : this.scheduler;
    this.walk = new SchedulingWalk(this.opts, reports, this.history, this.log, notices, shared, this.id);
    this.runner = new StepRunner({
      opts: this.opts,
      workerId: this.id,
      scheduler: this.scheduler,
      reports,
      walk: this.walk,
      history: this.history,
      log: this.log,
      notices,
      processExecutor: options.processExecutor,
      capture: this.opts.logCapture
        ? { limit: this.opts.logTailBytes, rules: parseRedactRules(this.opts.logRedact) }
        : undefined,
      logs: this.logs,
      onChange: () => this.emitProgress(),
    });
    this.pinger = new Pinger({
      scheduler: this.scheduler,
      workerId: this.id,
      intervalSeconds: this.opts.pingInterval,
      log: this.log,
      onSetProcesses: (n) => {
        this.opts.processes = n;
        this.identity.info.workers = n;
        this.scheduler
          .addWorker({ worker: this.id, info: { workers: n } })
          .catch((err: unknown) => this.log.warn({ err: describeThrown(err).message }, "add_worker failed"));
      },
    });
    if (this.opts.assistant && this.opts.acceptTriggers) {
      this.triggered = new TriggeredRuns({
        scheduler: this.scheduler,
        workerId: this.id,
        log: this.log,
        retcodes: options.retcodes ?? DEFAULT_RETCODES,
        pollDelay: () => this.pollDelay(),
        // As `luigi FAMILY ...` with this process's settings, but not kept alive: a run ends when
        // nothing is left that it can run now, as a run from the command line does.
        newWorker: (log) =>
          new Worker({
            ...options,
            id: undefined,
            assistant: false,
            keepAlive: false,
            // The assistant's process outlives the run: a run that only helps another walk must not
            // lower that process's priority for good (helper_nice is for a `luigi` process of one run).
            helperNice: 0,
            onProgress: undefined,
            logger: log,
          }),
      });
    }
  }

  get id(): string {
    return this.identity.id;
  }

  /** True when some step could not be scheduled (complete() or requires() threw, a cycle, the limit hit). */
  get hadSchedulingError(): boolean {
    return this.walk.failed;
  }

  /** Dependency cycles the scheduling walk found, each as its steps (the first repeated at the end). */
  get cycles(): readonly Step[][] {
    return this.walk.cycles;
  }

  /** Set once interrupt() was called: the signal's name. */
  get interruptedBy(): string | undefined {
    return this.runner.interruptedBy;
  }

  /** Asks the worker to finish its running steps and take no new ones (SIGUSR1, disabled worker). */
  phaseOut(): void {
    this.phasingOut = true;
    this.triggered?.phaseOut();
  }

  /**
   * Stops at once (SIGINT, SIGTERM): takes no new work, aborts the running steps' `this.signal`, and
   * reports the steps handed out but not started as failed. run() returns once the running steps end.
   */
  interrupt(reason: string): void {
    if (this.runner.interruptedBy !== undefined) return;
    this.runner.interruptedBy = reason;
    this.phasingOut = true;
    this.walk.stop();
    this.triggered?.interrupt(reason);
    for (const entry of this.running.values()) entry.abort.abort(new Error(`interrupted by ${reason}`));
    this.wake.abort();
    this.wakeWaiter?.();
  }

  /**
   * Registers `roots` and everything they need with the scheduler. complete() calls run concurrently
   * (bounded by completionConcurrency); each step is checked once.
   */
  async add(roots: Step[]): Promise<void> {
    if (this.identity.info.first_task === undefined && roots[0]) this.identity.info.first_task = roots[0].id;
    await this.walk.add(roots);
    // Every step asked for is another worker's walk: this one only helps it, and yields the CPU to it.
    if (roots.length > 0 && roots.every((root) => this.walk.delegated.has(root.id))) {
      lowerToNice(this.opts.helperNice, this.log);
    }
  }

  /**
   * Runs what the scheduler hands out until nothing is left for this worker. Returns true when no step
   * failed and scheduling went well. A dependency cycle runs nothing: the graph itself is wrong.
   */
  async run(): Promise<boolean> {
    if (this.walk.cycles.length > 0) {
      this.log.error("not running anything: the steps' requirements form a cycle");
      return false;
    }
    // An assistant that takes triggers says which families it can run (kept out of identity.info, which
    // is sent again whenever the processes change).
    const info = this.triggered
      ? { ...this.identity.info, assistant: true, step_families: describeFamilies() }
      : this.identity.info;
    await this.scheduler.addWorker({ worker: this.id, info });
    const capturing = this.opts.logCapture ? workerCapturing() : undefined;
    this.pinger.start();
    this.triggered?.start();
    let idleSince: number | undefined;
    /** Empty answers in a row while others run (or walk) this worker's steps: see waitDelay(). */
    let waits = 0;
    try {
      for (;;) {
        // Steps already handed to this worker are its own: they run even when it is phasing out.
        while (this.running.size < this.opts.processes && this.handed.length > 0) {
          const reply = this.handed.shift() as GetWorkResponse;
          if (this.interruptedBy !== undefined) await this.refuse(reply);
          else this.start(reply);
        }
        if (this.running.size >= this.opts.processes || (this.phasingOut && this.running.size > 0)) {
          await this.waitForAnyRun();
          continue;
        }
        if (this.phasingOut) break;
        const endedBefore = this.runsEnded;
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
          waits = 0;
          this.rebuildHanded(handedOut);
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
        // A run ended while the request was on its way: the answer did not see its outcome (still queued,
        // or sent after the request), which may have made the next steps ready. Ask again before giving up.
        if (this.runsEnded !== endedBefore || this.outbox.queued > 0) continue;
        // A helper (fleet help) also waits while the workers it helps walk or run: more steps are coming.
        const helpedBusy = (reply.n_helped_walking ?? 0) > 0 || (reply.n_helped_running ?? 0) > 0;
        if ((othersRunMine || helpedBusy) && !this.phasingOut) {
          // Another worker runs a step this one needs: wait for it instead of giving up (luigi-ts; Luigi
          // exits unless keep_alive), then go on with what depends on it. Also when nothing else is
          // pending: the step may be this run's root (an assistant took a triggered run's root step), and
          // the run is over only when it is done.
          await this.pause(this.waitDelay(waits++));
          continue;
        }
        idleSince ??= Date.now();
        if (!keepsAlive(this.opts, reply, idleSince, Date.now())) {
          if (await this.takeOverDelegated()) continue;
          break;
        }
        await this.pause(this.pollDelay());
      }
    } finally {
      await this.triggered?.stop();
      await Promise.allSettled([...this.running.values()].map((r) => r.promise));
      for (const reply of this.handed.splice(0)) await this.refuse(reply).catch(() => undefined);
      await this.logs.flush();
      this.logs.stop();
      capturing?.();
      await this.outbox
        .flush()
        .catch((err: unknown) =>
          this.log.error({ err: describeThrown(err).message }, "reporting finished steps failed"),
        );
      this.pinger.stop();
    }
    if (this.interruptedBy === undefined) await this.settleRunByOthers();
    const { failed, interrupted } = this.runner.counts;
    return failed === 0 && interrupted === 0 && !this.walk.failed;
  }

  /** Luigi's wait between two requests: wait_interval plus up to wait_jitter (ms). */
  private pollDelay(): number {
    return (this.opts.waitInterval + Math.random() * this.opts.waitJitter) * 1000;
  }

  /**
   * The wait after the `waits`-th empty answer in a row while other workers run (or walk) steps this one
   * waits for (ms): FIRST_WAIT_SECONDS, doubling, up to pollDelay(). Short steps of a fleet end (and make
   * the next ready) all the time, and Luigi's default of 1 s plus up to 5 s would leave a worker idle
   * that long, and its exit that late; a long wait still comes down to Luigi's request rate.
   */
  private waitDelay(waits: number): number {
    return Math.min(this.pollDelay(), FIRST_WAIT_SECONDS * 1000 * 2 ** Math.min(waits, 16));
  }

  /** Sleeps, unless interrupt() comes first. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }

  /**
   * A step handed out but never started (the worker was interrupted): the scheduler holds it as running
   * on this worker, so it is reported failed rather than left to the disconnect timeout.
   */
  private async refuse(reply: GetWorkResponse): Promise<void> {
    const id = reply.task_id as string;
    const step = this.walk.known.get(id);
    const expl = `interrupted (${this.interruptedBy ?? "stopped"}) before it started`;
    if (step) this.history.record(step, "FAILED", this.history.get(id)?.runnable ?? true);
    const entry = this.history.get(id);
    if (entry) entry.interrupted = true;
    await this.scheduler.addTask({
      worker: this.id,
      task_id: id,
      status: "FAILED",
      runnable: false,
      expl: JSON.stringify(expl),
    });
  }

  /**
   * Steps this worker left pending that are complete now were run by other workers (luigid shares the
   * graph): they are recorded as such. Trusting luigid (trust_scheduler_done), its DONE answers that
   * first; what it does not hold DONE, and every step without the trust, is settled as before: what a
   * completed step needs was complete when it ran, and the rest is checked with the same bounded
   * concurrency as the scheduling walk.
   */
  private async settleRunByOthers(): Promise<void> {
    let open = [...this.history.entries.values()].filter((e) => {
      const last = e.statuses.at(-1);
      return last === "PENDING" || last === "RUNNING";
    });
    if (open.length === 0) return;
    const settled = (entry: StepRecordEntry): void => {
      entry.statuses.push("DONE");
      entry.byOtherWorker = true;
      this.history.runByOtherWorker.delete(entry.step.id);
    };
    const trusted = await this.walk.doneAtScheduler(open.map((e) => e.step)).catch(() => undefined);
    if (trusted !== undefined) {
      for (const entry of open) if (trusted.has(entry.step.id)) settled(entry);
      open = open.filter((e) => !trusted.has(e.step.id));
      // Asked first: a helper's history holds every step it ran, and walking their requirements (each
      // rebuilt) to find what they needed cost it more than a tenth of its CPU.
      if (open.length === 0) return;
    }
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
    // Trusting luigid, it has answered for the rest already (not DONE there); otherwise they are checked.
    const unsure = trusted !== undefined ? [] : open.filter((e) => !known.has(e.step.id));
    const complete = await mapConcurrent(unsure, this.opts.completionConcurrency, (e) =>
      e.step.complete().catch(() => false),
    );
    const done = new Set(unsure.filter((_, i) => complete[i]).map((e) => e.step.id));
    for (const entry of open) if (known.has(entry.step.id) || done.has(entry.step.id)) settled(entry);
  }

  /**
   * Nothing more to do here, but the steps left to other workers' walks (fleet help) are not all done:
   * their walkers went away, or will not run them. Walks them here after all, once; true when it did.
   */
  private async takeOverDelegated(): Promise<boolean> {
    const left = [...this.walk.delegated.values()];
    if (left.length === 0 || this.phasingOut) return false;
    const done = await this.walk.doneAtScheduler(left);
    if (done && left.every((step) => done.has(step.id))) {
      this.walk.delegated.clear();
      return false;
    }
    this.log.info(
      { steps: left.length },
      "steps left to other workers are not done: walking them here after all",
    );
    await this.walk.walkDelegated();
    return this.walk.cycles.length === 0;
  }

  /** One request for work: `get_work`, or `get_works` carrying the outbox when batching is on. */
  private async getWork(): Promise<GetWorkResponse[]> {
    // Outcomes sent on their own must arrive first: a request that overtook them would not list those
    // steps among this worker's current ones, and the scheduler would hand them out again as lost.
    await this.outbox.settled();
    // The last log pieces of the runs whose outcomes this request carries go first.
    await this.logs.flush();
    const help = this.walk.help();
    const args = {
      worker: this.id,
      host: this.identity.host,
      assistant: this.opts.assistant,
      current_tasks: [...this.running.keys(), ...this.handed.map((h) => h.task_id as string)],
      ...(help ? { help } : {}),
    };
    if (this.opts.workBatchSize <= 1) return [await this.scheduler.getWork(args)];
    const reports = this.outbox.take();
    const free = Math.max(1, this.opts.processes - this.running.size);
    try {
      const { replies } = await this.scheduler.getWorks({
        ...args,
        max_tasks: Math.min(MAX_WORKS_PER_CALL, free * this.runner.batchSize),
        reports,
      });
      return replies.length > 0 ? replies : [await this.scheduler.getWork(args)];
    } catch (err) {
      // Not delivered: they go with the next request (the call already retried per rpc_retry_*).
      this.outbox.giveBack(reports);
      throw err;
    }
  }

  /** Waits until a running step ends, or interrupt() is called (then only for a running step to end). */
  private async waitForAnyRun(): Promise<void> {
    const runs = [...this.running.values()].map((r) => r.promise);
    if (this.wake.signal.aborted) {
      await Promise.race(runs);
      return;
    }
    const woken = new Promise<void>((resolve) => (this.wakeWaiter = resolve));
    try {
      await Promise.race([woken, ...runs]);
    } finally {
      this.wakeWaiter = undefined;
    }
  }

  /** Starts the step the scheduler handed out, unless this worker already runs it. */
  private start(reply: GetWorkResponse): void {
    const id = reply.task_id as string;
    if (this.running.has(id)) return;
    let step = this.walk.known.get(id);
    if (!step) {
      try {
        step = this.construct(reply);
      } catch (err) {
        // An assistant handed a family it cannot load: say so to the scheduler instead of crashing.
        const { message } = describeThrown(err);
        this.log.error({ step: id, err: message }, "cannot construct the step the scheduler handed out");
        this.notices.notLoaded(id, reply.task_family ?? "", reply.task_params ?? {}, message);
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
      this.walk.known.set(id, step);
    }
    // A step this worker did not register (an assistant's, or one it helps run for other workers) was
    // pending when handed out: its run counts as this worker's in the summary.
    if (!this.history.get(id)) this.history.record(step, "PENDING");
    const abort = new AbortController();
    const entry: RunningEntry = { step, abort, promise: Promise.resolve() };
    entry.promise = this.runner
      .run(step, entry)
      .catch((err: unknown) =>
        this.log.error({ step: step.toString(), err: describeThrown(err) }, "worker error"),
      )
      .finally(() => {
        this.running.delete(id);
        this.runsEnded++;
        this.emitProgress();
      });
    this.running.set(id, entry);
    this.emitProgress();
  }

  /**
   * Builds the steps of one answer that this worker does not know (a helper's: the other workers'
   * steps) together, one after the other: built between runs, each cost a helper about three times as
   * much CPU (code and data gone cold in between). A step that cannot be built is left to start(),
   * which says why.
   */
  private rebuildHanded(replies: readonly GetWorkResponse[]): void {
    for (const reply of replies) {
      const id = reply.task_id as string;
      if (this.walk.known.has(id)) continue;
      try {
        this.walk.known.set(id, this.construct(reply));
      } catch {
        // start() builds it again and reports the failure.
      }
    }
  }

  private construct(reply: GetWorkResponse): Step {
    const step = stepFromWire(reply.task_family ?? "", reply.task_params ?? {});
    if (step.id !== reply.task_id) {
      this.log.warn({ expected: reply.task_id, got: step.id }, "rebuilt step has a different id");
    }
    return step;
  }

  private emitProgress(): void {
    const listener = this.options.onProgress;
    if (!listener) return;
    const { done, failed, interrupted } = this.runner.counts;
    const scheduled = this.walk.scheduled;
    listener({
      scheduled,
      done,
      failed: failed + interrupted,
      pending: Math.max(0, scheduled - done - failed - interrupted - this.running.size),
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
}
