import type { RetcodeConfig } from "../config/index.js";
import type { Step } from "../step/step.js";
import type { WorkerHistory } from "./history.js";

/** Summary categories, as Luigi's execution summary names them. */
export const CATEGORIES = [
  "already_done",
  "completed",
  "completed_by_other_worker",
  "ever_failed",
  "failed",
  "interrupted",
  "scheduling_error",
  "still_pending_ext",
  "still_pending_not_ext",
  "run_by_other_worker",
  "upstream_failure",
  "upstream_missing_dependency",
  "upstream_run_by_other_worker",
  "upstream_scheduling_error",
  "disabled",
  "not_run",
] as const;
export type Category = (typeof CATEGORIES)[number];

export type SummaryStatus =
  | "SUCCESS"
  | "SUCCESS_WITH_RETRY"
  | "FAILED"
  | "FAILED_AND_SCHEDULING_FAILED"
  | "SCHEDULING_FAILED"
  | "NOT_RUN"
  | "MISSING_EXT"
  | "INTERRUPTED";

/** The execution summary as data (what `build()` returns and `luigi` prints). */
export interface ExecutionSummary {
  status: SummaryStatus;
  /** ":)", ":|" or ":(" */
  face: string;
  reason: string;
  /** Number of distinct steps this worker scheduled. */
  scheduled: number;
  /** Step display names (`Family(k=v)`) per category. */
  categories: Record<Category, string[]>;
  /** Ids per category, for programs. */
  ids: Record<Category, string[]>;
  /** Other workers that ran steps this one needed. */
  otherWorkers: string[];
  /** Errors of failed steps, by display name. */
  errors: Record<string, string>;
  /**
   * The last lines each failed step printed (its captured log, secrets masked), by display name, and
   * how many lines the log had; only steps that printed something.
   */
  logTails: Record<string, { lines: string[]; of: number }>;
  exitCode: number;
  text: string;
}

const LABELS: Record<Category, string> = {
  already_done: "complete ones were encountered",
  completed: "ran successfully",
  completed_by_other_worker: "were run by other workers while this one waited",
  ever_failed: "failed at least once",
  failed: "failed",
  interrupted: "were interrupted",
  scheduling_error: "failed scheduling",
  still_pending_ext: "were missing external dependencies",
  still_pending_not_ext: "were left pending",
  run_by_other_worker: "were being run by another worker",
  upstream_failure: "had failed dependencies",
  upstream_missing_dependency: "had missing dependencies",
  upstream_run_by_other_worker: "had dependencies that were being run by other worker",
  upstream_scheduling_error: "had dependencies whose scheduling failed",
  disabled: "were disabled",
  not_run: "were not granted run permission by the scheduler",
};

