/**
 * Lays a graph out in the Web Worker (falling back to the main thread), caching the last few layouts by
 * shape so that an auto-refresh that changes only statuses costs no layout at all.
 */
import type { LayoutInput, LayoutResult } from "./layout.js";

const CACHE_SIZE = 4;
const cache = new Map<string, LayoutResult>();
let worker: Worker | null | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();

function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    worker = new Worker(new URL("./layout-worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (e: MessageEvent<{ id: number; result?: LayoutResult; error?: string }>) => {
      const w = waiting.get(e.data.id);
      if (!w) return;
      waiting.delete(e.data.id);
      if (e.data.result) w.resolve(e.data.result);
      else w.reject(new Error(`graph layout failed: ${e.data.error ?? "unknown error"}`));
    };
    worker.onerror = () => {
      for (const w of waiting.values()) w.reject(new Error("graph layout worker failed"));
      waiting.clear();
      worker = null;
    };
  } catch {
    worker = null;
  }
  return worker;
}

export function hasLayout(key: string): boolean {
  return cache.has(key);
}

const inflight = new Map<string, Promise<LayoutResult>>();

/** The layout of a shape: from the cache, from the run already in progress for it, or a new run. */
export function runLayout(key: string, input: LayoutInput): Promise<LayoutResult> {
  const hit = cache.get(key);
  if (hit) return Promise.resolve(hit);
  let running = inflight.get(key);
  if (!running) {
    running = compute(key, input).finally(() => inflight.delete(key));
    inflight.set(key, running);
  }
  return running;
}

async function compute(key: string, input: LayoutInput): Promise<LayoutResult> {
  const w = getWorker();
  let result: LayoutResult;
  if (w) {
    const id = nextId++;
    result = await new Promise<LayoutResult>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      w.postMessage({ id, input });
    });
  } else {
    const { layoutGraph } = await import("./layout.js");
    result = layoutGraph(input);
  }
  cache.set(key, result);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return result;
}
