/**
 * Capturing what a step prints while it runs. process.stdout and process.stderr get a tap, installed
 * once and only when a capture starts: a write outside any capture goes straight through; one inside
 * is masked (src/log/redact.ts), recorded in that run's log, and printed as before (masked).
 *
 * Which run a write comes from: when several steps may run at once in one process, AsyncLocalStorage
 * tells, since everything a step's code does, its awaits and timers included, carries the capture it was
 * started in. An AsyncLocalStorage in use makes every promise the process creates carry it, though
 * (which cost a worker running trivial steps a tenth of its throughput): so it is on only while some
 * step's own code runs under it (not the worker's calls around it), and one run at a time goes without
 * it. That run is the "sole" one: every write that carries no capture is its own, since the other runs'
 * writes carry theirs. With one worker in the process (the usual `luigi` run, whatever its --workers),
 * the first run takes the sole place whenever it is free, so a worker whose steps seldom overlap seldom
 * turns the storage on. What a step prints after its run ended (an inline step that timed out but never
 * yielded) is printed, masked, and no longer recorded; output that carries no capture (work a step left
 * running in the background, or a requirement's complete() the worker calls meanwhile) may be recorded
 * in the sole run's log.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { writeSync } from "node:fs";
import { Writable } from "node:stream";
import { format } from "node:util";
import { writeLine } from "../log/logger.js";
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

/** Captures going on under the storage; it is disabled whenever none is. */
let stored = 0;
/** The capture of a run started alone (see runCaptured): it takes the writes no stored capture claims. */
let sole: CaptureTarget | undefined;
/** Inside outsideCapture(): nothing is recorded. */
let outside = 0;
/** Workers capturing in this process now (see workerCapturing). */
let workers = 0;

/** The capture a write made now belongs to, if any. */
function current(): CaptureTarget | undefined {
  return outside > 0 ? undefined : (storage.getStore() ?? sole);
}

/**
 * Counts a capturing worker while it runs (the returned function ends it): a run may go without the
 * storage only while one worker is all there is (another worker's calls into step code carry no
 * capture, and would land in the sole run's log).
 */
export function workerCapturing(): () => void {
  workers++;
  let ended = false;
  return () => {
    if (!ended) workers--;
    ended = true;
  };
}

/** Whether a worker's next run may take the sole place (see runCaptured). */
export function mayRunAlone(): boolean {
  return workers <= 1;
}

/**
 * Runs `fn` (a step's own code) with its writes going to `target`. `alone`: no other worker is in the
 * process (mayRunAlone); the run then goes without the storage when no other run holds the sole place.
 */
export async function runCaptured<T>(
  target: CaptureTarget,
  fn: () => Promise<T>,
  options: { alone?: boolean } = {},
): Promise<T> {
  installTaps();
  if (options.alone === true && sole === undefined) {
    sole = target;
    try {
      return await fn();
    } finally {
      sole = undefined;
    }
  }
  stored++;
  try {
    return await storage.run(target, fn);
  } finally {
    // Off while nothing is captured under it: promises made meanwhile (the worker's own calls, the sole
    // run's) cost nothing.
    if (--stored === 0) storage.disable();
  }
}

/** Runs `fn` outside any capture: what it writes (and, with the storage, what it schedules) is not recorded. */
export function outsideCapture<T>(fn: () => T): T {
  outside++;
  try {
    return storage.exit(fn);
  } finally {
    outside--;
  }
}

/** Writes to stdout or stderr past the tap (a child process's output, already recorded). */
export function writeUncaptured(stream: NodeJS.WriteStream, text: string): void {
  const write = originals.get(stream);
  if (write) write.call(stream, text);
  else stream.write(text);
}

/**
 * A stream that writes to `out` past the tap: what the worker itself prints there (its log lines, the
 * progress line) is never part of a step's log, however it was scheduled. The pretty logger hands it
 * whole lines through `writeLine`, past both streams' machinery: a line cost about 4.8 µs through them
 * against 3.4 (two per step). When `out` is the process's stdout or stderr redirected to a file (Node's
 * SyncWriteStream, which writes each chunk with writeSync as it comes), the line goes to the file
 * descriptor at once, as that stream would write it, so the order with everything else written there
 * is kept.
 */
export function uncapturedStream(out: NodeJS.WritableStream & { columns?: number }): Writable & {
  columns?: number;
} {
  const toFile = toFileDescriptor(out);
  const writeText = (text: string): void => {
    if (toFile !== undefined) {
      writeSync(toFile, text);
      return;
    }
    const write = originals.get(out as NodeJS.WriteStream);
    if (write) write.call(out as NodeJS.WriteStream, text);
    else out.write(text);
  };
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      writeText(chunk.toString());
      done();
    },
  });
  Object.defineProperty(stream, "columns", { get: () => out.columns });
  Object.defineProperty(stream, writeLine, { value: writeText });
  return stream;
}

/**
 * The file descriptor of process.stdout or process.stderr when it is a file (Node's SyncWriteStream,
 * `_type` "fs": each write is a writeSync of the descriptor, nothing is queued); otherwise undefined.
 */
function toFileDescriptor(out: NodeJS.WritableStream): number | undefined {
  if (out !== process.stdout && out !== process.stderr) return undefined;
  const stdio = out as NodeJS.WritableStream & { _type?: unknown; fd?: unknown };
  return stdio._type === "fs" && typeof stdio.fd === "number" ? stdio.fd : undefined;
}

/** The console methods tapped (the others reach the stream taps: console.dir, table, trace...). */
const CONSOLE_METHODS = ["log", "info", "debug", "warn", "error"] as const;
let consoleTapped = false;

/**
 * The console's methods are tapped as well as the streams: a console need not write to
 * process.stdout (a test runner's does not), and one that does writes under `outside`, so that its
 * text is recorded once. What is printed is the masked text.
 */
function tapConsole(): void {
  if (consoleTapped) return;
  consoleTapped = true;
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const name of CONSOLE_METHODS) {
    const original = target[name];
    if (typeof original !== "function") continue;
    target[name] = function (this: unknown, ...args: unknown[]): void {
      const capture = current();
      if (capture === undefined) return original.apply(this, args);
      const shown = capture.take(`${format(...args)}\n`);
      outside++;
      try {
        original.call(this, "%s", shown.endsWith("\n") ? shown.slice(0, -1) : shown);
      } finally {
        outside--;
      }
    };
  }
}

function installTaps(): void {
  tapConsole();
  for (const stream of [process.stdout, process.stderr]) {
    if (originals.has(stream)) continue;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the stream as `this`
    const original = stream.write as unknown as RawWrite;
    originals.set(stream, original);
    const tapped = function (this: NodeJS.WriteStream, ...args: unknown[]): boolean {
      const target = current();
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
