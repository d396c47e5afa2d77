/**
 * `/tasklist` (every family with its run counts, failures and p50 / p95 durations) and `/tasklist/{name}`
 * (a chart of the family's run durations over time, failures marked, and a table of those runs). The
 * chart is drawn in the browser by the visualiser's build (`/static/visualiser/history-chart.js`, ECharts
 * on a canvas) from the page's data in a `<script type="application/json">` element: the page's
 * Content-Security-Policy runs no inline script, and a data block is not one. Without the build (or
 * without JavaScript) the page still shows the figures and the table.
 */
import type { FamilyList, FamilyTrend, TrendPoint } from "../trend-queries.js";
import { duration, shortTime } from "./format.js";
import { Html, html, seg } from "./html.js";
import { badge, layout } from "./layout.js";

/** Where luigid serves the chart's script (a fixed name: see web/vite.config.ts). */
export const TREND_CHART_SCRIPT = "/static/visualiser/history-chart.js";
/** The element id of the chart's data. */
export const TREND_DATA_ID = "trend-data";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * JSON inside a `<script>` element: `<`, `>` and `&` as \u escapes (so no `</script>` or `<!--` can end
 * or change the element), and the two line separators JavaScript once refused in strings.
 */
export function scriptJson(value: unknown): Html {
  const text = JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return new Html(text);
}

function figures(f: {
  runs: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}): Html {
  const item = (label: string, value: string, name: string): Html =>
    html`<div data-figure="${name}">
      <dt>${label}</dt>
      <dd>${value === "" ? "–" : value}</dd>
    </div>`;
  return html`<dl class="figures">
    ${item("Runs", String(f.runs), "runs")}${item("Failed", String(f.failed), "failed")}
    ${item("p50 (successful runs)", duration(f.p50Ms), "p50")}
    ${item("p95 (successful runs)", duration(f.p95Ms), "p95")}${item("Longest", duration(f.maxMs), "max")}
  </dl>`;
}

export interface TasklistView {
  list: FamilyList;
  /** "the past 168 hours", "since ..." */
  label: string;
  hours: string;
}

export function tasklistPage(view: TasklistView): string {
  const { list } = view;
  const rows = list.families.map(
    (f) =>
      html`<tr data-family="${f.family}">
        <td><a href="/tasklist/${seg(f.family)}">${f.family}</a></td>
        <td class="num">${f.runs}</td>
        <td class="num${f.failed > 0 ? " failed" : ""}">${f.failed}</td>
        <td class="num">${duration(f.p50Ms)}</td>
        <td class="num">${duration(f.p95Ms)}</td>
        <td>
          ${
            f.lastRun
              ? html`<a href="/history/by_id/${seg(f.lastRun.id)}">${shortTime(iso(f.lastRun.updatedMs))}</a>
                  ${badge(f.lastRun.status)}`
              : ""
          }
        </td>
        <td class="num"><a href="/history/by_name/${seg(f.family)}">${f.totalRuns}</a></td>
      </tr>`,
  );
  const body = html`<form class="window" method="get" action="/tasklist">
      Runs active in ${view.label}. Window:
      <input name="hours" size="5" value="${view.hours}" /> hours <button>Show</button>
    </form>
    ${
      list.cut
        ? html`<p class="muted">
            The window holds more runs than are read at once: the figures cover the latest ones.
          </p>`
        : ""
    }
    ${
      list.families.length === 0
        ? html`<p class="muted">No runs recorded yet.</p>`
        : html`<table class="families">
              <tr>
                <th>Family</th>
                <th>Runs</th>
                <th>Failed</th>
                <th>p50</th>
                <th>p95</th>
                <th>Last run (UTC)</th>
                <th>All runs</th>
              </tr>
              ${rows}
            </table>
            <p class="muted">
              Runs, failures and durations count the runs of the window; p50 and p95 are those of its
              successful runs, from the first hand-out to the end. "All runs" counts every run recorded.
            </p>`
    }`;
  return layout("Step families", body, { active: "tasklist" });
}

/** What the chart script reads from the page (TREND_DATA_ID). */
export interface TrendChartData {
  family: string;
  p50Ms: number | null;
  p95Ms: number | null;
  /** [start ms, duration ms, status, run id, step id, error head] of each finished run. */
  points: [number, number, string, number, string, string | null][];
}

export function trendChartData(trend: FamilyTrend): TrendChartData {
  return {
    family: trend.family,
    p50Ms: trend.p50Ms,
    p95Ms: trend.p95Ms,
    points: trend.points
      .filter((p): p is TrendPoint & { durationMs: number } => p.durationMs !== null)
      .map((p) => [p.startMs, p.durationMs, p.status, p.run, p.stepId, p.error]),
  };
}

export function familyPage(trend: FamilyTrend): string {
  const rows = [...trend.points].reverse().map(
    (p) =>
      html`<tr>
        <td><a href="/history/by_id/${seg(p.run)}">${p.run}</a></td>
        <td>${badge(p.status)}</td>
        <td>${shortTime(iso(p.startMs))}</td>
        <td class="num">${duration(p.durationMs)}</td>
        <td>${p.host ?? ""}</td>
        <td>${p.error ?? ""}</td>
      </tr>`,
  );
  const body = html`${figures(trend)}
    <div
      class="trend-chart"
      id="trend-chart"
      role="img"
      aria-label="Run durations of ${trend.family} over time"
    ></div>
    <script type="application/json" id="${TREND_DATA_ID}">
      ${scriptJson(trendChartData(trend))}
    </script>
    <p class="muted">
      The latest ${trend.points.length} runs${trend.hasMore ? ` (older ones: ?limit= up to 10000)` : ""}: each
      finished run at its start time, as high as it took; failures in red. The lines are p50 and p95 of the
      successful runs. A click on a point opens that run.
      <a href="/history/by_name/${seg(trend.family)}">Every run of ${trend.family}</a>.
    </p>
    <h2>Runs</h2>
    <table class="trend-runs">
      <tr>
        <th>Run</th>
        <th>Status</th>
        <th>Started (UTC)</th>
        <th>Duration</th>
        <th>Host</th>
        <th>Error</th>
      </tr>
      ${rows}
    </table>`;
  return layout(`${trend.family} · durations`, body, { scripts: [TREND_CHART_SCRIPT], active: "tasklist" });
}
