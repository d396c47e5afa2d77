/**
 * The one palette and label set of the page: cards, badges, graph nodes and the graph's legend all read
 * it, so a status looks the same everywhere (the history pages use the same colours). What a step counts
 * as (PENDING split into upstream failed / upstream disabled) is decided by the scheduler once, for the
 * list's rows and the graph's nodes alike (`category` in step_page and step_graph).
 */
import type { StepCategory } from "./api/types.js";

/** The list's categories, plus what only a graph shows (UNKNOWN: a dependency nobody registered). */
export type ShownStatus = StepCategory | "UNKNOWN" | "TRUNCATED";

export const STATUS_COLOURS: Record<ShownStatus, string> = {
  FAILED: "#DD0000",
  RUNNING: "#0044DD",
  BATCH_RUNNING: "#BB00BB",
  PENDING: "#EEBB00",
  DONE: "#00AA00",
  DISABLED: "#808080",
  UNKNOWN: "#000000",
  TRUNCATED: "#FF00FF",
  UPSTREAM_FAILED: "#8B0000",
  UPSTREAM_DISABLED: "#A0A0A0",
};

/** Text colour that reads on each status colour. */
export function textOn(status: string): string {
  return status === "PENDING" || status === "UPSTREAM_DISABLED" ? "#1f2933" : "#ffffff";
}

/** The status cards, in their order. */
export const CATEGORIES: readonly StepCategory[] = [
  "PENDING",
  "RUNNING",
  "BATCH_RUNNING",
  "DONE",
  "FAILED",
  "UPSTREAM_FAILED",
  "DISABLED",
  "UPSTREAM_DISABLED",
];

/** The graph's legend: every status a node can have, the cards' first. */
export const GRAPH_STATUSES: readonly ShownStatus[] = [...CATEGORIES, "UNKNOWN", "TRUNCATED"];

export const CATEGORY_LABELS: Record<StepCategory, string> = {
  PENDING: "Pending",
  RUNNING: "Running",
  BATCH_RUNNING: "Batch running",
  DONE: "Done",
  FAILED: "Failed",
  UPSTREAM_FAILED: "Upstream failed",
  DISABLED: "Disabled",
  UPSTREAM_DISABLED: "Upstream disabled",
};

const STATUS_LABELS: Record<ShownStatus, string> = {
  ...CATEGORY_LABELS,
  UNKNOWN: "Unknown",
  TRUNCATED: "Left out",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as ShownStatus] ?? status;
}

export function statusColour(status: string): string {
  return STATUS_COLOURS[status as ShownStatus] ?? "#000000";
}
