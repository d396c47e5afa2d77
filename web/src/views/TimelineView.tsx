/**
 * Timeline (`#tab=timeline`, luigi-ts): a Gantt chart of the runs, each step a bar from its hand-out to
 * its end, coloured by how it went, the critical path outlined; a click shows the run. Two sources: the
 * scheduler (the latest run of every step it holds, with dependencies, refreshed with the page) and the
 * step history (every run of a window, for the nights the scheduler has forgotten: it lets finished
 * steps go after `remove_delay`). Filters: a window of hours (ending now, or at a chosen time for the
 * history) and one worker.
 */
import { useMemo, useState } from "preact/hooks";
import { historyTimeline } from "../api/history.js";
import { api } from "../api/methods.js";
import type { AppContext } from "../state/context.js";
import { formatSpan, formatTime } from "../state/format.js";
import { useFetch } from "../state/use-fetch.js";
import { statusLabel } from "../status.js";
import { GanttChart } from "../timeline/GanttChart.js";
import {
  criticalPath,
  extentOf,
  fromHistory,
  fromLive,
  rowsOf,
  type Bar,
  type TimelineData,
} from "../timeline/model.js";

/** Bars asked for at most (the chart stays responsive at this many: see bench/timeline.js). */
export const TIMELINE_LIMIT = 10_000;

const LIVE_WINDOWS: [number, string][] = [
  [0, "Everything the scheduler holds"],
  [1, "Past hour"],
  [6, "Past 6 hours"],
  [24, "Past 24 hours"],
];
const HISTORY_WINDOWS: [number, string][] = [
  [1, "1 hour"],
  [6, "6 hours"],
  [12, "12 hours"],
  [24, "24 hours"],
  [72, "3 days"],
  [168, "7 days"],
];
const LEGEND = ["RUNNING", "DONE", "FAILED", "DISABLED", "PENDING"];

