/**
 * requires(), output() and input() may return one item, an array or an object of items (nested at will).
 * These helpers flatten such a structure and map it while keeping its shape.
 */

/** One item, or any nesting of arrays and plain objects of items. */
export type Structure<T> = T | readonly Structure<T>[] | { readonly [key: string]: Structure<T> };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Every leaf of a structure, in order; null and undefined leaves are dropped. */
export function flatten<T>(structure: Structure<T> | null | undefined, isLeaf: (v: unknown) => v is T): T[] {
  const out: T[] = [];
  collectLeaves(structure, isLeaf, out);
  return out;
}

// A function of the module rather than a closure made per call: flatten runs several times per step
// (requires, output, input), and the bundle names each closure it makes (a defineProperty).
function collectLeaves<T>(node: unknown, isLeaf: (v: unknown) => v is T, out: T[]): void {
  if (node === null || node === undefined) return;
  if (isLeaf(node)) out.push(node);
  else if (Array.isArray(node)) for (const child of node) collectLeaves(child, isLeaf, out);
  else if (isPlainObject(node)) for (const child of Object.values(node)) collectLeaves(child, isLeaf, out);
  else out.push(node as T); // unexpected leaf kinds are returned so callers can reject them by name
}

/** The same shape with every leaf replaced by fn(leaf). */
export function mapStructure<T, U>(
  structure: unknown,
  isLeaf: (v: unknown) => v is T,
  fn: (leaf: T) => U,
): unknown {
  if (isLeaf(structure)) return fn(structure);
  if (Array.isArray(structure)) return structure.map((child) => mapStructure(child, isLeaf, fn));
  if (isPlainObject(structure)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(structure)) out[key] = mapStructure(child, isLeaf, fn);
    return out;
  }
  return structure;
}
