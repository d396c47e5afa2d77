import { destination, pino, type Logger } from "pino";
import pretty from "pino-pretty";

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

/** A pino logger; the pretty form is written synchronously so that nothing is lost at process exit. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = normalizeLevel(options.level);
  const fd = options.fd ?? 2;
  if (options.format === "json") {
    return pino({ level, base: { pid: process.pid } }, options.stream ?? destination({ fd, sync: true }));
  }
  const stream = pretty({
    destination: options.stream ?? fd,
    sync: true,
    colorize: false,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,step",
    // "running Report(day=2026-11-20)" reads better than a JSON tail for the most common field.
    messageFormat: "{msg}{if step} {step}{end}",
    singleLine: true,
  });
  return pino({ level }, stream);
}

/** A logger that drops everything (library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
