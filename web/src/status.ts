/** Status colours and labels, shared with the server-rendered history pages (same palette). */
import type { StepCategory } from "./api/types.js";

export const STATUS_COLOURS: Record<string, string> = {
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

export function statusColour(status: string): string {
  return STATUS_COLOURS[status] ?? "#000000";
}
