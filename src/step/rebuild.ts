import { lookupFamily } from "./registry.js";
import type { Step } from "./step.js";

/**
 * Rebuilds a step from its family and serialised parameters, as the scheduler or a parent process sends
 * them (an assistant's work, a child process's step, a dynamic dependency reported by a child).
 */
export function stepFromWire(family: string, params: Record<string, string | string[]>): Step {
  const cls = lookupFamily(family) as unknown as typeof Step & (new (args: Record<string, unknown>) => Step);
  const args: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(cls.schema)) {
    const text = params[name];
    if (typeof text === "string") args[name] = kind.parse(text, name, cls.family);
  }
  return new cls(args);
}

/**
 * Whether stepFromWire rebuilds steps of `cls` exactly: the scheduler holds every parameter but the
 * private ones, so a family with a private parameter is rebuilt with that parameter's default.
 */
export function rebuildsFromWire(cls: typeof Step): boolean {
  return Object.values(cls.schema).every((kind) => kind.visibility !== "private");
}
