/**
 * From a `step_graph` answer to what is drawn: nodes with their two lines of text (family; parameters),
 * the step list's category as their status, edges in the direction work flows (a dependency before the
 * step that needs it), and TRUNCATED nodes for ids the answer refers to but left out (the node limit).
 * Text is cut to fit here, once per answer, not on every frame of a pan.
 */
import type { StepGraph } from "../api/types.js";
import { clip, paramText } from "../state/format.js";
import { statusLabel } from "../status.js";

export interface GraphNode {
  id: string;
  /** First line: the family. */
  label: string;
  /** Second line: the parameters (`day=2026-11-20, source=api`), or the id when there are none known. */
  detail: string;
  status: string;
  /** Tooltip: the full display name and the status. */
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
export const NODE_HEIGHT_TWO_LINES = 44;
/** Vertical centres of the two lines in a two-line node. */
export const LINE_1_Y = 15;
export const LINE_2_Y = 31;

// Widths estimated from the character count (12px family line, 11px parameter line): measuring text
// would need the DOM, and the layout runs before anything is drawn.
const FAMILY_CHAR_WIDTH = 7.4;
const DETAIL_CHAR_WIDTH = 6.6;
const PADDING = 20;
const MIN_WIDTH = 60;
const MAX_WIDTH = 280;
const MAX_FAMILY_CHARS = Math.floor((MAX_WIDTH - PADDING) / FAMILY_CHAR_WIDTH);
const MAX_DETAIL_CHARS = Math.floor((MAX_WIDTH - PADDING) / DETAIL_CHAR_WIDTH);
/** A long value is cut on its own first, so that the parameters after it still show. */
const MAX_VALUE_CHARS = 20;
const MAX_TRUNCATED = 200;

/** The two lines of a node, cut to fit its widest box. */
export function nodeLines(family: string, detail: string): { label: string; detail: string } {
  return { label: clip(family, MAX_FAMILY_CHARS), detail: clip(detail, MAX_DETAIL_CHARS) };
}

/** The parameter line: `k=v, k=v` as in the step list, each value cut to MAX_VALUE_CHARS. */
export function paramLine(params: Record<string, string | string[]> | undefined): string {
  return paramText(params, MAX_VALUE_CHARS);
}

export function nodeSize(label: string, detail: string): { width: number; height: number } {
  const text = Math.max(label.length * FAMILY_CHAR_WIDTH, detail.length * DETAIL_CHAR_WIDTH);
  return {
    width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(text + PADDING))),
    height: detail ? NODE_HEIGHT_TWO_LINES : NODE_HEIGHT,
  };
}

function makeNode(id: string, family: string, detail: string, status: string, name: string): GraphNode {
  const lines = nodeLines(family, detail);
  return {
    id,
    ...lines,
    status,
    title: `${name}\n${statusLabel(status)}`,
    ...nodeSize(lines.label, lines.detail),
  };
}

export function buildModel(graph: StepGraph, invert: boolean): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  const known = new Set(Object.keys(graph.nodes));
  const truncated = new Set<string>();
  for (const [id, node] of Object.entries(graph.nodes)) {
    // A placeholder (a dependency nobody registered) has only its id to tell it apart.
    const unknown = node.category === "UNKNOWN";
    const detail = unknown ? id : paramLine(node.params);
    nodes.push(makeNode(id, node.name || id, detail, node.category, node.display_name ?? id));
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
    const family = /^([^(_]+)/.exec(id)?.[1] ?? id;
    nodes.push(makeNode(id, family, id, "TRUNCATED", id));
  }
  return { nodes, edges, truncatedShown: truncated.size };
}

/** Identifies a graph's shape: the same shape needs no new layout (a refresh only recolours). */
export function shapeKey(model: GraphModel): string {
  const ids = model.nodes.map((n) => `${n.id}:${n.width}x${n.height}`).join("|");
  const edges = model.edges.map(([a, b]) => `${a}>${b}`).join("|");
  return `${ids}#${edges}`;
}
