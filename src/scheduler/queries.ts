/**
 * Read-only listings and graphs for the visualiser and scripts (SPEC 3.3 "UI / admin"), with Luigi's
 * answer shapes. Callers prune first where Luigi does.
 */
import type {
  ResourceNode,
  StepCategory,
  StepGraph,
  StepGraphArgs,
  StepGraphNode,
  StepNode,
  StepPage,
  StepPageArgs,
  StepRow,
  TaskListArgs,
  TaskListResponse,
  UpstreamStatus,
  WorkerNode,
} from "./api.js";
import type { Core } from "./core.js";
import { placeholderNode, stepNode, workerNode } from "./nodes.js";
import { displayName, type StepRecord } from "./step-record.js";

const SEVERITY: readonly UpstreamStatus[] = [
  "",
  "UPSTREAM_RUNNING",
  "UPSTREAM_MISSING_INPUT",
  "UPSTREAM_FAILED",
  "UPSTREAM_DISABLED",
];
const STATUS_TO_UPSTREAM: Partial<Record<string, UpstreamStatus>> = {
  FAILED: "UPSTREAM_FAILED",
  RUNNING: "UPSTREAM_RUNNING",
  BATCH_RUNNING: "UPSTREAM_RUNNING",
  PENDING: "UPSTREAM_MISSING_INPUT",
  DISABLED: "UPSTREAM_DISABLED",
};

/**
 * Luigi's upstream status (SPEC 2.2): an iterative post-order DFS through PENDING steps, memoised in
 * `table` for the duration of one query.
 */
export function upstreamStatus(
  core: Core,
  taskId: string,
  table: Map<string, UpstreamStatus>,
): UpstreamStatus {
  const memo = table.get(taskId);
  if (memo !== undefined) return memo;
  const steps = core.state.steps;
  if (!steps.has(taskId)) return "";
  const stack = [taskId];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    const rec = steps.get(id);
    if (!rec || rec.status === "DONE") continue;
    const known = table.get(id);
    if (known === undefined) {
      if (rec.status === "PENDING" && rec.deps.size > 0) {
        stack.push(id);
        for (const dep of rec.deps) stack.push(dep);
        table.set(id, ""); // finished in post-order
      } else {
        table.set(id, STATUS_TO_UPSTREAM[rec.status] ?? "");
      }
    } else if (known === "" && rec.deps.size > 0) {
      let worst = 0;
      for (const dep of rec.deps) worst = Math.max(worst, SEVERITY.indexOf(table.get(dep) ?? ""));
      table.set(id, SEVERITY[worst] as UpstreamStatus);
    }
  }
  return table.get(taskId) ?? "";
}

export function taskList(core: Core, args: TaskListArgs, prune: () => void): TaskListResponse {
  const { state, options } = core;
  const status = args.status ?? "";
  const upstream = args.upstream_status ?? "";
  const limit = args.limit ?? true;
  const search = args.search ?? null;
  const maxShown = args.max_shown_tasks || options.maxShownTasks;
  // Pruned first, always (Luigi skips the prune when the listing is over the limit): luigid journals every
  // listing as a prune at its time, and a replay must prune exactly where the live scheduler did.
  prune();
  const bucket = status ? state.idx.byStatus.get(status as StepRecord["status"]) : undefined;
  if (!search) {
    const preCount = status ? (bucket?.size ?? 0) : state.steps.size;
    if (limit && preCount > maxShown) return { num_tasks: upstream ? -1 : preCount };
  }

  const terms = search === null ? null : search.toLowerCase().split(/\s+/).filter(Boolean);
  const table = new Map<string, UpstreamStatus>();
  const result: Record<string, StepNode> = {};
  let count = 0;
  const consider = (rec: StepRecord): void => {
    if (terms && terms.length > 0) {
      const name = displayName(rec).toLowerCase();
      if (!terms.every((t) => name.includes(t))) return;
    }
    if (rec.status === "PENDING" && upstream && upstreamStatus(core, rec.id, table) !== upstream) return;
    result[rec.id] = stepNode(rec, { includeDeps: false, sendMessages: options.sendMessages });
    count++;
  };
  if (status) {
    for (const id of bucket ?? []) consider(state.steps.get(id) as StepRecord);
  } else {
    for (const rec of state.steps.values()) consider(rec);
  }
  if (limit && count > maxShown) return { num_tasks: count };
  return result;
}

