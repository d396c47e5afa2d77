/**
 * Luigi's `luigi/tools/deps_tree.py`: a step and its requirements drawn as a tree, each with its state,
 * COMPLETE or PENDING, as `complete()` says now:
 *
 * ```
 * └─--[Report(day=2026-11-20) (PENDING)]
 *     |---[Extract(day=2026-11-20, source=web) (COMPLETE)]
 *     └─--[Extract(day=2026-11-20, source=api) (PENDING)]
 * ```
 *
 * As in Luigi, a step required along two paths is drawn under both; its `requires()` and `complete()`
 * are asked once, and the `complete()` checks run concurrently. Steps are shown as luigi-ts shows them
 * everywhere (`Family(significant parameters)`), where Luigi prints its class name and a Python dict.
 */
import { ErrorCode, LuigiError } from "../errors.js";
import type { Step } from "../step/step.js";
import { mapConcurrent } from "../worker/concurrency.js";
import { StepGraph, stepCodeFailed } from "./graph.js";

export interface DepsTreeOptions {
  /** ANSI colours for the states, as Luigi's (green COMPLETE, blue PENDING; red ERROR). Default false. */
  color?: boolean;
  /** `complete()` checks in flight at once. Default 16 (`[worker] completion_concurrency`'s default). */
  concurrency?: number;
}

export interface DepsTree {
  /** The drawing, one line per step occurrence, without a final newline. */
  text: string;
  /**
   * What steps' own code threw (LuigiError SCHEDULING_ERROR, naming the step): a `requires()` (the
   * step is drawn without requirements, marked `requires() failed`) or a `complete()` (state ERROR).
   */
  errors: LuigiError[];
}

type State = "COMPLETE" | "PENDING" | "ERROR";

const COLOURS: Record<State, string> = { COMPLETE: "\x1b[92m", PENDING: "\x1b[94m", ERROR: "\x1b[91m" };
const RESET = "\x1b[0m";

export async function depsTree(root: Step, options: DepsTreeOptions = {}): Promise<DepsTree> {
  const graph = new StepGraph();
  const errors: LuigiError[] = [];
  const steps = collect(root, graph, errors);
  const states = new Map<string, State>();
  const failures = await mapConcurrent(steps, options.concurrency ?? 16, async (step) => {
    try {
      const complete: unknown = await step.complete();
      if (typeof complete !== "boolean") throw notBoolean(complete);
      states.set(step.id, complete ? "COMPLETE" : "PENDING");
      return undefined;
    } catch (err) {
      states.set(step.id, "ERROR");
      return stepCodeFailed(step, "complete()", err);
    }
  });
  for (const failure of failures) if (failure) errors.push(failure);
  const paint = (state: State): string => (options.color ? `${COLOURS[state]}${state}${RESET}` : state);
  return { text: draw(root, graph, (step) => paint(states.get(step.id) ?? "ERROR")), errors };
}

/** Every step of the graph once, root first; the errors of `requires()` go to `errors`. */
function collect(root: Step, graph: StepGraph, errors: LuigiError[]): Step[] {
  const seen = new Map<string, Step>([[root.id, root]]);
  for (let i = 0, list = [root]; i < list.length; i++) {
    const deps = graph.requirementsOf(list[i] as Step);
    if (deps instanceof Error) {
      errors.push(deps);
      continue;
    }
    for (const dep of deps) {
      if (seen.has(dep.id)) continue;
      seen.set(dep.id, dep);
      list.push(dep);
    }
  }
  return [...seen.values()];
}

/** Luigi's drawing, iteratively (a chain of thousands of steps needs no deep stack). */
function draw(root: Step, graph: StepGraph, stateOf: (step: Step) => string): string {
  const lines: string[] = [];
  // The steps on the path from the root to the one being drawn: meeting one again is a cycle.
  const open = new Set<string>();
  const stack: { step: Step; indent: string; last: boolean; leave?: true }[] = [
    { step: root, indent: "", last: true },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { step, indent, last } = item;
    if (item.leave) {
      open.delete(step.id);
      continue;
    }
    const deps = graph.requirementsOf(step);
    const cycle = open.has(step.id);
    const note = cycle ? " dependency cycle" : deps instanceof Error ? " requires() failed" : "";
    lines.push(`${indent}${last ? "└─--" : "|---"}[${String(step)} (${stateOf(step)})]${note}`);
    if (cycle || deps instanceof Error) continue;
    open.add(step.id);
    stack.push({ step, indent, last, leave: true });
    const childIndent = indent + (last ? "    " : "|   ");
    for (let i = deps.length - 1; i >= 0; i--)
      stack.push({ step: deps[i] as Step, indent: childIndent, last: i === deps.length - 1 });
  }
  return lines.join("\n");
}

function notBoolean(value: unknown): LuigiError {
  return new LuigiError(
    ErrorCode.SCHEDULING_ERROR,
    `complete() returned ${typeof value} ${JSON.stringify(value)}, not a boolean`,
  );
}
