/**
 * The scheduler's side of the history: a `SchedulerHooks.history` implementation that turns each status
 * change into a queued event for the writer. It ignores everything until `arm()`: luigid replays its
 * journal through the scheduler at start, and those changes were recorded when they first happened.
 */
import type { FinishedStepLog, HistoryCause, HistoryChange, SchedulerHooks } from "../scheduler/core.js";
import { currentActor, describeActor } from "./actor.js";
import type { QueuedItem } from "./event.js";

/** The changes a person asks for: their events name who asked (see actor.ts). */
const ASKED_FOR: ReadonlySet<HistoryCause> = new Set(["forgiven", "marked-done", "re-enabled"]);

export interface EventSink {
  push(item: QueuedItem): void;
}

export class StepHistoryRecorder {
  private armed = false;

  constructor(private readonly sink: EventSink) {}

  /** Starts recording (after the journal replay). */
  arm(): void {
    this.armed = true;
  }

  get isArmed(): boolean {
    return this.armed;
  }

  /** The hooks to give the scheduler. */
  hooks(): SchedulerHooks {
    return { history: (change) => this.record(change), stepLog: (log) => this.recordLog(log) };
  }

  /** A complete captured log: stored with the step's run. */
  recordLog(log: FinishedStepLog): void {
    if (!this.armed) return;
    const { time, family: _family, ...rest } = log;
    this.sink.push({ kind: "log", ...rest, time: Math.round(time * 1000) });
  }

  record(change: HistoryChange): void {
    if (!this.armed) return;
    const { step, time, ...rest } = change;
    const actor = ASKED_FOR.has(change.cause) ? currentActor() : undefined;
    this.sink.push({
      ...rest,
      actor: actor === undefined ? null : describeActor(actor),
      stepId: step.id,
      family: step.family,
      params: step.params,
      time: Math.round(time * 1000),
    });
  }
}
