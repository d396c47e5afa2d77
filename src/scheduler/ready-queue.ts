/**
 * A set of READY steps kept in get_work's rank order (SPEC 2.4): higher priority first, then the older
 * record, then creation order so that the order is total. The record itself is the B+ tree key, which is
 * safe because every field of the rank is only changed while the record is out of all indexes.
 */
import { BTree } from "./btree.js";
import type { StepRecord } from "./step-record.js";

export function rankCompare(a: StepRecord, b: StepRecord): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.seq - b.seq;
}

export class ReadyQueue {
  private readonly tree = new BTree<StepRecord, undefined>(undefined, rankCompare);

  get size(): number {
    return this.tree.size;
  }

  add(rec: StepRecord): void {
    this.tree.set(rec, undefined);
  }

  delete(rec: StepRecord): void {
    this.tree.delete(rec);
  }

  has(rec: StepRecord): boolean {
    return this.tree.has(rec);
  }

  first(): StepRecord | undefined {
    return this.tree.minKey();
  }

  /** In rank order, best first; from `start` (inclusive) when given. */
  values(start?: StepRecord): IterableIterator<StepRecord> {
    return this.tree.keys(start);
  }
}
