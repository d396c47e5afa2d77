/**
 * The scheduling walk (Luigi's `Worker.add`): from the given steps down their requirements, each step's
 * `complete()` checked once, complete ones registered DONE and not expanded, incomplete ones registered
 * PENDING with their dependencies, which are visited in turn. The checks run concurrently, bounded by
 * `completionConcurrency`. After the walk, the requirements it registered are checked for cycles: a step
 * that (indirectly) requires itself could never run, and Luigi would only say that it was "not granted
 * run permission".
 */
import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { StepNotices } from "../notify/index.js";
import { anyHandlers } from "../step/events.js";
import { isExternal, type Step } from "../step/step.js";
import type { WorkerHistory } from "./history.js";
import type { StatusReports } from "./status-reports.js";
import { fireStepEvent } from "./step-events.js";
import type { ResolvedWorkerOptions } from "./worker-options.js";

export class SchedulingWalk {
  /** Every step this worker has met, by id (the run loop starts them from here). */
  readonly known = new Map<string, Step>();
  /** Steps that were checked (and counted), complete or not. */
  scheduled = 0;
  /** complete() or requires() threw, the task limit was hit, or a cycle was found. */
  failed = false;
  /** Cycles found so far, each as the steps along it, the first repeated at the end. */
  readonly cycles: Step[][] = [];
  private readonly completeCache = new Set<string>();
  /** Requirements of the steps registered PENDING by the walk in progress, for the cycle check. */
  private pendingDeps = new Map<string, Step[]>();
  /** Set by stop(): no further steps are visited. */
  private stopped = false;

  constructor(
    private readonly opts: ResolvedWorkerOptions,
    private readonly reports: StatusReports,
    private readonly history: WorkerHistory,
    private readonly log: Logger,
    private readonly notices: StepNotices,
  ) {}

