/**
 * The error hierarchy of luigi-ts. Every error carries a stable `code` that survives the wire
 * (worker -> scheduler -> UI): `toJSON()` gives a plain object and `LuigiError.fromJSON()` rebuilds the
 * right subclass from it. Codes never change meaning once published; messages may be reworded.
 */

/** Stable error codes. Add new ones at the end of a group; never reuse or rename one. */
export const ErrorCode = {
  // parameters and step construction
  PARAMETER_MISSING: "PARAMETER_MISSING",
  PARAMETER_INVALID: "PARAMETER_INVALID",
  PARAMETER_UNKNOWN: "PARAMETER_UNKNOWN",
  PARAMETER_DUPLICATE: "PARAMETER_DUPLICATE",
  TOO_MANY_POSITIONALS: "TOO_MANY_POSITIONALS",
  STEP_NOT_FOUND: "STEP_NOT_FOUND",
  STEP_AMBIGUOUS: "STEP_AMBIGUOUS",
  STEP_DEFINITION: "STEP_DEFINITION",
  // configuration
  CONFIG_INVALID: "CONFIG_INVALID",
  // targets
  TARGET_NOT_FOUND: "TARGET_NOT_FOUND",
  TARGET_IO: "TARGET_IO",
  /** Something is already at the destination of a rename that must not replace it (Luigi's FileAlreadyExists). */
  TARGET_EXISTS: "TARGET_EXISTS",
  /** A parent directory is missing where it is not to be created (Luigi's MissingParentDirectory). */
  TARGET_PARENT_MISSING: "TARGET_PARENT_MISSING",
  /** A path that must be a directory is a file (Luigi's NotADirectory). */
  TARGET_NOT_A_DIRECTORY: "TARGET_NOT_A_DIRECTORY",
  /** A target's path or URL is malformed (an S3 target's path that is not s3://bucket/key). */
  TARGET_PATH_INVALID: "TARGET_PATH_INVALID",
  // running steps
  STEP_FAILED: "STEP_FAILED",
  NON_RETRYABLE: "NON_RETRYABLE",
  STEP_TIMEOUT: "STEP_TIMEOUT",
  PROCESS_FAILURE: "PROCESS_FAILURE",
  UNFULFILLED_DEPENDENCY: "UNFULFILLED_DEPENDENCY",
  SCHEDULING_ERROR: "SCHEDULING_ERROR",
  // command line and process lock
  USAGE: "USAGE",
  ALREADY_RUNNING: "ALREADY_RUNNING",
  MODULE_LOAD: "MODULE_LOAD",
  // scheduler protocol
  BAD_REQUEST: "BAD_REQUEST",
  UNKNOWN_METHOD: "UNKNOWN_METHOD",
  RPC_FAILED: "RPC_FAILED",
  INTERNAL: "INTERNAL",
  /** Nothing listens at the scheduler's address, and it has not answered since this process started. */
  SCHEDULER_UNREACHABLE: "SCHEDULER_UNREACHABLE",
  /** The scheduler's TLS certificate is not trusted, or one side speaks TLS and the other does not. */
  SCHEDULER_TLS: "SCHEDULER_TLS",
  /** A state-changing request from another site's page (its Origin or Sec-Fetch-Site), refused. */
  CROSS_SITE_REFUSED: "CROSS_SITE_REFUSED",
  /**
   * A state change sent to a standby luigid (503): several luigids share one `state_url` and another is
   * active; `details.active` (the body's `active`) is its advertised URL when known.
   */
  STANDBY: "STANDBY",
  // step history
  HISTORY_UNAVAILABLE: "HISTORY_UNAVAILABLE",
  HISTORY_DISABLED: "HISTORY_DISABLED",
  HISTORY_NOT_FOUND: "HISTORY_NOT_FOUND",
  // access control (luigid with [auth])
  /** No credentials (401): send basic auth, a bearer token or a session cookie. */
  AUTH_REQUIRED: "AUTH_REQUIRED",
  /** Credentials that do not match (401): the same answer for an unknown user and a wrong password. */
  AUTH_FAILED: "AUTH_FAILED",
  /** Too many failed logins for this user from this address (429); Retry-After says when to try again. */
  AUTH_THROTTLED: "AUTH_THROTTLED",
  /** The caller's role lacks the method (403); `details.role` names the role needed. */
  FORBIDDEN: "FORBIDDEN",
  /** A state change over a session cookie without the session's CSRF token (403). */
  CSRF_TOKEN: "CSRF_TOKEN",
  // optional packages
  /** A sub-path (`luigi-ts/postgres`, ...) needs a client library that is not installed; the message names it. */
  PACKAGE_MISSING: "PACKAGE_MISSING",
  // external programs (ExternalProgramStep)
  /** The program exited non-zero or was killed by a signal; `details` has the argv, exit code or signal. */
  EXTERNAL_PROGRAM_FAILED: "EXTERNAL_PROGRAM_FAILED",
  /** The program could not be started: not found, not executable, or its working directory is missing. */
  EXTERNAL_PROGRAM_NOT_FOUND: "EXTERNAL_PROGRAM_NOT_FOUND",
  /** The program ran longer than the step's `timeout` and was killed (its process group with it). */
  EXTERNAL_PROGRAM_TIMEOUT: "EXTERNAL_PROGRAM_TIMEOUT",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The serialised form of a LuigiError, as it travels in JSON. */
export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  stack?: string;
}

