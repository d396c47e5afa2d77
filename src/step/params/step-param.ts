/**
 * Luigi's TaskParameter: the value is a step class, written as its family name. Looking a family up needs
 * the step registry, which depends on this module's consumers; the registry therefore installs itself
 * through `setStepClassResolver` instead of being imported here (that import would be a cycle).
 */
import { Param } from "./param.js";

/** What this kind needs from a step class: its family name, as a static property. */
export interface StepClassLike {
  readonly family: string;
}

/** Returns the class registered for a family name; may throw (unknown or ambiguous family). */
export type StepClassResolver = (family: string) => unknown;

let resolver: StepClassResolver | undefined;

/** Called once by the step registry; pass undefined to detach it (tests). */
export function setStepClassResolver(fn: StepClassResolver | undefined): void {
  resolver = fn;
}

function isStepClassLike(value: unknown): value is StepClassLike {
  return (
    (typeof value === "function" || (typeof value === "object" && value !== null)) &&
    typeof (value as { family?: unknown }).family === "string"
  );
}

function resolve(family: string): StepClassLike {
  if (resolver === undefined) throw new Error("no step registry is available to look up step families");
  const found = resolver(family);
  if (!isStepClassLike(found)) throw new Error(`${family} is not a known step family`);
  return found;
}

export class StepParam<C extends StepClassLike = StepClassLike, D extends boolean = boolean> extends Param<
  C,
  D
> {
  readonly kind = "step";
  readonly expected = "a step family name";
  protected parseText(text: string): C {
    return resolve(text) as C;
  }
  serialize(value: C): string {
    return value.family;
  }
  /** A step class, or a family name to look up. */
  protected normalizeValue(value: unknown): C {
    if (typeof value === "string") return resolve(value) as C;
    if (isStepClassLike(value)) return value as C;
    throw new Error("not a step class (no static family name)");
  }
}