/** Partitions what the worker saw into Luigi's categories, and picks the exit code. */
export function summarize(
  history: WorkerHistory,
  roots: Step[],
  retcodes: RetcodeConfig,
  options: {
    summaryLength?: number;
    schedulingFailed?: boolean;
    /** The run was stopped by this signal (SIGINT, SIGTERM). */
    interruptedBy?: string;
    /** Each failure was logged with its stack trace (on stderr): the summary points there. */
    errorsLogged?: boolean;
  } = {},
): ExecutionSummary {
  const sets = Object.fromEntries(CATEGORIES.map((c) => [c, new Set<string>()])) as Record<
    Category,
    Set<string>
  >;
  const steps = new Map<string, Step>();
  for (const [id, entry] of history.entries) {
    steps.set(id, entry.step);
    const statuses = entry.statuses;
    const last = statuses.at(-1);
    const everPending = statuses.includes("PENDING");
    if (statuses.includes("FAILED")) sets.ever_failed.add(id);
    if (last === "DONE" && entry.byOtherWorker) sets.completed_by_other_worker.add(id);
    else if (last === "DONE") (everPending ? sets.completed : sets.already_done).add(id);
    else if (last === "FAILED") (entry.interrupted ? sets.interrupted : sets.failed).add(id);
    else if (last === "UNKNOWN") sets.scheduling_error.add(id);
    else if (last === "DISABLED") sets.disabled.add(id);
    else if (last === "PENDING" || last === "RUNNING") {
      if (history.runByOtherWorker.has(id)) sets.run_by_other_worker.add(id);
      else if (!entry.runnable) sets.still_pending_ext.add(id);
      else sets.still_pending_not_ext.add(id);
    }
  }
  // Classify steps left pending by what blocks them upstream (depth-first, memoised).
  const memo = new Map<string, Category | undefined>();
  const upstreamOf = (step: Step, seen: Set<string>): Category | undefined => {
    if (memo.has(step.id)) return memo.get(step.id);
    let found: Category | undefined;
    for (const dep of safeDeps(step)) {
      if (seen.has(dep.id)) continue;
      seen.add(dep.id);
      const c = blockerOf(dep.id) ?? upstreamOf(dep, seen);
      if (c && (found === undefined || rank(c) > rank(found))) found = c;
    }
    memo.set(step.id, found);
    return found;
  };
  const blockerOf = (id: string): Category | undefined => {
    if (sets.failed.has(id) || sets.disabled.has(id)) return "upstream_failure";
    if (sets.still_pending_ext.has(id)) return "upstream_missing_dependency";
    if (sets.run_by_other_worker.has(id)) return "upstream_run_by_other_worker";
    if (sets.scheduling_error.has(id)) return "upstream_scheduling_error";
    return undefined;
  };
  for (const id of sets.still_pending_not_ext) {
    const step = steps.get(id);
    const c = step ? upstreamOf(step, new Set([id])) : undefined;
    sets[c ?? "not_run"].add(id);
  }

  const anyRetried = [...history.entries.values()].some((e) => e.retried);
  const failedAny = sets.failed.size > 0 || sets.disabled.size > 0;
  const schedFailed = sets.scheduling_error.size > 0 || Boolean(options.schedulingFailed);
  let status: SummaryStatus;
  const interrupted = options.interruptedBy !== undefined || sets.interrupted.size > 0;
  if (interrupted && !failedAny) status = "INTERRUPTED";
  else if (failedAny && schedFailed) status = "FAILED_AND_SCHEDULING_FAILED";
  else if (failedAny) status = "FAILED";
  else if (schedFailed) status = "SCHEDULING_FAILED";
  else if (sets.still_pending_ext.size > 0) status = "MISSING_EXT";
  else if (sets.not_run.size > 0 || sets.still_pending_not_ext.size > 0 || sets.run_by_other_worker.size > 0)
    status = "NOT_RUN";
  else if (sets.ever_failed.size > 0 || anyRetried) status = "SUCCESS_WITH_RETRY";
  else status = "SUCCESS";
  const { face, reason } = verdict(status, options.interruptedBy);

  const codes: number[] = [0];
  if (sets.still_pending_ext.size > 0) codes.push(retcodes.missingData);
  if (failedAny || sets.interrupted.size > 0) codes.push(retcodes.taskFailed);
  if (sets.run_by_other_worker.size > 0) codes.push(retcodes.alreadyRunning);
  if (schedFailed) codes.push(retcodes.schedulingError);
  if (sets.not_run.size > 0) codes.push(retcodes.notRun);
  let exitCode = Math.max(...codes);
  const rootsOk = roots.every(
    (r) =>
      sets.completed.has(r.id) || sets.already_done.has(r.id) || sets.completed_by_other_worker.has(r.id),
  );
  if (exitCode === 0 && !rootsOk) exitCode = retcodes.notRun;

  const ids = {} as Record<Category, string[]>;
  for (const c of CATEGORIES) ids[c] = [...sets[c]];
  const errors: Record<string, string> = {};
  const logTails: Record<string, { lines: string[]; of: number }> = {};
  for (const id of [...sets.failed, ...sets.scheduling_error]) {
    const entry = history.get(id);
    if (entry?.error) errors[entry.step.toString()] = entry.error.message;
    if (entry?.logTail) logTails[entry.step.toString()] = entry.logTail;
  }
  const otherWorkers = [...new Set(history.runByOtherWorker.values())];
  let names: Record<Category, string[]> | undefined;
  const summary: ExecutionSummary = {
    status,
    face,
    reason,
    scheduled: history.entries.size,
    // Built on first use (an enumerable getter, so JSON has it too): the luigi command only prints the
    // text, and naming every step of a 10,000-step run costs more than the rest of the summary.
    get categories() {
      return (names ??= Object.fromEntries(
        CATEGORIES.map((c) => [c, ids[c].map((id) => steps.get(id)?.toString() ?? id)]),
      ) as Record<Category, string[]>);
    },
    ids,
    otherWorkers,
    errors,
    logTails,
    exitCode,
    text: "",
  };
  summary.text = renderSummary(
    summary,
    steps,
    sets,
    options.summaryLength ?? 5,
    options.errorsLogged ?? false,
  );
  return summary;
}

function safeDeps(step: Step): Step[] {
  try {
    return step.dependencies();
  } catch {
    return [];
  }
}

function rank(c: Category): number {
  return [
    "upstream_run_by_other_worker",
    "upstream_missing_dependency",
    "upstream_scheduling_error",
    "upstream_failure",
  ].indexOf(c);
}

function verdict(status: SummaryStatus, signal: string | undefined): { face: string; reason: string } {
  switch (status) {
    case "INTERRUPTED":
      return { face: ":|", reason: `the run was interrupted${signal ? ` (${signal})` : ""}` };
    case "SUCCESS":
      return { face: ":)", reason: "there were no failed steps or missing dependencies" };
    case "SUCCESS_WITH_RETRY":
      return { face: ":)", reason: "there were failed steps but they all succeeded in a retry" };
    case "FAILED":
      return { face: ":(", reason: "there were failed steps" };
    case "FAILED_AND_SCHEDULING_FAILED":
      return { face: ":(", reason: "there were failed steps and steps whose scheduling failed" };
    case "SCHEDULING_FAILED":
      return { face: ":(", reason: "there were steps whose scheduling failed" };
    case "NOT_RUN":
      return { face: ":|", reason: "there were steps that were not granted run permission by the scheduler" };
    case "MISSING_EXT":
      return { face: ":|", reason: "there were missing external dependencies" };
  }
}

