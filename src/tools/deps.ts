/**
 * Luigi's `luigi/tools/deps.py`: the steps on the dependency paths from a step down to the steps of an
 * upstream family (every step it needs, without a family), each with its outputs. Say `Aggregate` has a
 * bug and everything between `Daily` and it must be redone: `luigi-deps --module m Aggregate
 * --upstream-family Daily` lists those steps and their outputs, to delete before running again.
 */
import { flatten } from "../step/structure.js";
import { isTarget, type Step } from "../step/step.js";
import type { Target } from "../target/target.js";
import { StepGraph } from "./graph.js";

/**
 * The steps on some path from `root` to a step of `upstreamFamily`, both ends included, in depth-first
 * order from `root`; without a family, `root` and everything it requires, directly or not. Each step
 * once. A `requires()` that throws rejects with a LuigiError (SCHEDULING_ERROR) naming the step.
 *
 * Luigi enumerates every path, which grows exponentially with diamonds in the graph; a step is on such
 * a path exactly when it is reachable from `root` and reaches the family, which costs one visit per step.
 */
export function findDeps(root: Step, upstreamFamily?: string): Step[] {
  const graph = new StepGraph();
  const requirements = (step: Step): Step[] => {
    const deps = graph.requirementsOf(step);
    if (deps instanceof Error) throw deps;
    return deps;
  };
  // Iterative post-order, so that a chain of 100,000 days needs no deep stack. A step met again while
  // its own visit is open (a cycle) counts as not reaching the family from there.
  const reaches = new Map<string, boolean>();
  const order: Step[] = [];
  const stack: { step: Step; deps: Step[]; next: number }[] = [];
  const enter = (step: Step): void => {
    reaches.set(step.id, upstreamFamily === undefined || step.family === upstreamFamily);
    order.push(step);
    stack.push({ step, deps: requirements(step), next: 0 });
  };
  enter(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    const dep = top.deps[top.next++];
    if (dep === undefined) {
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent && reaches.get(top.step.id)) reaches.set(parent.step.id, true);
      continue;
    }
    if (!reaches.has(dep.id)) enter(dep);
    else if (reaches.get(dep.id)) reaches.set(top.step.id, true);
  }
  return order.filter((step) => reaches.get(step.id));
}

/** How `luigi-deps` shows a target: `[FileSystem] path` for file targets, else what it says of itself. */
export function describeTarget(target: Target): string {
  const path = (target as { path?: unknown }).path;
  if (typeof path === "string") return `[FileSystem] ${path}`;
  // A target class that says what it is (`toString()`) is shown so; else by its class name.
  const described = target as { toString: (this: unknown) => string };
  if (described.toString !== Object.prototype.toString) return described.toString();
  return `[${target.constructor?.name ?? "Target"}]`;
}

/** Luigi's listing: `   TASK: Family(params)`, then one line per output. */
export function formatDeps(steps: readonly Step[]): string {
  const lines: string[] = [];
  for (const step of steps) {
    lines.push(`   TASK: ${String(step)}`);
    for (const target of flatten(step.output(), isTarget))
      lines.push(`                       : ${describeTarget(target)}`);
  }
  return lines.join("\n");
}
