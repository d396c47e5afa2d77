/**
 * Step events, as Luigi's event handlers: a handler registered on a class fires for that class and its
 * subclasses. Handler errors are logged by the caller and swallowed: an observer never breaks a run.
 */

export interface StepEventArgs {
  /** A step's requirement was found while walking the graph. */
  dependencyDiscovered: [dependency: unknown];
  /** An external dependency is missing. */
  dependencyMissing: [];
  /** A dependency is already complete. */
  dependencyPresent: [];
  /** complete() or requires() threw while scheduling. */
  brokenStep: [error: unknown];
  start: [];
  /** Fired by the step itself through `fireEvent("progress", ...)`. */
  progress: [detail: unknown];
  success: [];
  failure: [error: unknown];
  /** Seconds the run took. */
  processingTime: [seconds: number];
  timeout: [message: string];
  processFailure: [message: string];
  /**
   * Range steps (RangeDaily, ...; Luigi's RangeEvent), each time they look for missing instances:
   * instances of the family complete in the window, that count over the window's size, and how many
   * instants lie from the first missing one to the window's end.
   */
  rangeCompleteCount: [family: string, count: number];
  rangeCompleteFraction: [family: string, fraction: number];
  rangeDelay: [family: string, delay: number];
}
export type StepEventName = keyof StepEventArgs;

// The handler's first argument is the step: typed loosely here to keep this module free of a cycle with
// step.ts; Step.on() narrows it for users.
export type AnyStepHandler = (step: never, ...args: never[]) => void | Promise<void>;

const handlers = new WeakMap<object, Map<StepEventName, AnyStepHandler[]>>();
/** Handlers registered and not removed, over all classes: while 0, firing an event is skipped at once. */
let handlerCount = 0;
const NONE: readonly AnyStepHandler[] = Object.freeze([]);

/** True when some class has a handler: the worker's graph walk fires several events per step. */
export function anyHandlers(): boolean {
  return handlerCount > 0;
}

export function addHandler(owner: object, event: StepEventName, handler: AnyStepHandler): () => void {
  let byEvent = handlers.get(owner);
  if (!byEvent) handlers.set(owner, (byEvent = new Map<StepEventName, AnyStepHandler[]>()));
  const list = byEvent.get(event) ?? [];
  list.push(handler);
  byEvent.set(event, list);
  handlerCount++;
  let removed = false;
  return () => {
    const current = byEvent.get(event);
    if (removed || !current) return;
    removed = true;
    handlerCount--;
    byEvent.set(
      event,
      current.filter((h) => h !== handler),
    );
  };
}

/** Handlers of the class of `instance` and of all its ancestors, most specific class first. */
export function handlersFor(instance: object, event: StepEventName): readonly AnyStepHandler[] {
  if (handlerCount === 0) return NONE;
  const out: AnyStepHandler[] = [];
  let ctor: unknown = (instance as { constructor?: unknown }).constructor;
  while (typeof ctor === "function") {
    const list = handlers.get(ctor)?.get(event);
    if (list) out.push(...list);
    ctor = Object.getPrototypeOf(ctor);
  }
  return out;
}