const BANNER = "===== luigi-ts Execution Summary =====";

function renderSummary(
  summary: ExecutionSummary,
  steps: Map<string, Step>,
  sets: Record<Category, Set<string>>,
  maxLines: number,
  errorsLogged: boolean,
): string {
  const lines: string[] = [BANNER, "", `Scheduled ${summary.scheduled} steps of which:`];
  const section = (c: Category, indent: string): void => {
    const set = sets[c];
    if (set.size === 0) return;
    lines.push(`${indent}* ${set.size} ${LABELS[c]}:`);
    lines.push(
      ...groupLines(
        [...set].map((id) => steps.get(id)).filter((s): s is Step => s !== undefined),
        `${indent}    `,
        maxLines,
      ),
    );
    if (c === "run_by_other_worker") {
      for (const id of set) if (!steps.has(id)) lines.push(`${indent}    - ${id}`);
    }
  };
  for (const c of [
    "already_done",
    "completed",
    "completed_by_other_worker",
    "failed",
    "interrupted",
    "scheduling_error",
    "disabled",
    "still_pending_ext",
  ] as const) {
    section(c, "");
  }
  const pendingCats = [
    "run_by_other_worker",
    "upstream_failure",
    "upstream_missing_dependency",
    "upstream_run_by_other_worker",
    "upstream_scheduling_error",
    "not_run",
  ] as const;
  const leftPending = pendingCats.reduce((n, c) => n + sets[c].size, 0);
  if (leftPending > 0) {
    lines.push(`* ${leftPending} were left pending, among these:`);
    for (const c of pendingCats) section(c, "    ");
  }
  const errors = Object.entries(summary.errors);
  if (errors.length > 0) {
    lines.push("", errorsLogged ? "Errors (each with its stack trace above, on stderr):" : "Errors:");
    const shown = maxLines > 0 ? errors.slice(0, maxLines) : errors;
    for (const [name, message] of shown) {
      lines.push(`    - ${name}: ${firstLine(message)}`);
      const tail = summary.logTails[name];
      if (!tail || tail.lines.length === 0) continue;
      lines.push(
        tail.lines.length < tail.of
          ? `      the last ${tail.lines.length} of the ${tail.of} lines of its log:`
          : `      its log (${tail.of} line${tail.of === 1 ? "" : "s"}):`,
      );
      for (const line of tail.lines) lines.push(`      | ${line}`);
    }
    if (shown.length < errors.length) lines.push(`    ...and ${errors.length - shown.length} more`);
  }
  if (summary.otherWorkers.length > 0) {
    lines.push("", "The other workers were:");
    for (const w of summary.otherWorkers.slice(0, maxLines || undefined)) lines.push(`    - ${w}`);
  }
  lines.push("", `This progress looks ${summary.face} because ${summary.reason}`, "", BANNER);
  return lines.join("\n");
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/** A parameter's values in a group: `3`, `1,2,7`, `0...152` (consecutive integers), or the first few. */
function describeValues(values: string[]): string {
  const numeric = values.every((v) => INTEGER.test(v));
  const sorted = numeric
    ? values
        .map(Number)
        .sort((a, b) => a - b)
        .map(String)
    : [...values].sort();
  if (sorted.length <= 3) return sorted.join(",");
  const first = sorted[0] as string;
  const last = sorted.at(-1) as string;
  if (numeric && Number(last) - Number(first) === sorted.length - 1) return `${first}...${last}`;
  return `${sorted.slice(0, 3).join(",")},... (${sorted.length} values)`;
}

const INTEGER = /^-?\d+$/;

/** One line per family: the step itself when alone, else the count and the parameters that vary. */
function groupLines(steps: Step[], indent: string, maxLines: number): string[] {
  const byFamily = new Map<string, Step[]>();
  for (const s of steps) {
    const list = byFamily.get(s.family) ?? [];
    list.push(s);
    byFamily.set(s.family, list);
  }
  const lines: string[] = [];
  for (const [family, group] of [...byFamily.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (group.length === 1) {
      lines.push(`${indent}- 1 ${String(group[0])}`);
      continue;
    }
    const params = group.map((s) => s.significantParams());
    const names = Object.keys(params[0] ?? {});
    const parts = names.map(
      (name) => `${name}=${describeValues([...new Set(params.map((p) => p[name] ?? ""))])}`,
    );
    lines.push(`${indent}- ${group.length} ${family}(${parts.join(", ")})`);
  }
  if (maxLines > 0 && lines.length > maxLines) {
    const rest = lines.length - maxLines;
    return [...lines.slice(0, maxLines), `${indent}...and ${rest} more`];
  }
  return lines;
}
