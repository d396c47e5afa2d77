/** Where a step's latest run stands, as the writer last wrote it. */
export interface RunRef {
  readonly id: number;
  readonly open: boolean;
}

/**
 * step id -> its latest run, least recently used evicted past `capacity`. It is only a cache: a miss is
 * answered from the database (`steps_step_id_id` index), so evicting never splits or merges runs.
 * Luigi's equivalent map grew forever (SPEC 7.5).
 */
export class RunCache {
  private readonly map = new Map<string, RunRef>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(stepId: string): RunRef | undefined {
    return this.map.get(stepId);
  }

  set(stepId: string, ref: RunRef): void {
    // Re-inserting moves the key to the end of Map's insertion order: the LRU order.
    this.map.delete(stepId);
    this.map.set(stepId, ref);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
}
