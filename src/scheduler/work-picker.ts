/**
 * Which READY step a worker gets (SPEC 2.4 steps 4-6), and its batch companions.
 *
 * Luigi sorts every PENDING and RUNNING step on each call and replays a greedy assignment of all live
 * workers over them. Here the worker's own ready queue is walked in rank order and the walk stops at the
 * first step whose resources fit, so the usual cost is O(log n). The greedy reservation is simplified:
 * - only higher-ranked READY steps that declare resources are replayed (a step without resources never
 *   blocks anybody, it only uses a slot);
 * - a live worker's simulated slots are its advertised processes minus *all* the steps it runs now;
 * - RUNNING steps do not feed the simulated resources: they are already counted in the real `used`
 *   totals that every hand-out must fit anyway.
 * A step therefore goes to this worker when it fits the real free capacity and the capacity that
 * higher-ranked ready steps of live workers with a free slot would take first.
 */
import type { Resources } from "./api.js";
import type { Core } from "./core.js";
import { type HelpScope, mayHelpWith } from "./fleet-help.js";
import type { ReadyQueue } from "./ready-queue.js";
import { rankCompare } from "./ready-queue.js";
import { hasAny, type StepRecord } from "./step-record.js";

export function pickWork(
  core: Core,
  workerId: string,
  assistant: boolean,
  help?: HelpScope,
): { step: StepRecord; queue: ReadyQueue } | undefined {
  const pick = (queue: ReadyQueue, accept?: (rec: StepRecord) => boolean): StepRecord | undefined => {
    if (queue.size === 0) return undefined;
    const first = queue.first() as StepRecord;
    // The usual case, O(log n): the best-ranked step needs no resources (and no reservation is built).
    if (!hasAny(first.resources) && (!accept || accept(first))) return first;
    return new Reservation(core, workerId, assistant, help).walk(queue, accept);
  };
  const own = ownQueue(core, workerId, assistant);
  const mine = own && pick(own);
  let best = mine && { step: mine, queue: own };
  if (!help) return best;
  // A helper (fleet-help.ts) also looks at the queues of the workers it helps, and takes the best-ranked.
  const accept = (rec: StepRecord): boolean => mayHelpWith(help, rec);
  for (const wi of help.indexes) {
    const theirs = pick(wi.ready, accept);
    if (theirs && (!best || rankCompare(theirs, best.step) < 0)) best = { step: theirs, queue: wi.ready };
  }
  return best;
}

/** The READY steps this worker may take: its own, or every runnable one for an assistant. */
export function ownQueue(core: Core, workerId: string, assistant: boolean): ReadyQueue | undefined {
  return assistant ? core.state.idx.runnableReady : core.state.idx.perWorker.get(workerId)?.ready;
}

/** Steps of a helped queue a helper may pass over (not its families) before it gives that queue up. */
const MAX_SKIPPED = 256;

class Reservation {
  private readonly greedy = new Map<string, number>();
  private readonly slots = new Map<string, number>();
  private readonly liveSince: number;

  constructor(
    private readonly core: Core,
    private readonly workerId: string,
    private readonly assistant: boolean,
    private readonly help?: HelpScope,
  ) {
    this.liveSince = core.state.now - core.options.workerDisconnectDelay;
  }

  walk(own: ReadyQueue, accept?: (rec: StepRecord) => boolean): StepRecord | undefined {
    const used = this.core.state.idx.usedResources;
    const others = this.core.state.idx.resourceReady.values();
    let other = others.next();
    let skipped = 0;
    for (const cand of own.values()) {
      if (accept && !accept(cand)) {
        if (++skipped > MAX_SKIPPED) return undefined;
        continue;
      }
      if (!hasAny(cand.resources)) return cand;
      // Higher-ranked steps of other workers reserve first.
      while (!other.done && rankCompare(other.value, cand) < 0) {
        if (!this.mine(other.value)) this.reserve(other.value);
        other = others.next();
      }
      if (this.fits(cand.resources, this.greedy)) {
        if (this.fits(cand.resources, used)) return cand;
        // Ours but busy now: it still keeps lower-ranked steps off the resources it waits for.
        this.reserve(cand);
      }
    }
    return undefined;
  }

