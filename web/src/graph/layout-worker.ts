/** The layout Web Worker: lays out off the main thread so a big graph never freezes the page. */
import { layoutGraph, type LayoutInput } from "./layout.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ id: number; input: LayoutInput }>) => void) | null;
  postMessage: (message: unknown) => void;
}

const scope = self as unknown as WorkerScope;
scope.onmessage = (e) => {
  const { id, input } = e.data;
  try {
    scope.postMessage({ id, result: layoutGraph(input) });
  } catch (err) {
    scope.postMessage({ id, error: String(err) });
  }
};
