import { html, type Html } from "./html.js";
import { HISTORY_STYLESHEET_URL, statusClass } from "./style.js";

/** A status, coloured as the visualiser's step list colours it (by class: see style.ts). */
export function badge(status: string): Html {
  return html`<span class="badge ${statusClass(status)}">${status}</span>`;
}

/** `scripts`: module scripts of luigid's own (the charts), after the body; `active`: the nav entry lit. */
export function layout(
  title: string,
  body: Html,
  options: { scripts?: readonly string[]; active?: "history" | "tasklist" } = {},
): string {
  const active = options.active ?? "history";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · luigi-ts</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${HISTORY_STYLESHEET_URL}" />
      </head>
      <body>
        <header>
          <span class="title">luigi-ts</span>
          <nav>
            <a href="/static/visualiser/index.html#tab=tasks">Steps</a>
            <a href="/static/visualiser/index.html#tab=graph">Graph</a>
            <a href="/static/visualiser/index.html#tab=workers">Workers</a>
            <a href="/static/visualiser/index.html#tab=resources">Resources</a>
            <a href="/static/visualiser/index.html#tab=timeline">Timeline</a>
            <a href="/history" class="${active === "history" ? "active" : ""}">History</a>
            <a href="/tasklist" class="${active === "tasklist" ? "active" : ""}">Families</a>
          </nav>
        </header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
        ${(options.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
      </body>
    </html> `.text;
}