/** `<input type="datetime-local">` text for an ISO time (local time, to the minute), and back. */
function localInput(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return "";
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const took = (b: Bar): string => formatSpan((b.end - b.start) / 1000) + (b.running ? " so far" : "");

export function TimelineView(props: { ctx: AppContext }) {
  const { ctx } = props;
  const { view, update } = ctx;
  const source = view.tlSource === "history" && ctx.hasHistory ? "history" : "live";
  const hours = source === "history" && view.tlHours === 0 ? 24 : view.tlHours;
  const [selected, setSelected] = useState<Bar | null>(null);

  // The filters the answer was asked with: a new one draws the chart afresh (zoom reset), a refresh
  // of the same keeps the zoom. Taken from the answer, not the view: the last answer stays shown while
  // the next one loads.
  const resetKey = `${source}|${hours}|${view.tlTo}|${view.tlWorker}`;
  const { data, loading } = useFetch<TimelineData & { key: string }>(
    async (signal) => {
      if (source === "live") {
        const since = hours > 0 ? Date.now() / 1000 - hours * 3600 : null;
        const answer = await api.stepTimeline(
          { worker: view.tlWorker || null, since, limit: TIMELINE_LIMIT },
          signal,
        );
        return { ...fromLive(answer), key: resetKey };
      }
      const parsed = Date.parse(view.tlTo);
      const to = Number.isFinite(parsed) ? parsed : Date.now();
      const answer = await historyTimeline(
        { from: to - hours * 3_600_000, to, limit: TIMELINE_LIMIT },
        signal,
      );
      return { ...fromHistory(answer, Math.min(Date.now(), to), view.tlWorker), key: resetKey };
    },
    // The history's past does not change: it reloads when the window does, or on the refresh button
    // (ctx.version counts those in its millions), not on every auto-refresh.
    [
      source,
      hours,
      view.tlTo,
      view.tlWorker,
      source === "live" ? ctx.version : Math.floor(ctx.version / 1e6),
    ],
    ctx.report,
  );

  const rows = useMemo(() => (data ? rowsOf(data.bars) : []), [data]);
  const path = useMemo(() => (data?.hasDeps ? criticalPath(rows) : []), [data, rows]);
  const onPath = useMemo(() => new Set(path), [path]);
  const extent = useMemo(() => extentOf(rows), [rows]);
  const byId = useMemo(() => new Map(rows.map((b) => [b.id, b])), [rows]);
  const longest = useMemo(
    () => [...rows].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 10),
    [rows],
  );
  const shown = selected ? (byId.get(selected.id) ?? selected) : null;
  const failed = rows.filter((b) => b.status === "FAILED" || b.status === "DISABLED").length;
  const running = rows.filter((b) => b.running).length;
  const pathBars = path.map((id) => byId.get(id)).filter((b): b is Bar => b !== undefined);
  const pathSpan =
    pathBars.length > 0
      ? ((pathBars[pathBars.length - 1] as Bar).end - (pathBars[0] as Bar).start) / 1000
      : 0;

  const select = (bar: Bar | null): void => setSelected(bar);
  const stepLink = (b: Bar) => (
    <button type="button" class="link" data-step-id={b.id} title={b.id} onClick={() => select(b)}>
      {b.family}
    </button>
  );

  return (
    <div class="timeline-view">
      <div class="toolbar timeline-toolbar">
        <div class="segmented" role="group" aria-label="Source">
          <button
            type="button"
            aria-pressed={source === "live"}
            class={source === "live" ? "active" : undefined}
            onClick={() => update({ tlSource: "live", tlTo: "" })}
          >
            Scheduler now
          </button>
          <button
            type="button"
            aria-pressed={source === "history"}
            class={source === "history" ? "active" : undefined}
            disabled={!ctx.hasHistory}
            title={
              ctx.hasHistory
                ? "Every run of a window, from the step history"
                : "The step history is off ([scheduler] record_step_history)"
            }
            onClick={() => update({ tlSource: "history", tlHours: hours === 0 ? 24 : hours })}
          >
            History
          </button>
        </div>
        <label>
          {source === "live" ? "Runs" : "Window"}{" "}
          <select
            aria-label="Window"
            value={String(hours)}
            onChange={(e) => update({ tlHours: Number(e.currentTarget.value) })}
          >
            {(source === "live" ? LIVE_WINDOWS : HISTORY_WINDOWS).map(([h, label]) => (
              <option key={h} value={String(h)}>
                {label}
              </option>
            ))}
            {!(source === "live" ? LIVE_WINDOWS : HISTORY_WINDOWS).some(([h]) => h === hours) && (
              <option value={String(hours)}>{hours} hours</option>
            )}
          </select>
        </label>
        {source === "history" && (
          <label>
            ending{" "}
            <input
              type="datetime-local"
              aria-label="Window end"
              value={localInput(view.tlTo)}
              onChange={(e) => {
                const t = Date.parse(e.currentTarget.value);
                update({ tlTo: Number.isFinite(t) ? new Date(t).toISOString() : "" });
              }}
            />{" "}
            {view.tlTo && (
              <button type="button" onClick={() => update({ tlTo: "" })}>
                Now
              </button>
            )}
          </label>
        )}
        <label>
          Worker{" "}
          <select
            aria-label="Worker"
            value={view.tlWorker}
            onChange={(e) => update({ tlWorker: e.currentTarget.value })}
          >
            <option value="">All workers</option>
            {(data?.workers ?? []).map((w) => (
              <option key={w.worker} value={w.worker}>
                {w.worker} ({w.runs})
              </option>
            ))}
            {view.tlWorker && !(data?.workers ?? []).some((w) => w.worker === view.tlWorker) && (
              <option value={view.tlWorker}>{view.tlWorker}</option>
            )}
          </select>
        </label>
        {loading && <span class="muted">loading…</span>}
      </div>

      {data && (
        <p class="timeline-summary" data-testid="timeline-summary">
          {rows.length} runs · {failed} failed · {running} running
          {data.total > rows.length && ` · showing the ${rows.length} that started last of ${data.total}`}
          {path.length > 0 && ` · critical path: ${path.length} steps, ${formatSpan(pathSpan)}`}
        </p>
      )}
      {data && rows.length === 0 ? (
        <p class="empty">
          {source === "live"
            ? "No run in this window: the scheduler holds no step that ran then (it lets finished steps go after remove_delay; the History source has older runs)."
            : "No run recorded in this window."}
        </p>
      ) : (
        <GanttChart
          rows={rows}
          critical={onPath}
          selected={shown?.id ?? null}
          extent={extent}
          resetKey={data?.key ?? ""}
          onSelect={select}
          onError={ctx.report}
        />
      )}
      <p class="gantt-help muted">
        Wheel: zoom in time · drag: move · shift + wheel or the right slider: other rows · the bottom slider:
        a time window · click a bar: its run.{" "}
        {LEGEND.map((s) => (
          <span class="legend-item" key={s}>
            <span class={`swatch swatch-${s}`} /> {statusLabel(s)}
          </span>
        ))}{" "}
        <span class="legend-item">
          <span class="swatch swatch-critical" /> Critical path
        </span>
      </p>

      {shown && (
        <section class="bar-details" data-testid="bar-details" data-step-id={shown.id}>
          <h3>
            <span class="badge" data-status={shown.status}>
              <span class={`swatch swatch-${shown.status}`} /> {statusLabel(shown.status)}
            </span>{" "}
            {shown.family}
          </h3>
          <dl>
            <dt>Step id</dt>
            <dd class="bar-id">{shown.id}</dd>
            <dt>Worker</dt>
            <dd class="bar-worker">{shown.worker ?? "-"}</dd>
            {shown.host !== null && (
              <>
                <dt>Host</dt>
                <dd>{shown.host}</dd>
              </>
            )}
            <dt>Start</dt>
            <dd class="bar-start">{formatTime(shown.start / 1000)}</dd>
            <dt>End</dt>
            <dd class="bar-end">{shown.running ? "still running" : formatTime(shown.end / 1000)}</dd>
            <dt>Took</dt>
            <dd class="bar-took">{took(shown)}</dd>
            {shown.error !== null && (
              <>
                <dt>Error</dt>
                <dd class="bar-error">{shown.error}</dd>
              </>
            )}
          </dl>
          <div class="actions">
            {shown.run !== null ? (
              <a class="button" href={`../../history/by_id/${shown.run}`}>
                Run {shown.run}: events and error
              </a>
            ) : (
              <button type="button" onClick={() => update({ detail: shown.id })}>
                Details
              </button>
            )}
            {ctx.hasHistory && (
              <a class="button" href={`../../history/by_task_id/${encodeURIComponent(shown.id)}`}>
                History of this step
              </a>
            )}
          </div>
        </section>
      )}

      {data && rows.length > 0 && (
        <div class="timeline-lists">
          <section>
            <h3>Critical path</h3>
            {data.hasDeps ? (
              <ol class="critical-path" data-testid="critical-path">
                {pathBars.map((b) => (
                  <li key={b.id} data-step-id={b.id} data-status={b.status}>
                    {stepLink(b)} <span class="muted">{took(b)}</span>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">
                The step history does not record dependencies: the critical path is shown for the scheduler's
                runs.
              </p>
            )}
            <p class="muted">
              The chain of dependencies that ends at the run that finished last, each link the dependency that
              finished last.
            </p>
          </section>
          <section>
            <h3>Longest runs</h3>
            <ol class="longest" data-testid="longest">
              {longest.map((b) => (
                <li key={b.id} data-step-id={b.id}>
                  <span class={`swatch swatch-${b.status}`} /> {stepLink(b)}{" "}
                  <span class="muted">{took(b)}</span>
                </li>
              ))}
            </ol>
          </section>
        </div>
      )}
    </div>
  );
}
