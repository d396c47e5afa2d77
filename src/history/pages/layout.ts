import { html, type Html } from "./html.js";
import { HISTORY_STYLESHEET_URL, statusClass } from "./style.js";

/** A status, coloured as the visualiser's step list colours it (by class: see style.ts). */
export function badge(status: string): Html {
  return html`<span class="badge ${statusClass(status)}">${status}</span>`;
}

export function layout(title: string, body: Html): string {
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
            <a href="/history" class="active">History</a>
          </nav>
        </header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.text;
}
