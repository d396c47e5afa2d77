/**
 * The view state kept in the URL fragment, as Luigi's visualiser does (`#tab=...&family=...&statuses=
 * [...]&taskId=...`), so that a link or a reload shows the same view. Luigi's own keys are read too
 * (`tab=tasks`, `search__search`).
 */
import type { StepCategory, StepPageSort } from "../api/types.js";
import { CATEGORIES } from "../status.js";

export type Tab = "steps" | "graph" | "timeline" | "workers" | "resources" | "runs";
const TABS: readonly Tab[] = ["steps", "graph", "timeline", "workers", "resources", "runs"];
const SORTS: readonly StepPageSort[] = ["default", "name", "updated", "started", "priority"];

export interface ViewState {
  tab: Tab;
  /** Step list filters. */
  statuses: StepCategory[];
  family: string;
  search: string;
  sort: StepPageSort;
  order: "asc" | "desc";
  /** 1-based page and rows per page. */
  page: number;
  length: number;
  /** The step whose details are open (any tab). */
  detail: string;
  /** Graph root; `invert`: show what depends on it instead of what it needs. */
  taskId: string;
  invert: boolean;
  hideDone: boolean;
  /** Largest number of graph nodes asked of the server. */
  limit: number;
  /** Runs tab: the family whose run form is open. */
  run: string;
  /** Timeline: the scheduler's latest runs ("live") or the step history's ("history"). */
  tlSource: "live" | "history";
  /** Timeline: the runs of the past N hours (0: everything the scheduler holds). */
  tlHours: number;
  /** Timeline, history: the window's end (an ISO time; empty: now). */
  tlTo: string;
  /** Timeline: only this worker's runs. */
  tlWorker: string;
}

export const DEFAULT_VIEW: Readonly<ViewState> = Object.freeze({
  tab: "steps",
  statuses: [],
  family: "",
  search: "",
  sort: "default",
  order: "asc",
  page: 1,
  length: 50,
  detail: "",
  taskId: "",
  invert: false,
  hideDone: false,
  limit: 1000,
  run: "",
  tlSource: "live",
  tlHours: 24,
  tlTo: "",
  tlWorker: "",
});

export const PAGE_LENGTHS = [20, 50, 100, 200] as const;
export const GRAPH_LIMITS = [100, 300, 1000, 2000] as const;

function positiveInt(text: string | null, fallback: number, max: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/** A window in hours: a positive number (fractions too), 0 for everything; else the default. */
function hoursOf(text: string | null): number {
  const n = Number(text);
  return text !== null && text !== "" && Number.isFinite(n) && n >= 0 && n <= 24 * 3660
    ? n
    : DEFAULT_VIEW.tlHours;
}

function parseStatuses(text: string | null): StepCategory[] {
  if (!text) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = text.split(",");
  }
  if (!Array.isArray(list)) return [];
  const known = new Set<string>(CATEGORIES);
  return list.filter((s): s is StepCategory => typeof s === "string" && known.has(s));
}

export function parseHash(hash: string): ViewState {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  const rawTab = q.get("tab") === "tasks" ? "steps" : q.get("tab");
  const sort = q.get("sort");
  return {
    tab: TABS.includes(rawTab as Tab) ? (rawTab as Tab) : DEFAULT_VIEW.tab,
    statuses: parseStatuses(q.get("statuses")),
    family: q.get("family") ?? "",
    search: q.get("search") ?? q.get("search__search") ?? "",
    sort: SORTS.includes(sort as StepPageSort) ? (sort as StepPageSort) : "default",
    order: q.get("order") === "desc" ? "desc" : "asc",
    page: positiveInt(q.get("page"), 1, 1_000_000),
    length: positiveInt(q.get("length"), DEFAULT_VIEW.length, 1000),
    detail: q.get("detail") ?? "",
    taskId: q.get("taskId") ?? "",
    invert: q.get("invert") === "1",
    hideDone: q.get("hideDone") === "1",
    limit: positiveInt(q.get("limit"), DEFAULT_VIEW.limit, 100_000),
    run: q.get("run") ?? "",
    tlSource: q.get("tlSource") === "history" ? "history" : "live",
    tlHours: hoursOf(q.get("tlHours")),
    tlTo: q.get("tlTo") ?? "",
    tlWorker: q.get("tlWorker") ?? "",
  };
}

/** Only what differs from the defaults, in a stable order. */
export function formatHash(view: ViewState): string {
  const q = new URLSearchParams();
  q.set("tab", view.tab);
  if (view.statuses.length) q.set("statuses", JSON.stringify(view.statuses));
  if (view.family) q.set("family", view.family);
  if (view.search) q.set("search", view.search);
  if (view.sort !== "default") q.set("sort", view.sort);
  if (view.order !== "asc") q.set("order", view.order);
  if (view.page !== 1) q.set("page", String(view.page));
  if (view.length !== DEFAULT_VIEW.length) q.set("length", String(view.length));
  if (view.taskId) q.set("taskId", view.taskId);
  if (view.invert) q.set("invert", "1");
  if (view.hideDone) q.set("hideDone", "1");
  if (view.limit !== DEFAULT_VIEW.limit) q.set("limit", String(view.limit));
  if (view.run) q.set("run", view.run);
  if (view.tlSource !== "live") q.set("tlSource", view.tlSource);
  if (view.tlHours !== DEFAULT_VIEW.tlHours) q.set("tlHours", String(view.tlHours));
  if (view.tlTo) q.set("tlTo", view.tlTo);
  if (view.tlWorker) q.set("tlWorker", view.tlWorker);
  if (view.detail) q.set("detail", view.detail);
  return `#${q.toString()}`;
}
