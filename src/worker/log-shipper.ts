/**
 * Sends the runs' captured logs to the scheduler (`add_step_logs`) as the run goes: what the running
 * steps printed is gathered and sent at most every FLUSH_MS, in one request for all of them, and a
 * finished run's last piece (marked final) goes before its outcome (the outbox and the outcome calls
 * flush first). A step that printed nothing sends nothing.
 *
 * Logs never hold up or fail a run: a send that fails is retried with the next one, and a scheduler
 * without the method (Luigi's luigid answers 404) turns shipping off, said once: the logs then stay with
 * this worker (the execution summary shows the last lines of the failed steps' logs).
 */
import { describeThrown, ErrorCode, SchedulerError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { SchedulerApi, StepLogChunk } from "../scheduler/api.js";
import type { StepCapture } from "./log-capture.js";

/** Longest a printed line waits before it is sent (ms). */
export const FLUSH_MS = 1000;
/** Text and pieces per request: past them the rest goes in the next request of the same flush. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const MAX_REQUEST_PIECES = 5000;
/** Errors that say the scheduler could not be reached: the pieces are sent again later. */
const TRANSIENT: ReadonlySet<string> = new Set([
  ErrorCode.RPC_FAILED,
  ErrorCode.SCHEDULER_UNREACHABLE,
  ErrorCode.SCHEDULER_TLS,
]);
/** Shortest time between two warnings about failed sends (ms). */
const WARN_EVERY_MS = 60_000;

const RESOLVED = Promise.resolve();

export class LogShipper {
  private readonly pending = new Set<StepCapture>();
  private timer: NodeJS.Timeout | undefined;
  /** The send in flight, if any: sends are chained, so pieces arrive in order. */
  private sending: Promise<void> | undefined;
  private off = false;
  private lastWarning = 0;

  constructor(
    private readonly scheduler: SchedulerApi,
    private readonly workerId: string,
    private readonly log: Logger,
  ) {}

  /** Whether the scheduler takes logs (false once it answered that it has no add_step_logs). */
  get shipping(): boolean {
    return !this.off;
  }

  /** A capture has something new: it goes with the next send, at most FLUSH_MS from now. */
  readonly queue = (capture: StepCapture): void => {
    if (this.off) return;
    this.pending.add(capture);
    this.arm();
  };

  /**
   * Sends everything queued; resolves once it is sent or the send failed (never rejects). Free when
   * nothing is queued.
   */
  flush(): Promise<void> {
    if (this.pending.size === 0) return this.sending ?? RESOLVED;
    const chained: Promise<void> = (this.sending ?? RESOLVED)
      .then(() => this.send())
      .finally(() => {
        if (this.sending === chained) this.sending = undefined;
      });
    this.sending = chained;
    return chained;
  }

  /** Stops the timer (the worker is done; flush() first to send what is left). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, FLUSH_MS);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (!this.off && this.pending.size > 0) {
      const batch = this.takeBatch();
      if (batch.logs.length === 0) return;
      try {
        await this.scheduler.addStepLogs({ worker: this.workerId, logs: batch.logs });
      } catch (err) {
        if (err instanceof SchedulerError && err.code === ErrorCode.UNKNOWN_METHOD) {
          this.off = true;
          this.pending.clear();
          this.log.info(
            "the scheduler keeps no step logs (it has no add_step_logs: a Luigi luigid?): step logs stay with this worker",
          );
          return;
        }
        const transient = !(err instanceof SchedulerError) || TRANSIENT.has(err.code);
        const now = Date.now();
        if (now - this.lastWarning >= WARN_EVERY_MS) {
          this.lastWarning = now;
          this.log.warn(
            { err: describeThrown(err).message },
            transient
              ? "sending step logs failed; will retry"
              : "the scheduler refused step logs; they stay with this worker",
          );
        }
        if (!transient) {
          // Refused (bad request, no permission): sending the same pieces again cannot help.
          for (const { capture, total, final } of batch.marks) {
            capture.shipped = Math.max(capture.shipped, total);
            if (final) capture.finalSent = true;
          }
          continue;
        }
        // Retried with the next send: the offsets say what the scheduler has, so nothing is sent twice.
        for (const { capture } of batch.marks) this.pending.add(capture);
        this.arm();
        return;
      }
      for (const { capture, total, final } of batch.marks) {
        capture.shipped = Math.max(capture.shipped, total);
        if (final) capture.finalSent = true;
        if (needsSending(capture)) this.pending.add(capture);
      }
    }
  }

  /** Takes queued captures' unsent pieces, up to MAX_REQUEST_BYTES (at least one capture). */
  private takeBatch(): {
    logs: StepLogChunk[];
    marks: { capture: StepCapture; total: number; final: boolean }[];
  } {
    const logs: StepLogChunk[] = [];
    const marks: { capture: StepCapture; total: number; final: boolean }[] = [];
    let bytes = 0;
    for (const capture of this.pending) {
      if ((bytes >= MAX_REQUEST_BYTES || logs.length >= MAX_REQUEST_PIECES) && marks.length > 0) break;
      this.pending.delete(capture);
      const log = capture.log;
      if (!log || !needsSending(capture)) continue;
      const total = log.total;
      const final = capture.closed;
      const pieces = log.since(capture.shipped);
      const chunk = (offset: number, text: string, last: boolean): StepLogChunk => {
        const piece: StepLogChunk = {
          task_id: capture.step.id,
          attempt: capture.attempt,
          offset,
          text,
          final: final && last,
        };
        // The scheduler bounds its copy as this worker does (StepLogChunk.limit).
        if (offset === 0) piece.limit = log.limit;
        return piece;
      };
      pieces.forEach((p, i) => logs.push(chunk(p.offset, p.text, i === pieces.length - 1)));
      if (pieces.length === 0) logs.push(chunk(total, "", true));
      for (const p of pieces) bytes += p.text.length;
      marks.push({ capture, total, final });
    }
    return { logs, marks };
  }
}

function needsSending(capture: StepCapture): boolean {
  const log = capture.log;
  if (!log) return false;
  return log.total > capture.shipped || (capture.closed && !capture.finalSent);
}
