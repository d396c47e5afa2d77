/** Workers (SPEC 5.4): who they are, when they were last heard of, what they run; disable, set processes. */
import { api } from "../api/methods.js";
import type { WorkerNode } from "../api/types.js";
import { ProgressBar } from "../components/ProgressBar.js";
import * as actions from "../state/actions.js";
import type { AppContext } from "../state/context.js";
import { formatDuration, formatTime } from "../state/format.js";
import { useFetch } from "../state/use-fetch.js";
import { useActionRefusal } from "../state/session.js";

function info(w: WorkerNode, key: string): string {
  const v = w[key];
  if (v === undefined || v === null) return "-";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function WorkersView(props: { ctx: AppContext }) {
  const { ctx } = props;
  const refusal = useActionRefusal();
  const { data: workers } = useFetch((signal) => api.workerList(signal), [ctx.version], ctx.report);
  const now = Date.now() / 1000;
  if (!workers) return <p class="muted">Loading…</p>;
  if (workers.length === 0) return <p class="empty">No worker is connected.</p>;
  return (
    <div class="workers">
      {workers.map((w) => {
        const processes = Number(w["workers"] ?? 1) || 1;
        const running = Object.entries(w.running ?? {});
        return (
          <article
            class={`worker-card${w.state === "disabled" ? " disabled" : ""}`}
            key={w.name}
            data-worker={w.name}
          >
            <header>
              <h2>
                {info(w, "host")} <span class="muted">pid {info(w, "pid")}</span>
              </h2>
              <div class="actions">
                <button
                  type="button"
                  disabled={w.state === "disabled" || refusal !== undefined}
                  title={refusal}
                  onClick={() => actions.setWorkerProcesses(ctx, w.name, processes)}
                >
                  Processes: {processes}
                </button>
                <button
                  type="button"
                  class="danger"
                  disabled={w.state === "disabled" || refusal !== undefined}
                  title={refusal}
                  onClick={() => actions.disableWorker(ctx, w.name)}
                >
                  Disable worker
                </button>
              </div>
            </header>
            {w.state === "disabled" && (
              <p class="callout">Disabled: it finishes its running steps but starts no new ones.</p>
            )}
            <p class="worker-id">{w.name}</p>
            <dl class="worker-facts">
              <dt>User</dt>
              <dd>{info(w, "username")}</dd>
              <dt>Started</dt>
              <dd>{formatTime(w.started)}</dd>
              <dt>Last contact</dt>
              <dd>
                {formatTime(w.last_active)}{" "}
                <span class="muted">({formatDuration(now - w.last_active)} ago)</span>
              </dd>
              <dt>Running</dt>
              <dd data-testid="num-running">{w.num_running ?? 0}</dd>
              <dt>Pending</dt>
              <dd>{w.num_pending ?? 0}</dd>
              <dt>Unique pending</dt>
              <dd>{w.num_uniques ?? 0}</dd>
              {w.first_task_display_name && (
                <>
                  <dt>First step</dt>
                  <dd>
                    {typeof w["first_task"] === "string" ? (
                      <button
                        type="button"
                        class="link"
                        onClick={() => ctx.update({ tab: "graph", taskId: String(w["first_task"]) })}
                      >
                        {w.first_task_display_name}
                      </button>
                    ) : (
                      w.first_task_display_name
                    )}
                  </dd>
                </>
              )}
            </dl>
            {running.length > 0 && (
              <table class="running">
                <thead>
                  <tr>
                    <th>Running step</th>
                    <th>Since</th>
                    <th>Progress</th>
                  </tr>
                </thead>
                <tbody>
                  {running.map(([id, node]) => (
                    <tr key={id}>
                      <td>
                        <button type="button" class="link" onClick={() => ctx.update({ detail: id })}>
                          {node.display_name ?? id}
                        </button>
                        {node.status_message && <div class="status-message">{node.status_message}</div>}
                      </td>
                      <td class="nowrap">
                        {node.time_running !== null ? formatDuration(now - node.time_running) : "-"}
                      </td>
                      <td>
                        {node.progress_percentage !== null ? (
                          <ProgressBar percent={node.progress_percentage} />
                        ) : (
                          "-"
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </article>
        );
      })}
    </div>
  );
}
