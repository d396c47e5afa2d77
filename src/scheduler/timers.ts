/**
 * A binary min-heap of deadlines. Entries are never updated or removed in place: when a deadline moves, a
 * new entry is pushed and the old one is recognised as stale when it surfaces (lazy invalidation), so a
 * prune costs O(expired · log n) instead of a scan over every step.
 */
export class TimerHeap<T> {
  private readonly ats: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.ats.length;
  }

  push(at: number, item: T): void {
    const ats = this.ats;
    const items = this.items;
    let i = ats.length;
    ats.push(at);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentAt = ats[parent] as number;
      if (parentAt <= at) break;
      ats[i] = parentAt;
      items[i] = items[parent] as T;
      i = parent;
    }
    ats[i] = at;
    items[i] = item;
  }

  peekAt(): number | undefined {
    return this.ats[0];
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): void {
    const ats = this.ats;
    const items = this.items;
    const lastAt = ats.pop();
    const lastItem = items.pop();
    if (ats.length === 0 || lastAt === undefined) return;
    const n = ats.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (ats[right] as number) < (ats[left] as number) ? right : left;
      if ((ats[child] as number) >= lastAt) break;
      ats[i] = ats[child] as number;
      items[i] = items[child] as T;
      i = child;
    }
    ats[i] = lastAt;
    items[i] = lastItem as T;
  }

  /**
   * Fires every live entry that is due, in deadline order. Stale entries (`isLive` false) are dropped as
   * they surface; the walk stops at the first live entry that is not due yet. `fire` may push new
   * entries, including into this heap.
   */
  drain(
    isDue: (item: T, at: number) => boolean,
    isLive: (item: T, at: number) => boolean,
    fire: (item: T) => void,
  ): void {
    for (;;) {
      const at = this.peekAt();
      if (at === undefined) return;
      const item = this.items[0] as T;
      if (!isLive(item, at)) {
        this.pop();
        continue;
      }
      if (!isDue(item, at)) return;
      this.pop();
      fire(item);
    }
  }

  /** Every entry, stale ones included (for snapshots and tests). */
  *entries(): IterableIterator<[number, T]> {
    for (let i = 0; i < this.ats.length; i++) yield [this.ats[i] as number, this.items[i] as T];
  }
}
