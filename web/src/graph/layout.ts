/**
 * Layered layout with dagre (left to right: dependencies on the left, the steps that need them on the
 * right). Pure: runs in the layout Web Worker, or on the main thread when workers are unavailable.
 */
import dagre from "@dagrejs/dagre";

export interface LayoutInput {
  nodes: { id: string; width: number; height: number }[];
  edges: [string, string][];
}

export interface LayoutResult {
  width: number;
  height: number;
  /** Centre of each node. */
  positions: Record<string, { x: number; y: number }>;
  /** Polyline of each edge, in the order of the input edges. */
  edgePoints: { x: number; y: number }[][];
  ms: number;
}

/** Above this many nodes the cheaper ranker is used (network simplex grows too slow). */
const SIMPLEX_MAX_NODES = 150;

export function layoutGraph(input: LayoutInput): LayoutResult {
  const started = performance.now();
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({
    rankdir: "LR",
    nodesep: 12,
    ranksep: 60,
    marginx: 20,
    marginy: 20,
    ranker: input.nodes.length > SIMPLEX_MAX_NODES ? "longest-path" : "network-simplex",
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const [a, b] of input.edges) if (a !== b) g.setEdge(a, b);
  dagre.layout(g);
  const positions: LayoutResult["positions"] = {};
  for (const id of g.nodes()) {
    const n = g.node(id) as { x: number; y: number } | undefined;
    if (n) positions[id] = { x: n.x, y: n.y };
  }
  const edgePoints = input.edges.map(([a, b]) => {
    const e = a === b ? undefined : (g.edge(a, b) as { points?: { x: number; y: number }[] } | undefined);
    return e?.points ?? [];
  });
  const label = g.graph() as { width?: number; height?: number };
  return {
    width: label.width ?? 0,
    height: label.height ?? 0,
    positions,
    edgePoints,
    ms: performance.now() - started,
  };
}
