/**
 * Read-only listings and graphs for the visualiser and scripts (SPEC 3.3 "UI / admin"), with Luigi's
 * answer shapes. Callers prune first where Luigi does.
 */
import type {
  ResourceNode,
  StepNode,
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
  const bucket = status ? state.idx.byStatus.get(status as StepRecord["status"]) : undefined;
  if (!search) {
    const preCount = status ? (bucket?.size ?? 0) : state.steps.size;
    if (limit && preCount > maxShown) return { num_tasks: upstream ? -1 : preCount };
  }
  prune();

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
