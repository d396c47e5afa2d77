/**
 * Reverse dependency edges: dep id -> ids of the steps that list it in `deps`. Kept for ids that have no
 * record yet (a dependant may name a step before anyone adds it). Most ids have a single dependant, so a
 * lone id is stored inline instead of in a Set, which halves the index's memory on wide graphs.
 */
export class ReverseEdges {
  private readonly map = new Map<string, string | Set<string>>();

  add(dep: string, dependant: string): void {
    const cur = this.map.get(dep);
    if (cur === undefined) this.map.set(dep, dependant);
    else if (typeof cur === "string") {
      if (cur !== dependant) this.map.set(dep, new Set([cur, dependant]));
    } else cur.add(dependant);
  }

  delete(dep: string, dependant: string): void {
    const cur = this.map.get(dep);
    if (cur === undefined) return;
    if (typeof cur === "string") {
      if (cur === dependant) this.map.delete(dep);
      return;
    }
    cur.delete(dependant);
    if (cur.size === 1) this.map.set(dep, cur.values().next().value as string);
    else if (cur.size === 0) this.map.delete(dep);
  }

  /** The dependants of `dep`; a snapshot is not taken, so do not add or delete edges of `dep` meanwhile. */
  get(dep: string): Iterable<string> {
    const cur = this.map.get(dep);
    if (cur === undefined) return EMPTY;
    return typeof cur === "string" ? [cur] : cur;
  }

  has(dep: string, dependant: string): boolean {
    const cur = this.map.get(dep);
    return cur === undefined ? false : typeof cur === "string" ? cur === dependant : cur.has(dependant);
  }

  count(dep: string): number {
    const cur = this.map.get(dep);
    return cur === undefined ? 0 : typeof cur === "string" ? 1 : cur.size;
  }

  /** Number of ids with at least one dependant. */
  get size(): number {
    return this.map.size;
  }
}

const EMPTY: readonly string[] = Object.freeze([]);