  private mine(rec: StepRecord): boolean {
    if (rec.workers.includes(this.workerId)) return true;
    if (this.assistant && rec.runnable) return true;
    return this.help !== undefined && mayHelpWith(this.help, rec);
  }

  private reserve(rec: StepRecord): void {
    if (!this.fits(rec.resources, this.greedy)) return;
    for (const w of rec.workers) {
      if (this.takeSlot(w)) return this.hold(rec.resources);
    }
    if (this.assistant && this.takeSlot(this.workerId)) this.hold(rec.resources);
  }

  private takeSlot(workerId: string): boolean {
    let left = this.slots.get(workerId);
    if (left === undefined) left = this.initialSlots(workerId);
    if (left <= 0) {
      this.slots.set(workerId, left);
      return false;
    }
    this.slots.set(workerId, left - 1);
    return true;
  }

  private initialSlots(workerId: string): number {
    const { state } = this.core;
    const w = state.workers.get(workerId);
    if (!w || w.lastGetWork === null || w.lastGetWork <= this.liveSince) return 0;
    let running = 0;
    for (const id of state.idx.perWorker.get(workerId)?.runs ?? []) {
      if (state.steps.get(id)?.status === "RUNNING") running++;
    }
    return w.processes - running;
  }

  private hold(resources: Resources): void {
    for (const [name, amount] of Object.entries(resources)) {
      this.greedy.set(name, (this.greedy.get(name) ?? 0) + amount);
    }
  }

  private fits(need: Resources, held: Map<string, number>): boolean {
    return fits(this.core.capacity, need, held);
  }
}

/** "Fits": for every resource, need + held <= capacity (capacity 1 when the name is not configured). */
export function fits(capacity: Record<string, number>, need: Resources, held: Map<string, number>): boolean {
  for (const [name, amount] of Object.entries(need)) {
    if (amount + (held.get(name) ?? 0) > (capacity[name] ?? 1)) return false;
  }
  return true;
}

/**
 * Batch companions of `head` (SPEC 2.4 step 6): same family, batchable, identical non-batched params and
 * resources, READY, in rank order, up to the batcher's max size. Companions are taken from the same queue
 * the head came from (Luigi would also take ready steps this worker is not eligible for).
 */
export function collectBatch(
  core: Core,
  workerId: string,
  queue: ReadyQueue,
  head: StepRecord,
): { members: StepRecord[]; batchedParams: Record<string, string[]> } | undefined {
  const batcher = core.state.batchers.get(workerId)?.get(head.family);
  if (!batcher || batcher.batchedArgs.length === 0 || !head.batchable) return undefined;
  const batchedParams: Record<string, string[]> = {};
  for (const name of batcher.batchedArgs) {
    const value = head.params[name];
    if (value === undefined) return undefined;
    batchedParams[name] = [value as string];
  }
  const unbatched = Object.entries(head.params).filter(([name]) => !(name in batchedParams));
  const members = [head];
  for (const rec of companionCandidates(core, queue, head)) {
    if (members.length >= batcher.maxBatchSize) break;
    if (rec === head || rec.family !== head.family || !rec.batchable) continue;
    if (!unbatched.every(([name, value]) => sameValue(rec.params[name], value))) continue;
    if (!sameResources(rec.resources, head.resources)) continue;
    for (const name of batcher.batchedArgs) (batchedParams[name] as unknown[]).push(rec.params[name]);
    members.push(rec);
  }
  return { members, batchedParams };
}

/** Ready steps ranked after the head, walking whichever is smaller: the family or the queue. */
function companionCandidates(core: Core, queue: ReadyQueue, head: StepRecord): Iterable<StepRecord> {
  const family = core.state.idx.byFamily.get(head.family);
  if (!family || family.size >= queue.size) return queue.values(head);
  const found: StepRecord[] = [];
  for (const id of family) {
    const rec = core.state.steps.get(id);
    if (rec && rec !== head && queue.has(rec) && rankCompare(head, rec) < 0) found.push(rec);
  }
  return found.sort(rankCompare);
}

function sameValue(a: string | string[] | undefined, b: string | string[] | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

function sameResources(a: Resources, b: Resources): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
