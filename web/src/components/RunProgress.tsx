/**
 * A triggered run's progress: the steps under its root (step_graph, bounded) by category, as a bar in
 * the status colours and a line of counts. A run that has ended is read once; one in progress on every
 * refresh.
 */
import { api } from "../api/methods.js";
import type { StepGraph } from "../api/types.js";
import { useFetch } from "../state/use-fetch.js";
import { formatCount } from "../state/format.js";
import { GRAPH_STATUSES, statusColour, statusLabel } from "../status.js";

/** Nodes asked for: enough to count a run's steps, and a bounded answer. */
const MAX_NODES = 2000;

/** Steps per status (the list's categories, UNKNOWN for what nobody registered), in the legend's order. */
export function countByStatus(graph: StepGraph): [string, number][] {
  const counts = new Map<string, number>();
  for (const node of Object.values(graph.nodes))
    counts.set(node.category, (counts.get(node.category) ?? 0) + 1);
  return GRAPH_STATUSES.filter((s) => counts.has(s)).map((s) => [s, counts.get(s) as number]);
}

export function RunProgress(props: {
  taskId: string;
  live: boolean;
  /** Changes on every refresh. */
  refresh: string;
  report: (err: unknown) => void;
}) {
  const { data: graph } = useFetch(
    (signal) => api.stepGraph({ task_id: props.taskId, max_nodes: MAX_NODES }, signal),
    [props.taskId, props.live ? props.refresh : ""],
    props.report,
  );
  if (!graph) return <span class="muted">…</span>;
  const counts = countByStatus(graph);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  // A run's steps are let go some time after it ended (remove_delay after its worker left).
  if (total === 0)
    return <span class="muted">{props.live ? "not registered yet" : "no longer held by the scheduler"}</span>;
  const done = counts.find(([s]) => s === "DONE")?.[1] ?? 0;
  const rest = counts
    .filter(([s]) => s !== "DONE")
    .map(([s, c]) => `${formatCount(c)} ${statusLabel(s).toLowerCase()}`);
  const more = graph.left_out > 0 ? ` (and ${formatCount(graph.left_out)} more)` : "";
  return (
    <div class="run-progress" data-testid="run-progress" data-done={done} data-total={total}>
      <div class="run-bar" role="img" aria-label={`${done} of ${total} steps done`}>
        {counts.map(([status, n]) => (
          <span
            key={status}
            class="run-bar-part"
            title={`${n} ${statusLabel(status).toLowerCase()}`}
            style={{ width: `${(100 * n) / total}%`, background: statusColour(status) }}
          />
        ))}
      </div>
      <span class="run-counts">
        {formatCount(done)} of {formatCount(total)} done{rest.length > 0 ? ` · ${rest.join(" · ")}` : ""}
        {more}
      </span>
    </div>
  );
}
