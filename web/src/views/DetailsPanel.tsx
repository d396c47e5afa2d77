/**
 * A step's details (SPEC 5.2 modals, gathered in one panel): status, parameters, dependencies and
 * dependents, the error and traceback, status message and progress, its captured log (live while it
 * runs), the command to re-run it, its history, and the actions its status allows.
 */
import { schedulerUrlOf } from "../api/client.js";
import { api } from "../api/methods.js";
import type { FetchErrorResponse, StepGraph, StepGraphNode } from "../api/types.js";
import { ProgressBar } from "../components/ProgressBar.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { StepLogView } from "../components/StepLogView.js";
import * as actions from "../state/actions.js";
import type { AppContext } from "../state/context.js";
import { compareText, decodeError, formatDuration, formatTime, rerunCommand } from "../state/format.js";
import { useFetch } from "../state/use-fetch.js";
import { useActionRefusal } from "../state/session.js";

const LISTED = 50;

interface Details {
  node: StepGraphNode | null;
  dependents: string[];
  /** Display names of the first LISTED neighbours each way (the graph's nearest nodes). */
  names: Map<string, string>;
  error: FetchErrorResponse;
}

async function loadDetails(taskId: string, signal: AbortSignal): Promise<Details> {
  // The root and its first LISTED neighbours (in id order, as IdList shows them), for their names.
  const [deps, dependents, error]: [StepGraph, StepGraph, FetchErrorResponse] = await Promise.all([
    api.stepGraph({ task_id: taskId, max_nodes: LISTED + 1 }, signal),
    api.stepGraph({ task_id: taskId, direction: "dependents", max_nodes: LISTED + 1 }, signal),
    api.fetchError(taskId),
  ]);
  const names = new Map<string, string>();
  for (const graph of [deps, dependents]) {
    for (const [id, n] of Object.entries(graph.nodes)) if (n.display_name) names.set(id, n.display_name);
  }
  return {
    node: deps.nodes[taskId] ?? null,
    dependents: dependents.nodes[taskId]?.deps ?? [],
    names,
    error,
  };
}

/** Only http(s) links are followed: a tracking URL is user input. */
function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url, window.location.href);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

/** Steps by display name (family and parameters; the id in the tooltip), in id order. */
function IdList(props: {
  ids: string[];
  names: Map<string, string>;
  onOpen: (id: string) => void;
  empty: string;
}) {
  if (props.ids.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="id-list">
      {[...props.ids]
        .sort(compareText)
        .slice(0, LISTED)
        .map((id) => (
          <li key={id}>
            <button type="button" class="link" title={id} onClick={() => props.onOpen(id)}>
              {props.names.get(id) ?? id}
            </button>
          </li>
        ))}
      {props.ids.length > LISTED && <li class="muted">… and {props.ids.length - LISTED} more</li>}
    </ul>
  );
}

