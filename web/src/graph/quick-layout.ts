/**
 * A provisional layered layout for big graphs, drawn at once while dagre works in the Web Worker:
 * longest-path layers (left to right, like dagre's), one barycentre pass to order each layer, straight
 * edges. Linear in nodes + edges, so a 1,000-node graph shows in milliseconds; dagre's layout (fewer
 * crossings, better spacing) replaces it when ready.
 */
import type { LayoutInput, LayoutResult } from "./layout.js";

const NODE_SEP = 12;
const RANK_SEP = 60;
const MARGIN = 20;

export function quickLayout(input: LayoutInput): LayoutResult {
  const started = performance.now();
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const n of input.nodes) {
    preds.set(n.id, []);
    succs.set(n.id, []);
  }
  for (const [a, b] of input.edges) {
    if (a === b || !preds.has(a) || !preds.has(b)) continue;
    preds.get(b)?.push(a);
    succs.get(a)?.push(b);
  }
  // Longest path from the sources (Kahn's order; nodes left in a cycle go on the last layer).
  const rank = new Map<string, number>();
  const indegree = new Map<string, number>();
  for (const n of input.nodes) indegree.set(n.id, preds.get(n.id)?.length ?? 0);
  const queue = input.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) rank.set(id, 0);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    const r = rank.get(id) ?? 0;
    for (const s of succs.get(id) ?? []) {
      rank.set(s, Math.max(rank.get(s) ?? 0, r + 1));
      const left = (indegree.get(s) ?? 1) - 1;
      indegree.set(s, left);
      if (left === 0) queue.push(s);
    }
  }
  let maxRank = 0;
  for (const r of rank.values()) maxRank = Math.max(maxRank, r);
  for (const n of input.nodes) if (!rank.has(n.id)) rank.set(n.id, maxRank + 1);

  const layers: string[][] = [];
  for (const n of input.nodes) (layers[rank.get(n.id) ?? 0] ??= []).push(n.id);
  const size = new Map(input.nodes.map((n) => [n.id, n]));
  const index = new Map<string, number>();
  const positions: LayoutResult["positions"] = {};
  let x = MARGIN;
  let height = 0;
  for (const layer of layers) {
    if (!layer) continue;
    // Order by the mean position of the predecessors already placed (one barycentre sweep).
    const bary = (id: string): number => {
      const ps = (preds.get(id) ?? []).map((p) => index.get(p)).filter((i): i is number => i !== undefined);
      return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : Number.MAX_SAFE_INTEGER;
    };
    const keyed = layer.map((id, i) => ({ id, key: bary(id), i }));
    keyed.sort((a, b) => a.key - b.key || a.i - b.i);
    const width = Math.max(...layer.map((id) => size.get(id)?.width ?? 0));
    let y = MARGIN;
    keyed.forEach(({ id }, i) => {
      index.set(id, i);
      const h = size.get(id)?.height ?? 0;
      positions[id] = { x: x + width / 2, y: y + h / 2 };
      y += h + NODE_SEP;
    });
    height = Math.max(height, y);
    x += width + RANK_SEP;
  }
  const edgePoints = input.edges.map(([a, b]) => {
    const pa = positions[a];
    const pb = positions[b];
    const wa = size.get(a)?.width ?? 0;
    const wb = size.get(b)?.width ?? 0;
    if (!pa || !pb || a === b) return [];
    return [
      { x: pa.x + wa / 2, y: pa.y },
      { x: pb.x - wb / 2, y: pb.y },
    ];
  });
  return {
    width: x - RANK_SEP + MARGIN,
    height: height + MARGIN,
    positions,
    edgePoints,
    ms: performance.now() - started,
  };
}
