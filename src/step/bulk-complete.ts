/**
 * Completeness of many steps at once (Luigi's `bulk_complete`): what a range step asks of the 3,650
 * days it covers, answered without 3,650 separate round trips where the steps allow it. Per family:
 *
 * 1. the family's own `static bulkComplete(steps)` when it defines one (one query for a whole date
 *    range, say);
 * 2. else, for the steps whose complete() is Step's own (every output exists): the outputs of a target
 *    class with a `static existsInBulk(targets)` in one call per class (LocalTarget: one directory
 *    listing per directory; the stores' markers: one query per marker table), any other output by its
 *    exists();
 * 3. any step with a complete() of its own is asked through it.
 *
 * Whatever is left to ask one by one runs a few calls at a time.
 */
import { ErrorCode, StepDefinitionError } from "../errors.js";
import type { Target } from "../target/target.js";
import { mapConcurrent } from "./concurrency.js";
import { isStep, isTarget, Step } from "./step.js";
import { flatten } from "./structure.js";

/** Calls in flight when steps or targets are asked one by one (as WrapperStep.complete()). */
export const BULK_CHECK_CONCURRENCY = 16;

/** The hook a family may define; see `Step.bulkComplete`. */
type BulkHook = (steps: readonly Step[]) => Iterable<Step> | Promise<Iterable<Step>>;

/** Whether each of `steps` is complete, in their order. */
export async function completeInBulk(steps: readonly Step[]): Promise<boolean[]> {
  const answers = new Array<boolean>(steps.length).fill(false);
  const byClass = new Map<typeof Step, number[]>();
  steps.forEach((step, i) => {
    const cls = step.constructor as typeof Step;
    const list = byClass.get(cls);
    if (list) list.push(i);
    else byClass.set(cls, [i]);
  });
  const byOutputs: number[] = [];
  const byOwnCheck: number[] = [];
  for (const [cls, indexes] of byClass) {
    if (typeof cls.bulkComplete === "function") {
      const members = indexes.map((i) => steps[i] as Step);
      const complete = completeIds(cls, await (cls.bulkComplete as BulkHook).call(cls, members));
      for (const i of indexes) answers[i] = complete.has((steps[i] as Step).id);
      continue;
    }
    for (const i of indexes) {
      ((steps[i] as Step).complete === Step.prototype.complete ? byOutputs : byOwnCheck).push(i);
    }
  }
  const [fromOutputs, fromOwn] = await Promise.all([
    outputsExist(byOutputs.map((i) => steps[i] as Step)),
    completeEach(byOwnCheck.map((i) => steps[i] as Step)),
  ]);
  byOutputs.forEach((i, k) => (answers[i] = fromOutputs[k] as boolean));
  byOwnCheck.forEach((i, k) => (answers[i] = fromOwn[k] as boolean));
  return answers;
}

/**
 * The ids of the steps a bulkComplete returned. Anything but steps is refused: a list of booleans, say,
 * would otherwise make every step look incomplete, and all of them run again.
 */
function completeIds(cls: typeof Step, answer: unknown): Set<string> {
  const wrong = (what: string): StepDefinitionError =>
    new StepDefinitionError(
      ErrorCode.STEP_DEFINITION,
      `${cls.family}.bulkComplete() returned ${what}; return the complete steps among those it was given`,
      { details: { family: cls.family } },
    );
  const iterable =
    answer !== null &&
    answer !== undefined &&
    typeof (answer as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
  if (!iterable) throw wrong(answer === null ? "null" : typeof answer);
  const ids = new Set<string>();
  for (const item of answer as Iterable<unknown>) {
    if (!isStep(item)) throw wrong(`an item that is not a step (${JSON.stringify(item) ?? typeof item})`);
    ids.add(item.id);
  }
  return ids;
}

/** Each step's own complete(), a few at a time (what Luigi's non-bulk range forms do, one by one). */
export function completeEach(steps: readonly Step[]): Promise<boolean[]> {
  return mapConcurrent(steps, BULK_CHECK_CONCURRENCY, (step) => step.complete());
}

/** What a target class offers to answer many of its targets at once (LocalTarget, PostgresTarget, ...). */
type BulkTargetClass = { existsInBulk(targets: readonly Target[]): Promise<boolean[]> };

/** The target's class when it answers in bulk; such a class asks a subclass's own exists() itself. */
function bulkClassOf(target: Target): BulkTargetClass | undefined {
  const ctor = (target as { constructor?: unknown }).constructor as Partial<BulkTargetClass> | undefined;
  return typeof ctor?.existsInBulk === "function" ? (ctor as BulkTargetClass) : undefined;
}

/** Step.complete() for many steps: every output exists, and there is at least one. */
async function outputsExist(steps: readonly Step[]): Promise<boolean[]> {
  const outputs = steps.map((step) => flatten(step.output(), isTarget));
  const byClass = new Map<BulkTargetClass, Target[]>();
  const others: Target[] = [];
  for (const list of outputs) {
    for (const target of list) {
      const cls = bulkClassOf(target);
      if (cls === undefined) others.push(target);
      else {
        const group = byClass.get(cls);
        if (group) group.push(target);
        else byClass.set(cls, [target]);
      }
    }
  }
  const present = new Map<Target, boolean>();
  await Promise.all([
    ...[...byClass].map(async ([cls, targets]) => {
      const found = await cls.existsInBulk(targets);
      targets.forEach((target, i) => present.set(target, found[i] === true));
    }),
    mapConcurrent(others, BULK_CHECK_CONCURRENCY, (target) => target.exists()).then((found) =>
      others.forEach((target, i) => present.set(target, found[i] as boolean)),
    ),
  ]);
  return outputs.map((list) => list.length > 0 && list.every((target) => present.get(target) === true));
}