  /**
   * Registers `roots` and everything they need with the scheduler. Returns the cycles found among the
   * steps this walk registered (their members are then reported UNKNOWN: they cannot run).
   */
  async add(roots: Step[]): Promise<Step[][]> {
    const queue: (Step | undefined)[] = [];
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
        while (!this.stopped && active < this.opts.completionConcurrency && next < queue.length) {
          const step = queue[next] as Step;
          queue[next++] = undefined; // let visited steps be collected from the queue
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
            .catch((err: unknown) => {
              this.log.error({ err: describeThrown(err) }, "scheduling walk failed");
              this.notices.notScheduled(step, "framework", err);
            })
            .finally(() => {
              active--;
              pump();
            });
        }
        if (active === 0 && (this.stopped || next >= queue.length)) resolve();
      };
      pump();
    });
    const cycles = findCycles(this.pendingDeps);
    this.pendingDeps = new Map();
    for (const cycle of cycles) await this.reportCycle(cycle);
    await this.reports.outbox.flushRegistrations();
    return cycles;
  }

  /** Visits nothing more (the worker was interrupted); the walk in progress ends with what it did. */
  stop(): void {
    this.stopped = true;
  }

  /** Checks one step and registers it; returns the dependencies still to visit. */
  private async visit(step: Step): Promise<Step[]> {
    const { opts } = this;
    if (opts.taskLimit !== null && this.scheduled >= opts.taskLimit) {
      const expl = `task_limit of ${opts.taskLimit} reached`;
      await this.reports.report(step, "UNKNOWN", { runnable: false, expl }, "walk");
      this.failed = true;
      return [];
    }
    if (step.disabled) {
      await this.reports.report(step, "DISABLED", { runnable: false }, "walk");
      return [];
    }
    let complete: boolean;
    let deps: Step[] = [];
    let phase: "complete" | "requires" = "complete";
    try {
      complete = await this.isComplete(step);
      if (typeof complete !== "boolean") {
        throw new TypeError(`${step.family}.complete() returned ${typeof complete}, not a boolean`);
      }
      phase = "requires";
      if (!complete && !isExternal(step)) deps = step.dependencies();
    } catch (err) {
      const { message, stack } = describeThrown(err);
      this.log.error(
        { step: step.toString(), err: message },
        "could not schedule step: complete() or requires() failed",
      );
      this.failed = true;
      await fireStepEvent(this.log, step, "brokenStep", err);
      await this.reports.report(step, "UNKNOWN", { runnable: false, expl: stack }, "walk");
      this.history.setError(step.id, { message, stack });
      this.notices.notScheduled(step, phase, err);
      await this.reports.announceSchedulingFailure(step, stack, this.log);
      return [];
    }
    this.scheduled++;
    if (complete) {
      if (anyHandlers()) await fireStepEvent(this.log, step, "dependencyPresent");
      await this.reports.report(step, "DONE", { runnable: false }, "walk");
      return [];
    }
    if (isExternal(step)) {
      await fireStepEvent(this.log, step, "dependencyMissing");
      this.log.warn({ step: step.toString() }, "external dependency is missing");
      const runnable = opts.retryExternalTasks;
      await this.reports.report(step, "PENDING", { runnable, deps: [] }, "walk");
      return [];
    }
    if (anyHandlers())
      for (const dep of deps) await fireStepEvent(this.log, step, "dependencyDiscovered", dep);
    if (deps.length > 0) this.pendingDeps.set(step.id, deps);
    await this.reports.report(step, "PENDING", { runnable: true, deps: deps.map((d) => d.id) }, "walk");
    return deps;
  }

  private async isComplete(step: Step): Promise<boolean> {
    if (this.opts.cacheTaskCompletion && this.completeCache.has(step.id)) return true;
    const complete = await step.complete();
    if (complete === true && this.opts.cacheTaskCompletion) this.completeCache.add(step.id);
    return complete;
  }

  /** Each step on the cycle becomes UNKNOWN (not runnable), its explanation naming the whole cycle. */
  private async reportCycle(cycle: Step[]): Promise<void> {
    this.failed = true;
    this.cycles.push(cycle);
    const message = `dependency cycle: ${describeCycle(cycle)}`;
    this.log.error({ cycle: cycle.map((s) => s.toString()) }, message);
    for (const step of new Set(cycle)) {
      await this.reports.report(step, "UNKNOWN", { runnable: false, expl: message }, "walk");
      this.history.setError(step.id, { message, stack: message });
    }
  }
}

/** `A(n=1) -> B(n=1) -> A(n=1)` */
export function describeCycle(cycle: Step[]): string {
  return cycle.map((s) => s.toString()).join(" -> ");
}

/**
 * Cycles among `deps` (step id -> requirements), each once: an iterative depth-first search (deep chains
 * must not overflow the stack) that reports a cycle when it meets a step still on its path. O(V + E).
 */
export function findCycles(deps: ReadonlyMap<string, readonly Step[]>): Step[][] {
  const ON_PATH = 1;
  const FINISHED = 2;
  const mark = new Map<string, number>();
  const cycles: Step[][] = [];
  const byId = new Map<string, Step>();
  for (const list of deps.values()) for (const s of list) byId.set(s.id, s);
  for (const startId of deps.keys()) {
    if (mark.has(startId)) continue;
    const start = byId.get(startId);
    if (!start) continue; // a root nothing requires cannot be on a cycle
    const path: Step[] = [start];
    const cursor: number[] = [0];
    mark.set(startId, ON_PATH);
    while (path.length > 0) {
      const top = path.at(-1) as Step;
      const children = deps.get(top.id) ?? [];
      const i = cursor[cursor.length - 1] as number;
      if (i >= children.length) {
        mark.set(top.id, FINISHED);
        path.pop();
        cursor.pop();
        continue;
      }
      cursor[cursor.length - 1] = i + 1;
      const child = children[i] as Step;
      const state = mark.get(child.id);
      if (state === ON_PATH) {
        const from = path.findIndex((s) => s.id === child.id);
        cycles.push([...path.slice(from), child]);
      } else if (state === undefined) {
        mark.set(child.id, ON_PATH);
        path.push(child);
        cursor.push(0);
      }
    }
  }
  return cycles;
}
