import { Worker } from "node:worker_threads";
import type { JournalEntry } from "./journal.js";
import type { CompactorReply, CompactorRequest } from "./compactor-thread.js";
import type { ReplayInit } from "./replay.js";
import type { StateFile } from "./store.js";

/** Journal lines sent to the thread in one message (fewer messages, a bounded backlog in this thread). */
const LINES_PER_MESSAGE = 2000;

/**
 * The main thread's side of the compaction thread: forwards what the scheduler replays and journals
 * (journal lines as they were written), and asks for a snapshot at a cut. The thread holds a second copy
 * of the state (memory), and uses the other core while it packs; the event loop only copies strings.
 */
export class Compactor {
  private readonly worker: Worker;
  private lines: string[] = [];
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: { seq: number; text: string }) => void; reject: (e: Error) => void }
  >();
  private failure: Error | undefined;

  constructor(options: Omit<ReplayInit, "clock" | "hooks">) {
    const url = new URL("./compactor-thread.js", import.meta.url);
    // Under a TypeScript runner (the tests run the source), the thread loads the .ts module through tsx.
    const source = import.meta.url.endsWith(".ts");
    this.worker = source
      ? new Worker(tsBoot(new URL("./compactor-thread.ts", import.meta.url).href), {
          eval: true,
          workerData: options,
        })
      : new Worker(url, { workerData: options });
    this.worker.unref();
    this.worker.on("message", (reply: CompactorReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!waiter) return;
      if ("error" in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply);
    });
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => this.fail(new Error(`the compaction thread exited (${code})`)));
  }

  /** The thread stopped working: every later snapshot() rejects (the scheduler compacts inline then). */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** A snapshot, and entries after it (a start, a standby following its active one). */
  load(snapshot: StateFile | undefined, entries: JournalEntry[]): void {
    this.flush();
    this.post({ kind: "load", snapshot, entries });
  }

  /** One journaled call, as the journal line written for it. */
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= LINES_PER_MESSAGE) this.flush();
  }

  /** The thread's snapshot after every line pushed so far, serialised. */
  snapshot(savedAt: number): Promise<{ seq: number; text: string }> {
    this.flush();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ kind: "snapshot", id, savedAt });
    });
  }

  /** Stops the thread (its pending snapshots reject). */
  stop(): void {
    this.fail(new Error("the compaction thread was stopped"));
    void this.worker.terminate();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    this.post({ kind: "lines", lines });
  }

  private post(request: CompactorRequest): void {
    if (this.failure) return;
    this.worker.postMessage(request);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.lines = [];
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}

/**
 * A thread's entry that registers tsx's loader and imports a .ts module: only when luigid runs from its
 * TypeScript source (tests under vitest), where tsx is installed as a development dependency.
 */
function tsBoot(moduleUrl: string): string {
  return `(async () => {
  const { register } = await import("node:module");
  const { MessageChannel } = await import("node:worker_threads");
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  register("tsx/esm", { parentURL: ${JSON.stringify(moduleUrl)}, data: { port: port2 }, transferList: [port2] });
  await import(${JSON.stringify(moduleUrl)});
})();`;
}