/** Case-sensitive substring match on ids, grouped by status (a scan by nature: it is a search). */
export function taskSearch(core: Core, taskStr: string): Record<string, Record<string, StepNode>> {
  const result: Record<string, Record<string, StepNode>> = {};
  for (const rec of core.state.steps.values()) {
    if (!rec.id.includes(taskStr)) continue;
    (result[rec.status] ??= {})[rec.id] = stepNode(rec, {
      includeDeps: false,
      sendMessages: core.options.sendMessages,
    });
  }
  return result;
}

type Neighbours = (rec: StepRecord) => Iterable<string>;

/**
 * Breadth-first from `rootId`, nearest nodes first, stopping at max_graph_nodes; only the root keeps its
 * display name; without `includeDone`, DONE neighbours are neither listed nor visited.
 */
export function traverse(
  core: Core,
  rootId: string,
  neighbours: Neighbours,
  includeDone: boolean,
  seen: Set<string> = new Set(),
): Record<string, StepNode> {
  const { state, options } = core;
  if (seen.has(rootId)) return {};
  seen.add(rootId);
  const out: Record<string, StepNode> = {};
  const queue = [rootId];
  let count = 0;
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    const rec = state.steps.get(id);
    let node: StepNode;
    if (!rec || !rec.family) {
      node = placeholderNode(id);
    } else {
      let next = [...neighbours(rec)];
      if (!includeDone) next = next.filter((n) => state.steps.get(n)?.status !== "DONE");
      node = stepNode(rec, { deps: next, sendMessages: options.sendMessages });
      for (const n of next.sort()) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    if (id !== rootId) delete node.display_name;
    out[id] = node;
    if (++count >= options.maxGraphNodes) break;
  }
  return out;
}

export function depGraph(core: Core, taskId: string, includeDone: boolean): Record<string, StepNode> {
  if (!core.state.steps.has(taskId)) return {};
  return traverse(core, taskId, (rec) => rec.deps, includeDone);
}

export function inverseDepGraph(core: Core, taskId: string, includeDone: boolean): Record<string, StepNode> {
  if (!core.state.steps.has(taskId)) return {};
  return traverse(core, taskId, (rec) => core.state.dependents.get(rec.id), includeDone);
}

/** Everything, as BFS trees from every step sharing one `seen` set (each capped at max_graph_nodes). */
export function graph(core: Core): Record<string, StepNode> {
  const seen = new Set<string>();
  const out: Record<string, StepNode> = {};
  for (const id of [...core.state.steps.keys()]) {
    Object.assign(
      out,
      traverse(core, id, (rec) => rec.deps, true, seen),
    );
  }
  return out;
}

export function workerList(core: Core, includeRunning: boolean): WorkerNode[] {
  const { state, options } = core;
  const nodes = [...state.workers.values()].map((w) => workerNode(state, w));
  nodes.sort((a, b) => b.started - a.started);
  if (!includeRunning) return nodes;
  for (const node of nodes) {
    const wi = state.idx.perWorker.get(node.name);
    const running: Record<string, StepNode> = {};
    for (const id of wi?.runs ?? []) {
      const rec = state.steps.get(id);
      if (rec?.status === "RUNNING") {
        running[id] = stepNode(rec, { includeDeps: false, sendMessages: options.sendMessages });
      }
    }
    node.num_running = Object.keys(running).length;
    node.num_pending = wi?.nListPending ?? 0;
    node.num_uniques = wi?.nListUnique ?? 0;
    node.running = running;
  }
  return nodes;
}

