/**
 * A bounded FIFO: O(1) push and O(k) take from the front. The writer's only shared structure with the
 * scheduler's hot path, so `push` never allocates more than the array's own growth.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** False when full: the item is not kept. */
  push(item: T): boolean {
    if (this.length >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  /**
   * Removes and returns up to `n` items from the front; with `weigh`, stops before the items weigh more
   * than `most` (always taking the first).
   */
  take(n: number, weigh?: (item: T) => number, most = Number.POSITIVE_INFINITY): T[] {
    let end = Math.min(this.items.length, this.head + n);
    if (weigh) {
      let weight = 0;
      for (let i = this.head; i < end; i++) {
        weight += weigh(this.items[i] as T);
        if (weight > most && i > this.head) {
          end = i;
          break;
        }
      }
    }
    const out = this.items.slice(this.head, end);
    this.head += out.length;
    // Drop the consumed prefix once it is most of the array, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** Puts items taken by `take` back in front (a write that failed), even past the capacity. */
  putBack(batch: T[]): void {
    if (batch.length === 0) return;
    if (this.head >= batch.length) {
      this.head -= batch.length;
      for (let i = 0; i < batch.length; i++) this.items[this.head + i] = batch[i] as T;
    } else {
      this.items = batch.concat(this.items.slice(this.head));
      this.head = 0;
    }
  }
}
