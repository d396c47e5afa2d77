import type { RunDetail, RunPage, RunSummary } from "../queries.js";
import { duration, shortTime } from "./format.js";
import { html, seg, type Html } from "./html.js";
import { badge, layout } from "./layout.js";
import { runLogs } from "./log-view.js";

function paramsTable(params: Record<string, string>): Html {
  const entries = Object.entries(params);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<table class="params">
    ${entries.map(
      ([k, v]) =>
        html`<tr>
          <td>${k}</td>
          <td>${v}</td>
        </tr>`,
    )}
  </table>`;
}

const NOTE_LENGTH = 120;

/** An event's note in the table: the first line of its message, cut (the whole error is shown below). */
function note(message: string | null): string {
  if (message === null) return "";
  const first = message.split("\n", 1)[0] ?? "";
  const cut = first.slice(0, NOTE_LENGTH);
  return cut.length < message.trimEnd().length ? `${cut}…` : cut;
}

function row(run: RunSummary): Html {
  return html`<tr>
    <td><a href="/history/by_id/${seg(run.id)}">${run.id}</a></td>
    <td><a href="/history/by_name/${seg(run.family)}">${run.family}</a></td>
    <td>${badge(run.status)}</td>
    <td>${run.host ?? ""}</td>
    <td>${shortTime(run.startedAt)}</td>
    <td>${shortTime(run.updatedAt)}</td>
    <td class="num">${duration(run.durationMs)}</td>
    <td>${paramsTable(run.params)}</td>
  </tr>`;
}

/** Links to the previous and next pages, keeping the other query parameters. */
function pager(page: RunPage, base: string, query: Record<string, string>): Html {
  const link = (p: number): string => {
    const q = new URLSearchParams({ ...query, page: String(p), limit: String(page.limit) });
    return `${base}?${q.toString()}`;
  };
  return html`<div class="pager">
    ${page.page > 1 ? html`<a href="${link(page.page - 1)}">← newer</a>` : ""}
    <span class="muted">page ${page.page}</span>
    ${page.hasNext ? html`<a href="${link(page.page + 1)}">older →</a>` : ""}
  </div>`;
}

export interface ListingView {
  title: string;
  intro?: Html;
  page: RunPage;
  base: string;
  query: Record<string, string>;
}

/** The runs of a page as a table (or a line saying there are none). */
export function runsTable(page: RunPage): Html {
  if (page.runs.length === 0)
    return html`<p class="muted">No runs${page.page > 1 ? " on this page" : ""}.</p>`;
  return html`<table>
    <tr>
      <th>Run</th>
      <th>Name</th>
      <th>Status</th>
      <th>Host</th>
      <th>Started (UTC)</th>
      <th>Last action (UTC)</th>
      <th>Duration</th>
      <th>Parameters</th>
    </tr>
    ${page.runs.map(row)}
  </table>`;
}

export function runListing(view: ListingView): string {
  return layout(
    view.title,
    html`${view.intro ?? ""}${runsTable(view.page)}${pager(view.page, view.base, view.query)}`,
  );
}

/** One run; `more` is appended (by_task_id lists the step's other runs there). */
export function runDetail(run: RunDetail, more?: Html): string {
  const info = html`<table class="info">
    <tr>
      <th>Run</th>
      <td>${run.id}</td>
    </tr>
    <tr>
      <th>Step id</th>
      <td><a href="/history/by_task_id/${seg(run.stepId)}">${run.stepId}</a></td>
    </tr>
    <tr>
      <th>Name</th>
      <td>${run.family}</td>
    </tr>
    <tr>
      <th>Status</th>
      <td>${badge(run.status)}</td>
    </tr>
    <tr>
      <th>Host</th>
      <td>${run.host ?? ""}</td>
    </tr>
    <tr>
      <th>Worker</th>
      <td>${run.worker ?? ""}</td>
    </tr>
    <tr>
      <th>Started (UTC)</th>
      <td>${shortTime(run.startedAt)}</td>
    </tr>
    <tr>
      <th>Running since (UTC)</th>
      <td>${shortTime(run.runningAt)}</td>
    </tr>
    <tr>
      <th>Finished (UTC)</th>
      <td>${shortTime(run.finishedAt)}</td>
    </tr>
    <tr>
      <th>Duration</th>
      <td>${duration(run.durationMs)}</td>
    </tr>
    <tr>
      <th>More</th>
      <td><a href="/history/by_name/${seg(run.family)}">All "${run.family}" runs</a></td>
    </tr>
  </table>`;
  const params = Object.entries(run.params);
  const paramTable =
    params.length === 0
      ? html`<p class="muted">No parameters.</p>`
      : html`<table class="info">
          <tr>
            <th>Name</th>
            <th>Value</th>
          </tr>
          ${params.map(
            ([k, v]) =>
              html`<tr>
                <td>${k}</td>
                <td>
                  <a
                    href="/history/by_params/${seg(run.family)}?data=${encodeURIComponent(
                      JSON.stringify({ [k]: v }),
                    )}"
                    >${v}</a
                  >
                </td>
              </tr>`,
          )}
        </table>`;
  const events = html`<table>
    <tr>
      <th>Status</th>
      <th>Time (UTC)</th>
      <th>Until next</th>
      <th>Host</th>
      <th>Worker</th>
      <th>Note</th>
      <th>By</th>
    </tr>
    ${run.events.map(
      (e) =>
        html`<tr>
          <td>${badge(e.event)}</td>
          <td>${shortTime(e.ts)}</td>
          <td class="num">${duration(e.untilNextMs)}</td>
          <td>${e.host ?? ""}</td>
          <td>${e.worker ?? ""}</td>
          <td>${note(e.message)}</td>
          <td>${e.actor ?? ""}</td>
        </tr>`,
    )}
  </table>`;
  const error = run.error
    ? html`<h2>Error</h2>
        <pre class="error">${run.error}</pre>`
    : "";
  return layout(
    `${run.family} · run ${run.id}`,
    html`<h2>Info</h2>
      ${info}
      <h2>Parameters</h2>
      ${paramTable}
      <h2>Events</h2>
      ${events}${error}${runLogs(run.logs)}${more ?? ""}`,
  );
}

/** Errors and "history is off": a short page with the explanation. */
export function messagePage(title: string, message: string, hint?: Html): string {
  return layout(
    title,
    html`<div class="message">
      <p>${message}</p>
      ${hint ?? ""}
    </div>`,
  );
}
