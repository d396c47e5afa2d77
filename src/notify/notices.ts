/**
 * What can be notified: plain data, made by the worker (failures, run ends) and by luigid (disables).
 * Channels (mail, webhook) turn a notice into what they send; the notice itself knows no channel.
 */

/** A step as a notice names it. */
export interface StepFacts {
  /** `Family(a=1, b=2)`, as logs and the summary show it. */
  readonly name: string;
  readonly id: string;
  readonly family: string;
  /** The parameters as text, as sent to the scheduler. */
  readonly params: Readonly<Record<string, string>>;
  /** The step's `owners`: mail recipients besides `[email] receiver`. */
  readonly owners: readonly string[];
}

/** Parameters as text: a batched one (a list) as JSON. */
export function textParams(params: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

/** Where the notice comes from. */
export interface Origin {
  /** This machine's host name. */
  readonly host: string;
  /** The worker's id (a worker's notices), or the worker that reported the failure (luigid's). */
  readonly worker: string | null;
}

/** A step's run() failed (or its timeout hit) on this worker. */
export interface StepFailureNotice extends Origin {
  readonly event: "failure";
  readonly step: StepFacts;
  readonly error: { readonly message: string; readonly stack: string };
}

/**
 * A step could not be scheduled: complete() or requires() threw ("complete", "requires"), the walk
 * itself failed ("framework"), or the scheduler handed out a step this worker cannot build ("load").
 */
export interface SchedulingFailureNotice extends Origin {
  readonly event: "scheduling_failure";
  readonly phase: "complete" | "requires" | "framework" | "load";
  readonly step: StepFacts;
  readonly error: { readonly message: string; readonly stack: string };
}

/** luigid disabled a step for excessive failures. */
export interface DisableNotice extends Origin {
  readonly event: "disable";
  readonly step: StepFacts;
  /** The failure count that disabled it (its retry_count), within `window` seconds. */
  readonly failures: number;
  readonly window: number;
  /** Seconds it stays disabled. */
  readonly persist: number;
  /** The last failure's explanation, when there is one. */
  readonly error: string | null;
}

/** A `luigi` run ended. */
export interface RunEndNotice extends Origin {
  readonly event: "run_end";
  /** The run did what it was asked (exit code 0). */
  readonly ok: boolean;
  readonly exitCode: number;
  /** The execution summary's status: SUCCESS, FAILED, SCHEDULING_FAILED, INTERRUPTED, ... */
  readonly status: string;
  /** The execution summary's one-line verdict, e.g. "This progress looks :( because there were failed steps". */
  readonly verdict: string;
  /** The steps asked for on the command line. */
  readonly roots: readonly string[];
  /** How many steps ended in each way (the summary's categories that are not empty). */
  readonly counts: Readonly<Record<string, number>>;
}

export type Notice = StepFailureNotice | SchedulingFailureNotice | DisableNotice | RunEndNotice;
export type NoticeEvent = Notice["event"];

/** What a run-end notice is made from: the execution summary's fields (src/worker/summary.ts). */
export interface RunSummaryFacts {
  readonly status: string;
  readonly face: string;
  readonly reason: string;
  readonly exitCode: number;
  readonly categories: Readonly<Record<string, readonly string[]>>;
}

export function runEndNotice(
  summary: RunSummaryFacts,
  roots: readonly string[],
  origin: Origin,
): RunEndNotice {
  const counts: Record<string, number> = {};
  for (const [category, names] of Object.entries(summary.categories)) {
    if (names.length > 0) counts[category] = names.length;
  }
  return {
    event: "run_end",
    ok: summary.exitCode === 0,
    exitCode: summary.exitCode,
    status: summary.status,
    verdict: `This progress looks ${summary.face} because ${summary.reason}`,
    roots,
    counts,
    ...origin,
  };
}