export function resourceList(core: Core): ResourceNode[] {
  const { state, options } = core;
  return Object.entries(core.capacity).map(([name, total]) => {
    const running: Record<string, StepNode> = {};
    for (const id of state.idx.runningByResource.get(name) ?? []) {
      const rec = state.steps.get(id);
      if (rec) running[id] = stepNode(rec, { includeDeps: false, sendMessages: options.sendMessages });
    }
    return {
      name,
      num_total: total,
      num_used: state.idx.usedResources.get(name) ?? 0,
      num_consumer: Object.keys(running).length,
      running,
    };
  });
}

// ---------------------------------------------------------------------------------- luigi-ts: step_page

/** The order of the "default" sort: what needs attention first. */
const CATEGORY_ORDER: readonly StepCategory[] = [
  "FAILED",
  "DISABLED",
  "UPSTREAM_FAILED",
  "UPSTREAM_DISABLED",
  "RUNNING",
  "BATCH_RUNNING",
  "PENDING",
  "DONE",
];
const PENDING_CATEGORIES = new Set<StepCategory>(["PENDING", "UPSTREAM_FAILED", "UPSTREAM_DISABLED"]);

/**
 * PENDING steps that have a FAILED step upstream through PENDING steps only: the candidates for Luigi's
 * UPSTREAM_FAILED (those also blocked by a disabled step are UPSTREAM_DISABLED, the more severe). A walk
 * down the reverse edges from the FAILED steps, so it costs what the failures affect, not the step count.
 */
export function failedUpstream(core: Core): Set<string> {
  const { state } = core;
  const reached = new Set<string>();
  const stack: string[] = [...state.idx.byStatus.get("FAILED")!];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    for (const t of state.dependents.get(id)) {
      if (reached.has(t) || state.steps.get(t)?.status !== "PENDING") continue;
      reached.add(t);
      stack.push(t);
    }
  }
  return reached;
}

/** Classifies records into the eight categories, given the failedUpstream() set of this query. */
function categorizer(core: Core, failed: Set<string>): (rec: StepRecord) => StepCategory {
  const blocked = core.state.idx.pendingBlocked;
  return (rec) => {
    if (rec.status !== "PENDING") return rec.status as StepCategory;
    if (blocked.has(rec.id)) return "UPSTREAM_DISABLED";
    return failed.has(rec.id) ? "UPSTREAM_FAILED" : "PENDING";
  };
}

/**
 * A step's category where only a few steps are asked about (a graph, the triggers' roots): the failure
 * walk of the step list runs once, and only when a PENDING step is asked about.
 */
export function lazyCategorizer(core: Core): (rec: StepRecord) => StepGraphNode["category"] {
  let pendingCategory: ((rec: StepRecord) => StepCategory) | null = null;
  return (rec) =>
    rec.status === "PENDING"
      ? (pendingCategory ??= categorizer(core, failedUpstream(core)))(rec)
      : rec.status;
}

/** Steps per category, from the status indexes (plus the failure walk for UPSTREAM_FAILED). */
export function stepCounts(
  core: Core,
  failed: Set<string> = failedUpstream(core),
): Record<StepCategory, number> {
  const idx = core.state.idx;
  let upstreamFailed = 0;
  for (const id of failed) if (!idx.pendingBlocked.has(id)) upstreamFailed++;
  const upstreamDisabled = idx.pendingBlocked.size;
  return {
    PENDING: idx.statusCount("PENDING") - upstreamFailed - upstreamDisabled,
    RUNNING: idx.statusCount("RUNNING"),
    BATCH_RUNNING: idx.statusCount("BATCH_RUNNING"),
    DONE: idx.statusCount("DONE"),
    FAILED: idx.statusCount("FAILED"),
    DISABLED: idx.statusCount("DISABLED"),
    UPSTREAM_FAILED: upstreamFailed,
    UPSTREAM_DISABLED: upstreamDisabled,
  };
}

