import { html, Html } from "./html.js";

/** The visualiser's palette: status badges use the same colours as its step list. */
export const STATUS_COLOURS: Record<string, string> = {
  FAILED: "#DD0000",
  RUNNING: "#0044DD",
  BATCH_RUNNING: "#BB00BB",
  PENDING: "#EEBB00",
  DONE: "#00AA00",
  DISABLED: "#808080",
  UNKNOWN: "#000000",
};

// Inline, no CDN: luigid often runs where there is no internet.
const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#1f2933;background:#f5f7fa}
header{background:#1f2933;color:#fff;display:flex;align-items:center;gap:24px;padding:0 16px;height:48px}
header .title{font-weight:600;font-size:16px}
header nav a{color:#cbd2d9;text-decoration:none;margin-right:16px}
header nav a:hover,header nav a.active{color:#fff}
main{padding:16px 24px;max-width:1400px}
h1{font-size:20px;margin:8px 0 16px}
h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%;margin-bottom:8px}
th,td{border:1px solid #d9e2ec;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f4f8;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.params td{border:none;padding:0 8px 0 0;font-size:12px}
table.info{width:auto}
a{color:#0044dd}
.badge{display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;font-size:12px;font-weight:600}
.muted{color:#7b8794}
pre.error{background:#fff;border:1px solid #d9e2ec;padding:8px;white-space:pre-wrap;max-height:400px;overflow:auto}
.pager{margin:8px 0;display:flex;gap:16px}
form.window{margin-bottom:12px}
.message{background:#fff;border:1px solid #d9e2ec;padding:16px;max-width:800px}
`;

/** The stylesheet is ours, not data: it goes in unescaped. */
const STYLE = new Html(CSS);

export function badge(status: string): Html {
  const colour = STATUS_COLOURS[status] ?? "#52606d";
  // PENDING's yellow needs dark text to stay readable.
  const text = status === "PENDING" ? "#1f2933" : "#fff";
  return html`<span class="badge" style="background:${colour};color:${text}">${status}</span>`;
}

export function layout(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · luigi-ts</title>
        <style>
          ${STYLE}
        </style>
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
