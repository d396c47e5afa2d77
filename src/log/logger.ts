import type { Logger } from "pino";
import { destination, pino, symbols } from "./pino.js";
import { writeSync } from "node:fs";
import { format } from "node:util";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** "pretty" (default): one human-readable line per record; "json": pino's JSON lines. */
  format?: "pretty" | "json";
  /** Default "info". Accepts Luigi's names too (DEBUG, INFO, WARNING, ERROR, CRITICAL). */
  level?: string;
  /** File descriptor to write to; default 2 (stderr), so stdout stays free for the summary. */
  fd?: number;
  /** A stream to write to instead of `fd` (the live progress display routes log lines through one). */
  stream?: NodeJS.WritableStream;
}

const levelAliases: Record<string, string> = {
  debug: "debug",
  info: "info",
  warning: "warn",
  warn: "warn",
  error: "error",
  critical: "fatal",
  fatal: "fatal",
  trace: "trace",
  silent: "silent",
};

export function normalizeLevel(level: string | undefined): string {
  return levelAliases[(level ?? "info").toLowerCase()] ?? "info";
}

/**
 * A stream's own way to take a whole line of text at once, past its Writable machinery (see
 * uncapturedStream in src/worker/log-capture.ts): the pretty logger calls it instead of `write()`.
 */
export const writeLine: unique symbol = Symbol("luigi-ts.writeLine");

/** A stream that may offer `writeLine`. */
type LineStream = NodeJS.WritableStream & { [writeLine]?: (line: string) => void };

/** A pino logger; the pretty form is written synchronously so that nothing is lost at process exit. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = normalizeLevel(options.level);
  const fd = options.fd ?? 2;
  if (options.format === "json") {
    return pino({ level, base: { pid: process.pid } }, options.stream ?? destination({ fd, sync: true }));
  }
  const stream: LineStream | undefined = options.stream;
  const direct = stream?.[writeLine];
  const write =
    direct ?? (stream ? (line: string) => void stream.write(line) : (line: string) => writeSync(fd, line));
  // The human form is made straight from the call's arguments: pino would serialise each record to
  // JSON and a pretty-printer parse it back, which cost a worker running trivial steps as much CPU as
  // the steps themselves (two lines per step).
  return pino({
    level,
    hooks: {
      logMethod(args: unknown[], _method, levelNumber: number) {
        // Object.assign, not two spreads (the slow path of docs/architecture.md, twice per step).
        write(prettyLine(levelNumber, Object.assign({}, bindingsOf(this), recordOf(args)), messageOf(args)));
      },
    },
  });
}

/** Each logger's bindings as last parsed, with the text they were parsed from. */
const parsedBindings = new WeakMap<Logger, { from: unknown; bindings: Record<string, unknown> }>();

/**
 * `logger.bindings()`, parsed once per logger (and again only after setBindings): pino's own parses
 * them from their JSON text on every call, which cost a worker running trivial steps about 3% of its CPU
 * (two records per step). The object returned is shared: copy it, do not change it.
 */
export function bindingsOf(logger: Logger): Record<string, unknown> {
  const from = (logger as unknown as Record<symbol, unknown>)[symbols.chindingsSym];
  const parsed = parsedBindings.get(logger);
  if (parsed !== undefined && parsed.from === from) return parsed.bindings;
  const bindings = logger.bindings();
  parsedBindings.set(logger, { from, bindings });
  return bindings;
}

const LEVEL_LABELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** The fields of a log call (`log.info({ a: 1 }, "...")`), or none. */
export function recordOf(args: unknown[]): Record<string, unknown> {
  const first = args[0];
  if (first instanceof Error) return { err: first.message };
  return typeof first === "object" && first !== null ? (first as Record<string, unknown>) : {};
}

/** The message of a log call, printf-style arguments applied. */
export function messageOf(args: unknown[]): string {
  const first = args[0];
  const rest = typeof first === "object" && first !== null ? args.slice(1) : args;
  if (rest.length === 0) return first instanceof Error ? first.message : "";
  return format(...rest);
}

/**
 * `[14:03:07] INFO: running Report(day=2026-11-20) {"seconds":0.2}`: local time, level, message, the
 * step it is about, then any other fields as JSON (pid and hostname left out, as before). A `stack`
 * field (a failing step's error) follows on its own lines, indented, as a person reads a stack trace.
 */
export function prettyLine(levelNumber: number, record: Record<string, unknown>, message: string): string {
  const { step, pid: _pid, hostname: _host, stack, ...rest } = record;
  let line = `[${localTime()}] ${LEVEL_LABELS[levelNumber] ?? `LEVEL${levelNumber}`}: ${message}`;
  if (step !== undefined) line += ` ${typeof step === "string" ? step : JSON.stringify(step)}`;
  if (stack !== undefined && typeof stack !== "string") rest.stack = stack;
  if (Object.keys(rest).length > 0) line += ` ${safeJson(rest)}`;
  if (typeof stack === "string") line += `\n${stack.replace(/^/gm, "  ")}`;
  return `${line}\n`;
}

/** The last second formatted, and the one it is: a worker logs many lines a second. */
let shownSecond = -1;
let shownTime = "";

/** The local time, hh:mm:ss. */
function localTime(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== shownSecond) {
    const now = new Date(ms);
    shownTime = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
    shownSecond = second;
  }
  return shownTime;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function safeJson(value: Record<string, unknown>): string {
  try {
    // The replacer (an Error shows as its message, at any depth) only where some field is an object: a
    // replacer is a call back into JavaScript per field, and most records hold numbers and strings.
    for (const name in value) {
      const field = value[name];
      if (typeof field === "object" && field !== null) {
        return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? v.message : v));
      }
    }
    return JSON.stringify(value);
  } catch {
    return "[unserialisable]";
  }
}

/** A logger that drops everything (library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
