/**
 * The logger a running step gets as `this.logger`. Each record becomes one line of the step's captured
 * log (the human form, whatever the worker's log format) and, when the worker's own logger takes that
 * level, a record of the worker's log naming the step. Its level is info (debug when the worker logs
 * debug): a terminal that shows only warnings still gets the step's info lines in the captured log.
 */
import type { Logger } from "pino";
import { pino } from "./pino.js";
import { bindingsOf, messageOf, prettyLine, recordOf } from "./logger.js";

/** Where the step's lines go: the worker's capture of this run. */
export interface StepLogSink {
  /** Records a line in the step's log (masking what must be masked). */
  record(line: string): void;
  /** The text with the step's secrets masked. */
  mask(text: string): string;
  /** Runs `fn` outside the step's capture, so that what the worker's logger writes is not captured twice. */
  outside(fn: () => void): void;
}

export function createStepLogger(base: Logger, label: string, sink: StepLogSink): Logger {
  const level = base.isLevelEnabled("debug") ? "debug" : "info";
  return pino({
    level,
    // No pid and hostname: the worker's own records carry those.
    base: undefined,
    hooks: {
      logMethod(args: unknown[], _method, levelNumber: number) {
        const record = Object.assign({}, bindingsOf(this), recordOf(args));
        const message = messageOf(args);
        sink.record(prettyLine(levelNumber, record, message));
        const name = base.levels.labels[levelNumber];
        if (name === undefined || !base.isLevelEnabled(name)) return;
        const masked: Record<string, unknown> = { step: label };
        for (const [key, value] of Object.entries(record))
          masked[key] = typeof value === "string" ? sink.mask(value) : value;
        const forward = (base as unknown as Record<string, (obj: object, msg: string) => void>)[name];
        sink.outside(() => forward?.call(base, masked, sink.mask(message)));
      },
    },
  });
}