export function DetailsPanel(props: { ctx: AppContext; taskId: string }) {
  const { ctx, taskId } = props;
  const { update, version, report, hasHistory } = ctx;
  const refusal = useActionRefusal();
  const { data, loading } = useFetch((signal) => loadDetails(taskId, signal), [taskId, version], report);
  const close = (): void => update({ detail: "" });
  const node = data?.node ?? null;
  const err = data?.error;
  const label = err?.displayName ?? node?.display_name ?? taskId;
  // The actions follow the scheduler's status; the badge shows what the list shows (upstream failed...).
  const status = node?.status ?? "UNKNOWN";
  const category = node?.category ?? status;
  const errorText = err?.error ? decodeError(err.error) : "";
  const params = err?.taskParams ?? node?.params ?? {};
  const tracking = safeUrl(node?.tracking_url);
  const now = Date.now() / 1000;

  return (
    <aside class="details" aria-label="Step details" data-task-id={taskId}>
      <header class="details-head">
        <h2 title={taskId}>{label}</h2>
        <button type="button" class="close" aria-label="Close details" onClick={close}>
          ×
        </button>
      </header>
      {!data && loading && <p class="muted">Loading…</p>}
      {data && !node && <p class="empty">The scheduler does not know the step {taskId}.</p>}
      {node && (
        <>
          <div class="details-status">
            <StatusBadge status={category} />{" "}
            <span class="muted">
              updated {formatTime(node.last_updated)}
              {status === "RUNNING" &&
                node.time_running !== null &&
                ` · running ${formatDuration(now - node.time_running)}`}
            </span>
          </div>
          <div class="actions">
            <button type="button" onClick={() => update({ tab: "graph", taskId, invert: false })}>
              Graph
            </button>
            <button type="button" onClick={() => update({ tab: "graph", taskId, invert: true })}>
              What it blocks
            </button>
            {status === "FAILED" && (
              <button
                type="button"
                class="primary"
                disabled={refusal !== undefined}
                title={refusal}
                onClick={() => actions.forgiveFailures(ctx, taskId, label)}
              >
                Forgive failures
              </button>
            )}
            {status === "DISABLED" && node.re_enable_able && (
              <button
                type="button"
                class="primary"
                disabled={refusal !== undefined}
                title={refusal}
                onClick={() => actions.reEnable(ctx, taskId, label)}
              >
                Re-enable
              </button>
            )}
            {(status === "RUNNING" || status === "FAILED" || status === "DISABLED") && (
              <button
                type="button"
                disabled={refusal !== undefined}
                title={refusal}
                onClick={() => actions.markAsDone(ctx, taskId, label)}
              >
                Mark as done
              </button>
            )}
            {tracking && (
              <a class="button" href={tracking} target="_blank" rel="noopener noreferrer">
                Track progress
              </a>
            )}
            {hasHistory && (
              <a class="button" href={`../../history/by_task_id/${encodeURIComponent(taskId)}`}>
                History
              </a>
            )}
          </div>
          {(node.status_message || node.progress_percentage !== null) && (
            <section>
              <h3>Status message</h3>
              {node.status_message && <pre class="message-text">{node.status_message}</pre>}
              {node.progress_percentage !== null && <ProgressBar percent={node.progress_percentage} />}
            </section>
          )}
          {errorText && (
            <section>
              <h3>{status === "FAILED" || status === "DISABLED" ? "Error" : "Last error"}</h3>
              <pre class="traceback" data-testid="traceback">
                {errorText}
              </pre>
            </section>
          )}
          <section>
            <h3>Log</h3>
            <StepLogView
              taskId={taskId}
              running={status === "RUNNING" || status === "BATCH_RUNNING"}
              version={version}
              report={report}
            />
          </section>
          <section>
            <h3>Parameters</h3>
            {Object.keys(params).length === 0 ? (
              <p class="muted">none</p>
            ) : (
              <table class="params-table">
                <tbody>
                  {Object.entries(params).map(([k, v]) => (
                    <tr key={k}>
                      <th>{k}</th>
                      <td>{Array.isArray(v) ? v.join(", ") : v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section>
            <h3>Command to re-run</h3>
            <pre class="command" data-testid="rerun-command">
              {rerunCommand({
                module: err?.taskModule,
                family: err?.taskFamily ?? node.name,
                params,
                schedulerUrl: schedulerUrlOf(window.location.href),
              })}
            </pre>
          </section>
          <section>
            <h3>Depends on ({node.deps?.length ?? 0})</h3>
            <IdList
              ids={node.deps ?? []}
              names={data?.names ?? new Map()}
              onOpen={(detail) => update({ detail })}
              empty="nothing"
            />
          </section>
          <section>
            <h3>Needed by ({data?.dependents.length ?? 0})</h3>
            <IdList
              ids={data?.dependents ?? []}
              names={data?.names ?? new Map()}
              onOpen={(detail) => update({ detail })}
              empty="nothing"
            />
          </section>
          <section class="facts">
            <h3>Facts</h3>
            <dl>
              <dt>Id</dt>
              <dd>{taskId}</dd>
              <dt>Family</dt>
              <dd>{node.name}</dd>
              {err?.taskModule && (
                <>
                  <dt>Module</dt>
                  <dd>{err.taskModule}</dd>
                </>
              )}
              <dt>Priority</dt>
              <dd>{node.priority}</dd>
              <dt>Created</dt>
              <dd>{formatTime(node.start_time)}</dd>
              <dt>Worker</dt>
              <dd>{node.worker_running ?? "-"}</dd>
              <dt>Workers</dt>
              <dd>{node.workers.length ? node.workers.join("; ") : "-"}</dd>
              {Object.keys(node.resources).length > 0 && (
                <>
                  <dt>Resources</dt>
                  <dd>{JSON.stringify(node.resources)}</dd>
                </>
              )}
            </dl>
          </section>
        </>
      )}
    </aside>
  );
}
