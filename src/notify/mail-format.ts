/**
 * The words of failure mails, after Luigi's `notifications.format_task_error` and the worker's and
 * scheduler's subjects: a headline, the step's family and parameters, the host, the command line and
 * the error's stack, cut to `traceback_max_length`. "html" escapes every value it shows.
 */
import type { DisableNotice, SchedulingFailureNotice, StepFacts, StepFailureNotice } from "./notices.js";

export interface MailText {
  subject: string;
  body: string;
}

export interface MailStyle {
  format: "plain" | "html";
  /** Characters of a stack kept. */
  tracebackMaxLength: number;
  /** The command line that started this process, ready to paste. */
  commandLine: string;
}

const TRUNCATED = "...Traceback exceeds max length and has been truncated.";

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The mail for a step whose run failed, or that could not be scheduled. */
export function stepErrorMail(
  notice: StepFailureNotice | SchedulingFailureNotice,
  style: MailStyle,
): MailText {
  const [subject, headline] = wording(notice);
  return { subject, body: stepBody(headline, notice.step, notice, style) };
}

function wording(notice: StepFailureNotice | SchedulingFailureNotice): [subject: string, headline: string] {
  const { step, host } = notice;
  if (notice.event === "failure") {
    return [
      `Luigi: ${step.name} FAILED. Host: ${host}`,
      "A step failed when running. Most likely run() raised an exception.",
    ];
  }
  switch (notice.phase) {
    case "complete":
    case "requires":
      return [
        `Luigi: ${step.name} failed scheduling. Host: ${host}`,
        `Will not run ${step.name} or any dependencies due to error in ${notice.phase}() method`,
      ];
    case "framework":
      return [`Luigi: Framework error while scheduling ${step.name}. Host: ${host}`, "Luigi framework error"];
    case "load":
      return [
        `Luigi: Cannot find step(s) sent by scheduler: ${step.id}`,
        `Cannot find step(s) sent by scheduler: ${step.id}`,
      ];
  }
}

function truncated(stack: string, max: number): string {
  return stack.length > max ? `${stack.slice(0, Math.max(0, max))}${TRUNCATED}` : stack;
}

function stepBody(
  headline: string,
  step: StepFacts,
  notice: StepFailureNotice | SchedulingFailureNotice,
  style: MailStyle,
): string {
  const stack = truncated(notice.error.stack || notice.error.message, style.tracebackMaxLength);
  const params = Object.entries(step.params);
  const where: [string, string][] = [
    ["host", notice.host],
    ["worker", notice.worker ?? ""],
  ];
  if (style.format === "html") {
    const row = ([k, v]: [string, string]): string =>
      `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`;
    return [
      "<html>",
      "<body>",
      `<h2>${escapeHtml(headline)}</h2>`,
      "",
      '<table style="border-top: 1px solid black; border-bottom: 1px solid black">',
      "<thead>",
      row(["name", step.family]),
      ...where.map(row),
      "</thead>",
      "<tbody>",
      ...params.map(row),
      "</tbody>",
      "</table>",
      "",
      "<h2>Command line</h2>",
      `<pre>${escapeHtml(style.commandLine)}</pre>`,
      "",
      "<h2>Traceback</h2>",
      `<pre>${escapeHtml(stack)}</pre>`,
      "</body>",
      "</html>",
      "",
    ].join("\n");
  }
  const width = Math.max(0, ...params.map(([k]) => k.length));
  return [
    headline,
    "",
    `Name: ${step.family}`,
    `Host: ${notice.host}`,
    ...(notice.worker ? [`Worker: ${notice.worker}`] : []),
    "",
    "Parameters:",
    ...params.map(([k, v]) => `  ${k.padEnd(width)}: ${v}`),
    "",
    "Command line:",
    `  ${style.commandLine}`,
    "",
    stack,
    "",
  ].join("\n");
}

/** luigid's mail when it disables a step (Luigi's scheduler words it so). */
export function disableMail(notice: DisableNotice, format: "plain" | "html"): MailText {
  const id = notice.step.id;
  const text = `${id} failed ${notice.failures} times in the last ${notice.window} seconds, so it is being disabled for ${notice.persist} seconds`;
  return {
    subject: `Luigi Scheduler: DISABLED ${id} due to excessive failures`,
    body: format === "html" ? `<html>\n<body>\n<p>${escapeHtml(text)}</p>\n</body>\n</html>\n` : `${text}\n`,
  };
}

/** argv as one line a POSIX shell reads back as the same words. */
export function shellLine(argv: readonly string[]): string {
  return argv
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`))
    .join(" ");
}