export class LuigiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details ?? {};
  }

  toJSON(): SerializedError {
    const out: SerializedError = { name: this.name, code: this.code, message: this.message };
    if (Object.keys(this.details).length > 0) out.details = this.details;
    if (this.stack !== undefined) out.stack = this.stack;
    return out;
  }

  /** Rebuilds an error received over the wire; unknown names become a plain LuigiError with the same code. */
  static fromJSON(data: SerializedError): LuigiError {
    const ctor = errorClasses.get(data.name);
    const err = ctor
      ? ctor.revive(data)
      : new LuigiError(data.code, data.message, { details: data.details ?? {} });
    if (data.stack !== undefined) err.stack = data.stack;
    return err;
  }

  /** Used by fromJSON: subclasses with extra constructor arguments override it. */
  static revive(data: SerializedError): LuigiError {
    return new LuigiError(data.code, data.message, { details: data.details ?? {} });
  }
}

/** A parameter could not be resolved or parsed. `details.param` names it, `details.family` its step. */
export class ParameterError extends LuigiError {
  static override revive(data: SerializedError): LuigiError {
    return new ParameterError(data.code, data.message, { details: data.details ?? {} });
  }
}

/** A step family name could not be resolved, or a step class is malformed. */
export class StepDefinitionError extends LuigiError {
  static override revive(data: SerializedError): LuigiError {
    return new StepDefinitionError(data.code, data.message, { details: data.details ?? {} });
  }
}

/** A configuration file or value is malformed. `details.file`, `details.section`, `details.key` locate it. */
export class ConfigError extends LuigiError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(ErrorCode.CONFIG_INVALID, message, { details, cause });
  }
  static override revive(data: SerializedError): LuigiError {
    return new ConfigError(data.message, data.details ?? {});
  }
}

/** A target could not be read or written. */
export class TargetError extends LuigiError {
  static override revive(data: SerializedError): LuigiError {
    return new TargetError(data.code, data.message, { details: data.details ?? {} });
  }
}

/**
 * Thrown from `run()` to say that retrying cannot help (bad input data, a permanent refusal): the worker
 * skips the step's retry policy and reports the failure at once.
 */
export class NonRetryableError extends LuigiError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(ErrorCode.NON_RETRYABLE, message, options);
  }
  static override revive(data: SerializedError): LuigiError {
    return new NonRetryableError(data.message, { details: data.details ?? {} });
  }
}

/** A step ran longer than its `workerTimeout`. */
export class StepTimeoutError extends LuigiError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.STEP_TIMEOUT, message, { details });
  }
  static override revive(data: SerializedError): LuigiError {
    return new StepTimeoutError(data.message, data.details ?? {});
  }
}

