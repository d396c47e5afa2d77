/**
 * The history pages' stylesheet, served by luigid at HISTORY_STYLESHEET_PATH (no CDN: luigid often runs
 * where there is no internet). A file of its own rather than a <style> block or style attributes, so the
 * pages pass a Content-Security-Policy without 'unsafe-inline'. Its URL carries a hash of the text, so
 * browsers may keep it for good and still see a new version at once.
 */
import { createHash } from "node:crypto";

/** The visualiser's palette: status badges use the same colours as its step list. */
const STATUS_COLOURS: Record<string, string> = {
  FAILED: "#DD0000",
  RUNNING: "#0044DD",
  BATCH_RUNNING: "#BB00BB",
  PENDING: "#EEBB00",
  DONE: "#00AA00",
  DISABLED: "#808080",
  UNKNOWN: "#000000",
};

/** The class a status badge has (`badge status-FAILED`); statuses without a colour keep the grey. */
export function statusClass(status: string): string {
  return `status-${status.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

// PENDING's yellow needs dark text to stay readable (the last rule of HISTORY_CSS).
const BADGES = Object.entries(STATUS_COLOURS)
  .map(([status, colour]) => `.badge.${statusClass(status)}{background:${colour}}`)
  .join("\n");

export const HISTORY_CSS = `*{box-sizing:border-box}
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
.badge{display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;background:#52606d;font-size:12px;font-weight:600}
.muted{color:#7b8794}
pre.error{background:#fff;border:1px solid #d9e2ec;padding:8px;white-space:pre-wrap;max-height:400px;overflow:auto}
pre.log{background:#fff;border:1px solid #d9e2ec;padding:8px;white-space:pre-wrap;word-break:break-all;max-height:600px;overflow:auto;font-size:12px}
pre.log .stack{color:#a00;background:#fdecea}
pre.log .cut{color:#7b8794;font-style:italic}
.pager{margin:8px 0;display:flex;gap:16px}
form.window{margin-bottom:12px}
.message{background:#fff;border:1px solid #d9e2ec;padding:16px;max-width:800px}
.trend-chart{height:380px;background:#fff;border:1px solid #d9e2ec;margin-bottom:12px}
dl.figures{display:flex;flex-wrap:wrap;gap:8px 24px;margin:0 0 12px}
dl.figures div{background:#fff;border:1px solid #d9e2ec;padding:6px 12px}
dl.figures dt{font-size:12px;color:#7b8794}
dl.figures dd{margin:0;font-size:18px;font-weight:600;font-variant-numeric:tabular-nums}
td.failed{color:#dd0000;font-weight:600}
${BADGES}
.badge.${statusClass("PENDING")}{color:#1f2933}
`;

const VERSION = createHash("sha256").update(HISTORY_CSS).digest("hex").slice(0, 12);

/** Where luigid serves HISTORY_CSS. */
export const HISTORY_STYLESHEET_PATH = "/history/style.css";

/** The stylesheet's URL in the pages, versioned by its content. */
export const HISTORY_STYLESHEET_URL = `${HISTORY_STYLESHEET_PATH}?v=${VERSION}`;
