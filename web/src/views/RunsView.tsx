/**
 * Runs (luigi-ts): start a run of a family that a live assistant can load, with a form built from its
 * parameters, and follow the runs asked for (`trigger_list`): where each is, who asked, and the steps
 * under its root by status. While a run is under way the list refreshes every second.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/methods.js";
import type { TriggerInfo, TriggerStatus } from "../api/types.js";
import { RunForm } from "../components/RunForm.js";
import { RunProgress } from "../components/RunProgress.js";
import { StatusBadge } from "../components/StatusBadge.js";
import type { AppContext } from "../state/context.js";
import { formatTime, paramText } from "../state/format.js";
import { useRefreshTick } from "../state/refresh.js";
import { ENDED, TRIGGER_LABELS, triggerText } from "../state/runs.js";
import { useActionRefusal } from "../state/session.js";
import { useFetch } from "../state/use-fetch.js";
import { statusColour, textOn } from "../status.js";

const LISTED = 50;
/** Runs whose progress is read (the newest): each costs a step_graph call per refresh while it runs. */
const WITH_PROGRESS = 10;
const LIVE_REFRESH_MS = 1000;

/** A trigger's status in the step palette: waiting as pending, under way as running, and so on. */
const COLOUR_OF: Record<TriggerStatus, string> = {
  queued: "PENDING",
  taken: "RUNNING",
  running: "RUNNING",
  done: "DONE",
  failed: "FAILED",
  refused: "FAILED",
  lost: "DISABLED",
};

function TriggerBadge(props: { status: TriggerStatus }) {
  const like = COLOUR_OF[props.status];
  return (
    <span
      class="badge"
      data-trigger-status={props.status}
      style={{ background: statusColour(like), color: textOn(like) }}
    >
      {TRIGGER_LABELS[props.status]}
    </span>
  );
}

function RunRow(props: {
  t: TriggerInfo;
  ctx: AppContext;
  progress: boolean;
  fresh: boolean;
  refresh: string;
}) {
  const { t, ctx } = props;
  const live = !ENDED.has(t.status);
  const params = paramText(t.params);
  return (
    <tr data-trigger={t.trigger_id} class={props.fresh ? "fresh" : undefined}>
      <td class="num">{t.trigger_id}</td>
      <td class="family-cell">
        {t.family}
        {params && <div class="status-message">{params}</div>}
      </td>
      <td class="nowrap">
        {formatTime(t.requested_at)}
        {t.requested_by && <div class="status-message">{t.requested_by}</div>}
      </td>
      <td class="trigger-status">
        <TriggerBadge status={t.status} />
        <div class="status-message" data-testid="trigger-text">
          {triggerText(t)}
        </div>
        {live && t.root_status && (
          <div class="status-message root-status">
            root step <StatusBadge status={t.root_status} />
          </div>
        )}
        {(t.status === "done" || t.status === "failed") && t.message && (
          <details class="run-summary">
            <summary>Execution summary</summary>
            <pre>{t.message}</pre>
          </details>
        )}
      </td>
      <td class="run-progress-cell">
        {t.task_id && props.progress ? (
          <RunProgress taskId={t.task_id} live={live} refresh={props.refresh} report={ctx.report} />
        ) : (
          <span class="muted">-</span>
        )}
      </td>
      <td>
        {t.task_id && t.root_status && (
          <button
            type="button"
            class="link"
            onClick={() => ctx.update({ tab: "graph", taskId: t.task_id ?? "" })}
          >
            Graph
          </button>
        )}
      </td>
    </tr>
  );
}

export function RunsView(props: { ctx: AppContext }) {
  const { ctx } = props;
  const { view, update } = ctx;
  const refusal = useActionRefusal();
  const [underWay, setUnderWay] = useState(false);
  const [fresh, setFresh] = useState<number | null>(null);
  const [started, setStarted] = useState(0);
  const tick = useRefreshTick(underWay, false, LIVE_REFRESH_MS);
  const { data } = useFetch(
    (signal) => api.triggerList({ limit: LISTED }, signal),
    [ctx.version, tick, started],
    ctx.report,
  );
  useEffect(() => setUnderWay((data?.open ?? 0) > 0), [data?.open]);
  if (!data) return <p class="muted">Loading…</p>;
  const open = data.families.find((f) => f.name === view.run);

  const run = async (params: Record<string, string>): Promise<void> => {
    try {
      const t = await api.triggerStep(view.run, params);
      setFresh(t.trigger_id);
      update({ run: "" });
    } catch (err) {
      ctx.report(err);
    } finally {
      setStarted((n) => n + 1);
    }
  };

  return (
    <div class="runs-view">
      <section class="run-families" aria-label="Families to run">
        <h2>Start a run</h2>
        {data.families.length === 0 ? (
          <p class="empty">
            No assistant announced steps it can run. Start one with{" "}
            <code>npx luigi --assistant --module MODULE --worker-keep-alive</code>; its families then show
            here.
          </p>
        ) : (
          <ul class="run-family-list">
            {data.families.map((f) => (
              <li key={f.name} data-family={f.name} class={f.name === view.run ? "active" : undefined}>
                <span class="family-name">{f.name}</span>
                <span class="muted">
                  {" "}
                  {f.assistants} {f.assistants === 1 ? "assistant" : "assistants"}
                  {f.module ? ` · ${f.module}` : ""}
                </span>
                <button
                  type="button"
                  disabled={refusal !== undefined}
                  title={refusal ?? `Start a run of ${f.name}`}
                  onClick={() => update({ run: f.name })}
                >
                  Run…
                </button>
              </li>
            ))}
          </ul>
        )}
        {view.run &&
          (open ? (
            <RunForm
              key={open.name}
              family={open}
              refusal={refusal}
              onSubmit={run}
              onCancel={() => update({ run: "" })}
            />
          ) : (
            <p class="callout">
              No live assistant can load {view.run} now. A run asked for over the API waits until one can.
            </p>
          ))}
      </section>
      <section class="run-list" aria-label="Runs">
        <h2>Runs</h2>
        {data.triggers.length === 0 ? (
          <p class="empty">No run was asked for yet.</p>
        ) : (
          <div class="table-wrap">
            <table class="runs">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Step</th>
                  <th>Asked</th>
                  <th>Status</th>
                  <th>Progress</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.triggers.map((t, i) => (
                  <RunRow
                    key={t.trigger_id}
                    t={t}
                    ctx={ctx}
                    progress={i < WITH_PROGRESS}
                    fresh={t.trigger_id === fresh}
                    refresh={`${ctx.version}:${tick}:${started}`}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
