/**
 * The scheduling walk (Luigi's `Worker.add`): from the given steps down their requirements, each step's
 * completeness checked once, complete ones registered DONE and not expanded, incomplete ones registered
 * PENDING with their dependencies, which are visited in turn. After the walk, the requirements it
 * registered are checked for cycles: a step that (indirectly) requires itself could never run, and Luigi
 * would only say that it was "not granted run permission".
 *
 * The walk goes in batches of up to WALK_BATCH steps, breadth first:
 *
 * - with `trust_scheduler_done` against a luigi-ts luigid, the batch's ids go first to `check_claims`
 *   (scheduler/claims.ts): steps luigid holds DONE are trusted complete (not checked, not descended
 *   below), steps another worker registered are left to its walk (fleet help, below), steps another
 *   worker is checking right now are asked about again shortly, and only the rest are checked here; the
 *   batch's registrations are then sent at once, which releases its claims;
 * - the steps left to check go, family by family, to completeInBulk (a family's `bulkComplete`, target
 *   classes' `existsInBulk`) when several share a family that can answer in bulk, and to their own
 *   complete() otherwise, `completionConcurrency` at a time.
 *
 * Fleet help (scheduler/fleet-help.ts): a step check_claims answers "walked" was registered by another
 * live worker, which walks below it. This walk neither registers it nor descends below it: it keeps the
 * step (`delegated`) and the workers check_claims named (`walkers`), and get_work's `help` then lets the
 * scheduler hand this worker those workers' READY steps of the families it can rebuild from what luigid
 * holds (no private parameter). So each step of a fleet's graph is walked and registered about once, and
 * every worker still runs its share. Should the walkers go away before the graph is done,
 * `walkDelegated()` walks those parts here after all. A step of a family it cannot rebuild is walked here
 * as before (trusted incomplete, descended through and registered).
 */
