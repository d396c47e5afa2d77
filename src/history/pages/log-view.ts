/**
 * A captured step log on a history page: escaped, line by line, with the lines of an error's stack
 * marked (its frames, `    at ...` and the folded `    ... N frames`, and the line just before them:
 * the error's message) and the cut marker set apart.
 */
import type { RunLog } from "../queries.js";
import { escapeHtml, html, Html } from "./html.js";

const FRAME = /^\s+(at |\.\.\. \d+ frames?)/;
const CUT = /^\[… \d+ bytes cut …\]$/;

/** For each line, whether it is part of an error's stack. */
export function stackLines(lines: readonly string[]): boolean[] {
  const marks = lines.map((line) => FRAME.test(line));
  for (let i = 1; i < lines.length; i++) {
    // The first frame of a run: the line before it is the error's message.
    if (marks[i] && !marks[i - 1] && (lines[i - 1] as string).trim() !== "") marks[i - 1] = true;
  }
  return marks;
}

function logBody(text: string): Html {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  const marks = stackLines(lines);
  // Built as text, not with html``: a formatter may rewrite a template's line breaks, and here they are
  // the content.
  let out = "";
  lines.forEach((line, i) => {
    const text = escapeHtml(line);
    if (marks[i]) out += `<span class="stack">${text}</span>\n`;
    else if (CUT.test(line)) out += `<span class="cut">${text}</span>\n`;
    else out += `${text}\n`;
  });
  return new Html(out);
}

/** The run's logs, one section per attempt. */
export function runLogs(logs: readonly RunLog[]): Html {
  if (logs.length === 0)
    return html`<h2>Log</h2>
      <p class="muted">No log captured for this run.</p>`;
  return html`${logs.map((log) => {
    const notes: string[] = [`${log.bytes} bytes printed`];
    if (log.cut > 0) notes.push(`${log.cut} bytes cut from the middle`);
    if (log.worker) notes.push(`by ${log.worker}`);
    if (log.incomplete) notes.push("incomplete: the run ended before its worker sent the rest");
    return html`<h2>Log${logs.length > 1 ? ` (attempt ${log.attempt})` : ""}</h2>
      <p class="muted">${notes.join(" · ")}</p>
      <pre class="log" data-attempt="${log.attempt}">${logBody(log.text)}</pre>`;
  })}`;
}