function searchMatcher(search: string | null | undefined): ((rec: StepRecord) => boolean) | null {
  const terms = (search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return null;
  return (rec) => {
    const text = `${displayName(rec)} ${rec.id}`.toLowerCase();
    return terms.every((t) => text.includes(t));
  };
}

type SortKey = (rec: StepRecord) => number | string;
const SORT_KEYS: Record<Exclude<StepPageArgs["sort"], "default" | undefined>, SortKey> = {
  name: (rec) => rec.id,
  updated: (rec) => rec.updated,
  started: (rec) => rec.time,
  priority: (rec) => rec.priority,
};

/**
 * One page of the step list for the visualiser (`step_page`, a luigi-ts method). Counts come from the
 * indexes; rows are read from the smallest index that covers the filter (a status bucket, or a family),
 * in the default order, skipping `offset` rows, so the first pages cost O(offset + limit) whatever the
 * number of steps. A search text, a family combined with statuses, or a sort other than "default" read
 * every candidate of that index (a scan of the candidates, never a node built per candidate).
 * UNKNOWN steps (placeholders for missing dependencies) are never listed, as in Luigi.
 */
export function stepPage(core: Core, args: StepPageArgs): StepPage {
  const { state, options } = core;
  const failed = failedUpstream(core);
  const counts = stepCounts(core, failed);
  const categoryOf = categorizer(core, failed);
  const cap = Math.max(0, args.max_shown_tasks || options.maxShownTasks);
  const offset = Math.max(0, args.offset ?? 0);
  const limit = Math.max(0, Math.min(args.limit ?? 50, Math.max(0, cap - offset)));
  const wanted = new Set<StepCategory>(args.statuses?.length ? args.statuses : CATEGORY_ORDER);
  const matches = searchMatcher(args.search);
  const familySet = args.family ? state.idx.byFamily.get(args.family) : undefined;
  const sortKey = args.sort && args.sort !== "default" ? SORT_KEYS[args.sort] : null;
  const desc = args.order === "desc";

  const families = [...state.idx.byFamily]
    .map(([name, ids]) => ({ name, count: ids.size }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Candidate sources in the default order; each yields records of the wanted categories only.
  const sources: Iterable<StepRecord>[] = [];
  let total: number | null = null;
  if (args.family) {
    const byCat = new Map<StepCategory, StepRecord[]>();
    for (const id of familySet ?? []) {
      const rec = state.steps.get(id);
      if (!rec || rec.status === "UNKNOWN") continue;
      const cat = categoryOf(rec);
      if (!wanted.has(cat) || (matches && !matches(rec))) continue;
      let list = byCat.get(cat);
      if (!list) byCat.set(cat, (list = []));
      list.push(rec);
    }
    for (const cat of CATEGORY_ORDER) {
      const list = byCat.get(cat);
      if (list) sources.push(list);
    }
    total = sources.reduce((n, list) => n + (list as StepRecord[]).length, 0);
  } else {
    const pendingWanted = [...wanted].filter((c) => PENDING_CATEGORIES.has(c));
    const seenStatus = new Set<string>();
    for (const cat of CATEGORY_ORDER) {
      if (!wanted.has(cat)) continue;
      if (PENDING_CATEGORIES.has(cat)) {
        if (seenStatus.has("PENDING")) continue;
        seenStatus.add("PENDING");
        const bucket = state.idx.byStatus.get("PENDING")!;
        if (pendingWanted.length === 3) sources.push(records(state.steps, bucket));
        else if (pendingWanted.length === 1 && cat === "UPSTREAM_DISABLED")
          sources.push(records(state.steps, state.idx.pendingBlocked));
        else if (pendingWanted.length === 1 && cat === "UPSTREAM_FAILED")
          sources.push(filtered(records(state.steps, failed), (r) => categoryOf(r) === cat));
        else sources.push(filtered(records(state.steps, bucket), (r) => wanted.has(categoryOf(r))));
      } else {
        sources.push(records(state.steps, state.idx.byStatus.get(cat as StepRecord["status"])!));
      }
    }
    if (matches) {
      const all = [...filtered(chain(sources), matches)];
      sources.length = 0;
      sources.push(all);
      total = all.length;
    } else {
      total = 0;
      for (const cat of wanted) total += counts[cat];
    }
  }

  let rows: StepRecord[];
  if (sortKey) {
    const all = [...chain(sources)];
    all.sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : a.seq - b.seq;
      return desc ? -c : c;
    });
    rows = all.slice(offset, offset + limit);
  } else {
    rows = [];
    let skipped = 0;
    for (const rec of chain(sources)) {
      if (rows.length >= limit) break;
      if (skipped < offset) skipped++;
      else rows.push(rec);
    }
  }

  const sendMessages = options.sendMessages;
  return {
    counts,
    families,
    total,
    offset,
    limit,
    max_shown_tasks: cap,
    rows: rows.map((rec): StepRow => {
      const node = stepNode(rec, { includeDeps: false, sendMessages }) as StepRow;
      node.task_id = rec.id;
      node.category = categoryOf(rec);
      return node;
    }),
  };
}

function* records(steps: Map<string, StepRecord>, ids: Iterable<string>): Iterable<StepRecord> {
  for (const id of ids) {
    const rec = steps.get(id);
    if (rec) yield rec;
  }
}

function* filtered(items: Iterable<StepRecord>, keep: (rec: StepRecord) => boolean): Iterable<StepRecord> {
  for (const rec of items) if (keep(rec)) yield rec;
}

function* chain(sources: Iterable<StepRecord>[]): Iterable<StepRecord> {
  for (const source of sources) yield* source;
}

// ---------------------------------------------------------------------------------- luigi-ts: step_graph

/**
 * A bounded graph around one step (`step_graph`, a luigi-ts method): breadth-first, nearest first, at most
 * `max_nodes` nodes (clamped to max_graph_nodes), every node with its display name and its edges in the
 * asked direction. The walk then goes on without building nodes, only to count how many reachable steps
 * were left out, so the page can say so instead of fetching them.
 */
export function stepGraph(core: Core, args: StepGraphArgs): StepGraph {
  const { state, options } = core;
  const maxNodes = Math.max(1, Math.min(args.max_nodes ?? options.maxGraphNodes, options.maxGraphNodes));
  const includeDone = args.include_done ?? true;
  const neighbours: Neighbours =
    args.direction === "dependents" ? (rec) => state.dependents.get(rec.id) : (rec) => rec.deps;
  const root = args.task_id;
  const nodes: Record<string, StepGraphNode> = {};
  // The failure walk of the step list's categories, only when a PENDING step is drawn.
  const categoryOf = lazyCategorizer(core);
  if (!state.steps.has(root)) return { root, nodes, left_out: 0, max_nodes: maxNodes };
  const seen = new Set<string>([root]);
  const queue = [root];
  let leftOut = 0;
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    const rec = state.steps.get(id);
    const build = head < maxNodes;
    if (!build) leftOut++;
    if (!rec || !rec.family) {
      if (build) nodes[id] = { ...placeholderNode(id), category: "UNKNOWN" };
      continue;
    }
    let next = [...neighbours(rec)];
    if (!includeDone) next = next.filter((n) => state.steps.get(n)?.status !== "DONE");
    if (build) {
      const node = stepNode(rec, { deps: next, sendMessages: options.sendMessages }) as StepGraphNode;
      node.category = categoryOf(rec);
      nodes[id] = node;
    }
    for (const n of next.sort()) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return { root, nodes, left_out: leftOut, max_nodes: maxNodes };
}