import { describeThrown, SchedulerError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { StepNotices } from "../notify/index.js";
import type { ClaimVerdict, FleetHelp, SchedulerApi } from "../scheduler/api.js";
import { completeInBulk } from "../step/bulk-complete.js";
import { rebuildsFromWire } from "../step/rebuild.js";
import { allRegisteredClasses, lookupFamily } from "../step/registry.js";
import { mapConcurrent } from "../step/concurrency.js";
import { anyHandlers } from "../step/events.js";
import { isExternal, Step } from "../step/step.js";
import type { WorkerHistory } from "./history.js";
import type { StatusReports } from "./status-reports.js";
import { fireStepEvent } from "./step-events.js";
import type { ResolvedWorkerOptions } from "./worker-options.js";

/** Steps one round of the walk takes from its queue (and ids one `check_claims` carries). */
export const WALK_BATCH = 500;
/** First wait before asking again about a step another worker is checking (ms); doubles up to the max. */
const CLAIM_RETRY_MS = 25;
const CLAIM_RETRY_MAX_MS = 1000;

/** What the completeness check of one step found. */
type Checked = { complete: boolean } | { error: unknown };

interface Waiting {
  step: Step;
  due: number;
  delay: number;
}

export class SchedulingWalk {
  /** Every step this worker has met, by id (the run loop starts them from here). */
  readonly known = new Map<string, Step>();
  /** The steps given to add() (the roots, and the dynamic or missing requirements a run found): always checked here, never trusted DONE. */
  private readonly roots = new Set<string>();
  /** Steps that were checked (and counted), complete or not. */
  scheduled = 0;
  /** complete() or requires() threw, the task limit was hit, or a cycle was found. */
  failed = false;
  /** Cycles found so far, each as the steps along it, the first repeated at the end. */
  readonly cycles: Step[][] = [];
  /**
   * Whether luigid's DONE is trusted (`trust_scheduler_done`, a remote scheduler that answers
   * check_claims): false from the start with the option off or an in-process scheduler, and from the
   * first answer of a scheduler without check_claims (Luigi's).
   */
  trusting: boolean;
  /** Steps check_claims said another worker walks ("walked"), not walked here (fleet help), by id. */
  readonly delegated = new Map<string, Step>();
  /** The workers that walk the delegated steps (check_claims' `walkers`). */
  private readonly walkers = new Set<string>();
  /** The `walkers` of the last check_claims answer: kept when a step of its batch was delegated. */
  private lastWalkers: readonly string[] = [];
  /** The families this worker can build when helping (canHelpWith), and those it cannot. */
  private readonly families = new Set<string>();
  private readonly refused = new Set<string>();
  /** help()'s answer, kept until a walk delegates again. */
  private offer: FleetHelp | undefined;
  /** Steps asked for that check_claims said luigid holds DONE: checked here all the same (see settle()). */
  private readonly seenDone = new Set<string>();
  /** Whether "walked" steps are left to their walkers (check_claims' `help`); off once walkDelegated() ran. */
  private helping: boolean;
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
    /** The scheduler to ask check_claims of; undefined: never (an in-process scheduler). */
    private readonly claims?: SchedulerApi,
    private readonly workerId = "",
  ) {
    this.trusting = opts.trustSchedulerDone && claims !== undefined;
    this.helping = opts.fleetHelp;
  }

  /**
   * Registers `roots` and everything they need with the scheduler. Returns the cycles found among the
   * steps this walk registered (their members are then reported UNKNOWN: they cannot run).
   */
  async add(roots: Step[]): Promise<Step[][]> {
    const queue: Step[] = [];
    for (const root of roots) {
      this.roots.add(root.id);
      if (!this.known.has(root.id)) {
        this.known.set(root.id, root);
        queue.push(root);
      }
    }
    return this.walkFrom(queue);
  }

  /**
   * What get_work's `help` offers: the walkers of the delegated steps and the families this worker can
   * build; undefined when it delegated nothing (or walked it all after all).
   */
  help(): FleetHelp | undefined {
    if (!this.helping || this.walkers.size === 0) return undefined;
    // Built again only when a walk changed what it holds (it goes with every request for work).
    if (this.offer === undefined) {
      for (const cls of allRegisteredClasses()) this.canHelpWith(cls as unknown as typeof Step);
      this.offer = { workers: [...this.walkers], families: [...this.families] };
    }
    return this.offer;
  }

  /**
   * Whether this worker may leave `step` to others and run it when handed out (and so the steps of its
   * family): when its family rebuilds from the parameters luigid holds. Notes the family if so.
   */
  private canHelpWith(of: Step | typeof Step): boolean {
    const cls = of instanceof Step ? (of.constructor as typeof Step) : of;
    if (this.families.has(cls.family)) return true;
    if (this.refused.has(cls.family) || !rebuildsFromWire(cls) || !soleClassOf(cls)) {
      this.refused.add(cls.family);
      return false;
    }
    this.families.add(cls.family);
    return true;
  }

  /**
   * Walks the steps left to other workers after all, descending below them and registering them here
   * (the run found nothing more to do while they were not done: their walkers went away, or luigid
   * forgot them). Returns the cycles found, as add() does; nothing when nothing was delegated.
   */
  async walkDelegated(): Promise<Step[][]> {
    this.helping = false;
    const queue = [...this.delegated.values()];
    this.delegated.clear();
    return queue.length === 0 ? [] : this.walkFrom(queue);
  }

  private async walkFrom(first: Step[]): Promise<Step[][]> {
    let queue = first;
    /** The next step of `queue` to visit (the ones before it were). */
    let head = 0;
    let waiting: Waiting[] = [];
    /**
     * The registrations of the last batch on their way (they release its claims): sent alongside the next
     * batch's check_claims rather than before it, so that a narrow graph (a chain) pays about one round
     * trip per level, not two. Awaited before the next send and at the end; it never rejects (see below).
     */
    let sending: Promise<unknown> = Promise.resolve();
    let sendError: { error: unknown } | undefined;
    while (!this.stopped && (head < queue.length || waiting.length > 0)) {
      const now = Date.now();
      const due = waiting.filter((w) => w.due <= now);
      if (head >= queue.length && due.length === 0) {
        const next = Math.min(...waiting.map((w) => w.due));
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, next - now)));
        continue;
      }
      waiting = waiting.filter((w) => w.due > now);
      const batch = due.map((w) => w.step);
      const delays = new Map(due.map((w) => [w.step.id, w.delay]));
      const room = Math.max(0, WALK_BATCH - batch.length);
      batch.push(...queue.slice(head, head + room));
      head = Math.min(queue.length, head + room);
      if (head > WALK_BATCH * 8 && head * 2 > queue.length) {
        queue = queue.slice(head); // visited steps can then be collected
        head = 0;
      }
      let deps: Step[] = [];
      try {
        const result = await this.visitBatch(batch);
        deps = result.deps;
        for (const step of result.claimed) {
          const delay = Math.min(CLAIM_RETRY_MAX_MS, 2 * (delays.get(step.id) ?? CLAIM_RETRY_MS / 2));
          waiting.push({ step, due: Date.now() + delay, delay });
        }
        // The registrations release this batch's claims: the other workers waiting on them go on. A
        // batch that took none (all trusted) need not pay the round trip now.
        if (this.trusting && result.claimsTaken) {
          await sending;
          if (sendError) throw sendError.error;
          sending = this.reports.outbox.flushRegistrations().catch((error: unknown) => {
            sendError = { error };
          });
        }
      } catch (err) {
        // The scheduler out of reach (or refusing): the worker's own error, not this batch's.
        if (err instanceof SchedulerError) throw err;
        this.log.error({ err: describeThrown(err) }, "scheduling walk failed");
        for (const step of batch) this.notices.notScheduled(step, "framework", err);
      }
      for (const dep of deps) {
        if (!this.known.has(dep.id)) {
          this.known.set(dep.id, dep);
          queue.push(dep);
        }
      }
    }
    await sending;
    if (sendError) throw sendError.error;
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

  /**
   * luigid's DONE steps among `steps`, asked without taking claims (the end-of-run summary: which of the
   * steps this worker left pending did others run); undefined when it is not trusted.
   */
  async doneAtScheduler(steps: readonly Step[]): Promise<Set<string> | undefined> {
    if (!this.trusting || !this.claims) return undefined;
    const done = new Set<string>();
    for (let i = 0; i < steps.length; i += WALK_BATCH) {
      const ids = steps.slice(i, i + WALK_BATCH).map((s) => s.id);
      const answer = await this.claims.checkClaims({ worker: this.workerId, task_ids: ids, peek: true });
      if (answer.unsupported) return undefined;
      ids.forEach((id, k) => answer.verdicts[k] === "done" && done.add(id));
    }
    return done;
  }

  /** One round: checks (or trusts) and registers `batch`; returns the dependencies still to visit. */
  private async visitBatch(batch: Step[]): Promise<{ deps: Step[]; claimed: Step[]; claimsTaken: boolean }> {
    const { opts } = this;
    const todo: Step[] = [];
    for (const step of batch) {
      if (opts.taskLimit !== null && this.scheduled + todo.length >= opts.taskLimit) {
        const expl = `task_limit of ${opts.taskLimit} reached`;
        await this.reports.report(step, "UNKNOWN", { runnable: false, expl }, "walk");
        this.failed = true;
      } else if (step.disabled) {
        await this.reports.report(step, "DISABLED", { runnable: false }, "walk");
      } else todo.push(step);
    }
    const verdicts = await this.verdicts(todo);
    const claimed: Step[] = [];
    const toCheck: Step[] = [];
    const known = new Map<Step, Checked>();
    let claimsTaken = 0;
    todo.forEach((step, i) => {
      const verdict = verdicts?.[i] ?? "yours";
      const root = this.roots.has(step.id);
      if (verdict === "walked" && this.canHelpWith(step)) {
        this.delegated.set(step.id, step);
        for (const w of this.lastWalkers) this.walkers.add(w);
        this.offer = undefined;
        // Not registered here, but asked for: the summary says who ran it.
        if (root) this.history.record(step, "PENDING");
      } else if (verdict === "claimed") claimed.push(step);
      // The steps this worker was asked to run are checked here whatever luigid holds DONE: a person who
      // deleted a root's output and runs it again expects it to run.
      else if (!root && (verdict === "done" || verdict === "pending" || verdict === "walked"))
        known.set(step, { complete: verdict === "done" });
      else {
        toCheck.push(step);
        if (verdict === "yours") claimsTaken++;
        if (verdict === "done") this.seenDone.add(step.id);
      }
    });
    const checked = await this.check(toCheck);
    const deps: Step[] = [];
    for (const step of todo) {
      const found = known.get(step) ?? checked.get(step);
      if (found !== undefined) deps.push(...(await this.settle(step, found)));
    }
    return { deps, claimed, claimsTaken: verdicts !== undefined && claimsTaken > 0 };
  }

  /** check_claims for `steps` when luigid is trusted; undefined (check them all) otherwise. */
  private async verdicts(steps: readonly Step[]): Promise<ClaimVerdict[] | undefined> {
    if (!this.trusting || !this.claims || steps.length === 0) return undefined;
    const answer = await this.claims.checkClaims({
      worker: this.workerId,
      task_ids: steps.map((s) => s.id),
      ...(this.helping ? { help: true } : {}),
    });
    if (answer.unsupported) {
      this.log.debug({}, "the scheduler has no check_claims: every step is checked here");
      this.trusting = false;
      return undefined;
    }
    this.lastWalkers = answer.walkers ?? [];
    return answer.verdicts;
  }

  /**
   * The completeness of `steps`: those of a family that answers in bulk (its own bulkComplete, or
   * Step's complete() over outputs whose class has existsInBulk), two or more, in one completeInBulk
   * call per family; the others by their own complete(), `completionConcurrency` at a time.
   */
  private async check(steps: readonly Step[]): Promise<Map<Step, Checked>> {
    const found = new Map<Step, Checked>();
    const single: Step[] = [];
    const families = new Map<typeof Step, Step[]>();
    for (const step of steps) {
      if (this.opts.cacheTaskCompletion && this.completeCache.has(step.id)) {
        found.set(step, { complete: true });
        continue;
      }
      const cls = step.constructor as typeof Step;
      if (typeof cls.bulkComplete === "function" || step.complete === Step.prototype.complete) {
        const group = families.get(cls);
        if (group) group.push(step);
        else families.set(cls, [step]);
      } else single.push(step);
    }
    const bulk = async (group: Step[]): Promise<void> => {
      if (group.length === 1) {
        single.push(...group);
        return;
      }
      let answers: boolean[];
      try {
        answers = await completeInBulk(group);
      } catch (err) {
        // One failure must not fail the whole family: each step is then asked on its own.
        this.log.warn(
          { family: group[0]?.family, err: describeThrown(err).message },
          "bulk completeness check failed; checking the steps one by one",
        );
        single.push(...group);
        return;
      }
      group.forEach((step, i) => this.remember(found, step, answers[i] === true));
    };
    await Promise.all([...families.values()].map(bulk));
    await mapConcurrent(single, this.opts.completionConcurrency, async (step) => {
      try {
        const complete = await step.complete();
        if (typeof complete !== "boolean") {
          throw new TypeError(`${step.family}.complete() returned ${typeof complete}, not a boolean`);
        }
        this.remember(found, step, complete);
      } catch (error) {
        found.set(step, { error });
      }
    });
    return found;
  }

  private remember(found: Map<Step, Checked>, step: Step, complete: boolean): void {
    if (complete && this.opts.cacheTaskCompletion) this.completeCache.add(step.id);
    found.set(step, { complete });
  }

  /** Registers one step whose completeness is known; returns the dependencies still to visit. */
  private async settle(step: Step, found: Checked): Promise<Step[]> {
    const { opts } = this;
    // Held DONE by luigid but found incomplete here (its output was deleted since): not a stale report.
    const incompleteAfterDone = this.seenDone.delete(step.id);
    let deps: Step[] = [];
    let phase: "complete" | "requires" = "complete";
    let complete = false;
    try {
      if ("error" in found) throw found.error;
      complete = found.complete;
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
    await this.reports.report(
      step,
      "PENDING",
      { runnable: true, deps: deps.map((d) => d.id), incompleteAfterDone },
      "walk",
    );
    return deps;
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

/** Whether `cls` is what its family name finds (two classes of one family cannot be rebuilt by name). */
function soleClassOf(cls: typeof Step): boolean {
  try {
    return lookupFamily(cls.family) === cls;
  } catch {
    return false;
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
