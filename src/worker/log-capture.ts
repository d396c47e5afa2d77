/**
 * Capturing what a step prints while it runs. Several steps may run at once in one process, so a write
 * is attributed to the step whose run it comes from by AsyncLocalStorage: the worker enters a capture
 * for each run (runCaptured), and everything the run does, its awaits and timers included, carries it.
 * process.stdout and process.stderr get a tap, installed once and only when a capture starts: a write
 * outside any capture goes straight through; one inside is masked (log-redact.ts), recorded in that
 * run's log, and printed as before (masked).
 *
 * What a step prints after its run ended (an inline step that timed out but never yielded) is printed,
 * masked, and no longer recorded.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { BoundedLog } from "../log/step-log.js";
import type { Step } from "../step/step.js";
import { Redactor, type RedactRules } from "../log/redact.js";

/** What a capture does with the text of a run. */
export interface CaptureTarget {
  /** A chunk the run wrote to stdout or stderr: recorded; returns the text to print. */
  take(text: string): string;
  /** Text for the log only: a retry's error, the failure, a step logger's line. */
  note(text: string): void;
}

const storage = new AsyncLocalStorage<CaptureTarget>();

/** A stream's own write, called with the stream as `this`. */
type RawWrite = (this: NodeJS.WriteStream, ...args: unknown[]) => boolean;
const originals = new Map<NodeJS.WriteStream, RawWrite>();

/** Runs `fn` with its writes (and its notes) going to `target`; `tap` false leaves the streams alone. */
export function runCaptured<T>(target: CaptureTarget, fn: () => T, tap = true): T {
  if (tap) installTaps();
  return storage.run(target, fn);
}

/** Runs `fn` outside any capture: what it writes, and what it schedules, is not recorded. */
export function outsideCapture<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** Adds text to the running step's log, if a capture is on (see CaptureTarget.note). */
export function noteInStepLog(text: string): void {
  storage.getStore()?.note(text);
}

/** Writes to stdout or stderr past the tap (a child process's output, already recorded). */
export function writeUncaptured(stream: NodeJS.WriteStream, text: string): void {
  const write = originals.get(stream);
  if (write) write.call(stream, text);
  else stream.write(text);
}

function installTaps(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (originals.has(stream)) continue;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the stream as `this`
    const original = stream.write as unknown as RawWrite;
    originals.set(stream, original);
    const tapped = function (this: NodeJS.WriteStream, ...args: unknown[]): boolean {
      const target = storage.getStore();
      const call = (): boolean => original.apply(this, args);
      if (target === undefined) return call();
      const [chunk, encoding, callback] = args;
      let text: string;
      if (typeof chunk === "string") {
        // Another encoding (hex, base64...) is not text a person reads: printed, not recorded.
        if (typeof encoding === "string" && !/^utf-?8$/i.test(encoding)) return call();
        text = chunk;
      } else if (chunk instanceof Uint8Array) {
        text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8");
      } else return call();
      const shown = target.take(text);
      const done = typeof encoding === "function" ? encoding : callback;
      return original.call(this, shown, "utf8", done);
    };
    stream.write = tapped;
  }
}

/** The capture settings of a worker. */
export interface CaptureSettings {
  /** Bytes kept per run (head and tail; `[worker] log_tail_bytes`). */
  readonly limit: number;
  readonly rules: RedactRules;
}

/**
 * One run's capture: its log is made at the first byte (a step that prints nothing allocates nothing
 * more than this object), and so is its redactor.
 */
export class StepCapture implements CaptureTarget {
  log: BoundedLog | undefined;
  /** Set when the run ended: nothing more is recorded. */
  closed = false;
  /** Bytes of the log the scheduler has (see log-shipper.ts). */
  shipped = 0;
  /** Whether the scheduler was told the log is complete. */
  finalSent = false;
  private redactor: Redactor | undefined;

  constructor(
    readonly step: Step,
    /** This worker's count of runs of the step, from 1: the scheduler tells attempts apart by it. */
    readonly attempt: number,
    private readonly settings: CaptureSettings,
    /** Called when the log has something new (the shipper queues it). */
    private readonly onData: (capture: StepCapture) => void,
  ) {}

  private get redact(): Redactor {
    return (this.redactor ??= redactorFor(this.step, this.settings.rules));
  }

  mask(text: string): string {
    return this.redact.mask(text);
  }

  take(text: string): string {
    const masked = this.redact.mask(text);
    if (!this.closed) this.record(masked);
    return masked;
  }

  note(text: string): void {
    if (!this.closed) this.record(this.redact.mask(text));
  }

  /** Ends the run's capture; the shipper then sends what is left with `final`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.log) this.onData(this);
  }

  private record(masked: string): void {
    if (masked === "") return;
    (this.log ??= new BoundedLog(this.settings.limit)).append(masked);
    this.onData(this);
  }
}

/**
 * The redactor for a run of `step`: the named environment variables' and parameters' values, its
 * private parameters' values, and the patterns.
 */
export function redactorFor(step: Step, rules: RedactRules, env: NodeJS.ProcessEnv = process.env): Redactor {
  const values: string[] = [];
  for (const name of rules.names) {
    const value = env[name];
    if (value) values.push(value);
  }
  const schema = (step.constructor as typeof Step).schema;
  const wanted = new Set(rules.names);
  for (const [name, kind] of Object.entries(schema)) {
    if (kind.visibility !== "private" && !wanted.has(name)) continue;
    const value = step.params[name];
    if (value === undefined || value === null) continue;
    try {
      values.push(kind.serialize(value));
    } catch {
      if (typeof value === "string") values.push(value);
    }
  }
  return new Redactor(values, rules.patterns);
}
