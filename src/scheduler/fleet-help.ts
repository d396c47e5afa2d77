/**
 * Fleet help (luigi-ts): how a worker runs steps it did not walk. A step held PENDING that another live
 * worker registered gets the verdict "walked" from check_claims, when the asker helps: that worker walks
 * below it, so the asker does not walk that part of the graph again. It names the step's walkers in
 * get_work's `help` instead, and may be handed their READY steps of the families it can build. So a fleet
 * registers each step about once, not once per worker, and still shares the runs.
 *
 * Everything here derives from the call's arguments and the journaled state (no soft state), so a
 * journal replay hands out the same steps. Pure: liveness is judged on the state's clock.
 */
import type { FleetHelp } from "./api.js";
import type { WorkerIndex } from "./indexes.js";
import type { SchedulerState } from "./state.js";
import type { StepRecord } from "./step-record.js";

/** What a helper may take from: the indexes of the live workers it helps, and the families it can build. */
export interface HelpScope {
  readonly walkers: readonly string[];
  readonly indexes: readonly WorkerIndex[];
  readonly families: ReadonlySet<string>;
}

/** The live workers other than `workerId` that may run `rec` (check_claims' walkers of a "pending" step). */
export function walkersOf(state: SchedulerState, workerId: string, rec: StepRecord, now: number): string[] {
  const walkers: string[] = [];
  for (const w of rec.workers) {
    if (w !== workerId && isLive(state, w, now)) walkers.push(w);
  }
  return walkers;
}

/** The scope of `help` for `workerId`, or undefined when it helps nobody live. */
export function helpScope(
  state: SchedulerState,
  workerId: string,
  help: FleetHelp | null | undefined,
): HelpScope | undefined {
  if (!help || help.workers.length === 0 || help.families.length === 0) return undefined;
  const walkers: string[] = [];
  const indexes: WorkerIndex[] = [];
  for (const w of new Set(help.workers)) {
    if (w === workerId || !isLive(state, w, state.now)) continue;
    const wi = state.idx.perWorker.get(w);
    if (!wi) continue;
    walkers.push(w);
    indexes.push(wi);
  }
  if (indexes.length === 0) return undefined;
  return { walkers, indexes, families: new Set(help.families) };
}

/** Workers of `scope` that have not asked for work yet: still walking (their steps are still coming). */
export function walkingCount(state: SchedulerState, scope: HelpScope): number {
  let walking = 0;
  for (const w of scope.walkers) if (state.workers.get(w)?.lastGetWork === null) walking++;
  return walking;
}

/** Steps of `scope` (its families) that another worker than `workerId` runs now: the helper waits for them. */
export function helpedRunning(state: SchedulerState, workerId: string, scope: HelpScope): number {
  let running = 0;
  for (const wi of scope.indexes) {
    for (const id of wi.runningEligible) {
      const rec = state.steps.get(id);
      if (rec && rec.workerRunning !== workerId && scope.families.has(rec.family)) running++;
    }
  }
  return running;
}

/** Whether a helper of `scope` may take `rec`: a walker of it may run it, and the helper can build its family. */
export function mayHelpWith(scope: HelpScope, rec: StepRecord): boolean {
  if (!scope.families.has(rec.family)) return false;
  for (const w of scope.walkers) if (rec.workers.includes(w)) return true;
  return false;
}

function isLive(state: SchedulerState, workerId: string, now: number): boolean {
  const w = state.workers.get(workerId);
  return w !== undefined && !w.disabled && state.isLive(w, now);
}
