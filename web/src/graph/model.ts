/**
 * From a `step_graph` answer to what is drawn: nodes with a label and a status, edges in the direction
 * work flows (a dependency before the step that needs it), and TRUNCATED nodes for ids the answer
 * refers to but left out (the server's node limit).
 */
import type { StepGraph } from "../api/types.js";

export interface GraphNode {
  id: string;
  label: string;
  status: string;
  title: string;
  width: number;
  height: number;
}

export interface GraphModel {
  nodes: GraphNode[];
  /** [from, to]: `from` must be done before `to`. */
  edges: [string, string][];
  /** Nodes drawn as TRUNCATED (referenced, not answered). */
  truncatedShown: number;
}

export const NODE_HEIGHT = 30;
const CHAR_WIDTH = 7.2;
const MAX_TRUNCATED = 200;

export function nodeWidth(label: string): number {
  return Math.min(240, Math.max(60, Math.round(label.length * CHAR_WIDTH + 24)));
}

export function buildModel(graph: StepGraph, invert: boolean): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  const known = new Set(Object.keys(graph.nodes));
  const truncated = new Set<string>();
  for (const [id, node] of Object.entries(graph.nodes)) {
    const label = node.name || id;
    nodes.push({
      id,
      label,
      status: node.status,
      title: node.display_name ?? id,
      width: nodeWidth(label),
      height: NODE_HEIGHT,
    });
    for (const other of node.deps ?? []) {
      if (!known.has(other)) {
        if (truncated.size >= MAX_TRUNCATED && !truncated.has(other)) continue;
        truncated.add(other);
      }
      // deps direction: `other` is a dependency of `id`; dependents direction: `other` needs `id`.
      edges.push(invert ? [id, other] : [other, id]);
    }
  }
  for (const id of truncated) {
    const label = /^([^(_]+)/.exec(id)?.[1] ?? id;
    nodes.push({ id, label, status: "TRUNCATED", title: id, width: nodeWidth(label), height: NODE_HEIGHT });
  }
  return { nodes, edges, truncatedShown: truncated.size };
}

/** Identifies a graph's shape: the same shape needs no new layout (a refresh only recolours). */
export function shapeKey(model: GraphModel): string {
  const ids = model.nodes.map((n) => `${n.id}:${n.width}`).join("|");
  const edges = model.edges.map(([a, b]) => `${a}>${b}`).join("|");
  return `${ids}#${edges}`;
}