/** Bad command-line usage: exit code 2, nothing run. */
export class UsageError extends LuigiError {
  constructor(message: string, details: Record<string, unknown> = {}, code: ErrorCode = ErrorCode.USAGE) {
    super(code, message, { details });
  }
  static override revive(data: SerializedError): LuigiError {
    return new UsageError(data.message, data.details ?? {}, data.code);
  }
}

/** A call to the scheduler failed (bad request, unknown method, transport failure after retries). */
export class SchedulerError extends LuigiError {
  static override revive(data: SerializedError): LuigiError {
    return new SchedulerError(data.code, data.message, { details: data.details ?? {} });
  }
}

/** The step history's database could not be reached or migrated, or a history page has nothing to show. */
export class HistoryError extends LuigiError {
  constructor(
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
    code: ErrorCode = ErrorCode.HISTORY_UNAVAILABLE,
  ) {
    super(code, message, options);
  }
  static override revive(data: SerializedError): LuigiError {
    return new HistoryError(data.message, { details: data.details ?? {} }, data.code);
  }
}

/**
 * An external program (ExternalProgramStep) failed: it exited non-zero, was killed (by a signal, or by
 * the step's timeout), or could not be started. `details`: `argv`, `exitCode` (null when killed),
 * `signal`, `host` (over SSH), `stderrTail` (its last lines of stderr, also in the message).
 */
export class ExternalProgramError extends LuigiError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    code: ErrorCode = ErrorCode.EXTERNAL_PROGRAM_FAILED,
    cause?: unknown,
  ) {
    super(code, message, { details, cause });
  }
  /** The program's exit code; null when it was killed by a signal or never started. */
  get exitCode(): number | null {
    return typeof this.details.exitCode === "number" ? this.details.exitCode : null;
  }
  /** The signal that killed it (`SIGTERM`, ...), or null. */
  get signal(): string | null {
    return typeof this.details.signal === "string" ? this.details.signal : null;
  }
  /** The argv run (on the remote host for a step over SSH). */
  get argv(): string[] {
    return Array.isArray(this.details.argv) ? this.details.argv.map(String) : [];
  }
  static override revive(data: SerializedError): LuigiError {
    return new ExternalProgramError(data.message, data.details ?? {}, data.code);
  }
}

const errorClasses = new Map<string, { revive(data: SerializedError): LuigiError }>([
  ["LuigiError", LuigiError],
  ["ParameterError", ParameterError],
  ["StepDefinitionError", StepDefinitionError],
  ["ConfigError", ConfigError],
  ["TargetError", TargetError],
  ["NonRetryableError", NonRetryableError],
  ["StepTimeoutError", StepTimeoutError],
  ["UsageError", UsageError],
  ["SchedulerError", SchedulerError],
  ["HistoryError", HistoryError],
  ["ExternalProgramError", ExternalProgramError],
]);

/**
 * Anything thrown, as JSON that crosses a process boundary (a step run in a child process): a LuigiError
 * keeps its class and code; any other error its name, message and stack, with the code STEP_FAILED.
 */
export function serializeThrown(thrown: unknown): SerializedError {
  if (thrown instanceof LuigiError) return thrown.toJSON();
  const { message, stack } = describeThrown(thrown);
  const name = thrown instanceof Error ? thrown.name : "Error";
  return { name, code: ErrorCode.STEP_FAILED, message, stack };
}

/** The inverse of serializeThrown: luigi-ts's classes come back as themselves, others as an Error of that name. */
export function reviveThrown(data: SerializedError): Error {
  if (errorClasses.has(data.name)) return LuigiError.fromJSON(data);
  const err = new Error(data.message);
  err.name = data.name;
  if (data.stack !== undefined) err.stack = data.stack;
  return err;
}

/** Turns anything thrown into a message and a stack, for reports and logs. */
export function describeThrown(thrown: unknown): { message: string; stack: string; code?: ErrorCode } {
  if (thrown instanceof LuigiError) {
    return { message: thrown.message, stack: thrown.stack ?? thrown.message, code: thrown.code };
  }
  if (thrown instanceof Error) return { message: thrown.message, stack: thrown.stack ?? thrown.message };
  const text = typeof thrown === "string" ? thrown : (JSON.stringify(thrown) ?? String(thrown));
  return { message: text, stack: text };
}
