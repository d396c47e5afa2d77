/**
 * ExternalProgramStep: a step whose run() is one external program (Luigi's
 * luigi.contrib.external_program.ExternalProgramTask), run locally or, when `remote()` names a host,
 * over SSH (Luigi's luigi.contrib.ssh RemoteContext).
 *
 * What the program prints goes, line by line, to this process's stdout and stderr while the step runs:
 * there the worker's capture records it in the step's log (masked), shown by luigid's visualiser, the
 * step history and `luigi`'s failure tail; a worker with `isolation = process` relays its child's
 * output the same way. The writes are bound to the step's async context, so that with several steps
 * running at once each program's lines land in its own step's log.
 *
 * Where luigi-ts differs from Luigi: output is streamed as it comes rather than logged once the program
 * ended; `environment()` is merged over process.env rather than replacing it; a timeout of its own; the
 * program leads a process group of its own, killed whole on a timeout or a stop (see process-groups.ts);
 * a failure is an ExternalProgramError with a stable code, the exit code or signal, and the stderr tail.
 */
import { spawn } from "node:child_process";
import { AsyncResource } from "node:async_hooks";
import { stat } from "node:fs/promises";
import { ErrorCode, ExternalProgramError, StepDefinitionError } from "../errors.js";
import { killGroup, trackProgramGroup, untrackProgramGroup } from "./process-groups.js";
import {
  REMOTE_PID_MARKER,
  remoteKillCommand,
  checkRemote,
  describeRemote,
  remoteCommand,
  shellQuote,
  sshArgv,
  type RemoteContext,
} from "./ssh.js";
import { Step } from "./step.js";

/** Default of `ExternalProgramStep.killGrace`: seconds between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE = 5;
/** Default of `ExternalProgramStep.stderrTailLines`. */
export const DEFAULT_STDERR_TAIL_LINES = 20;

/** After the program exited, how long its stdout and stderr may take to deliver the rest (ms). */
const DRAIN_MS = 1000;
/** A line without its end is passed on after this long (ms), or this many characters. */
const HOLD_MS = 50;
const HOLD_CHARS = 8192;
/** A stderr line kept for the error message is cut to this many characters. */
const TAIL_LINE_CHARS = 500;
/** Over SSH, how much of stderr's start may come before the remote pid's line. */
const PID_SEARCH_CHARS = 65_536;
/** The argv shown in messages is cut to this many characters. */
const SHOWN_ARGV_CHARS = 400;

/** Names a subclass may not use for parameters: they are this class's members. */
const MEMBERS = [
  "program",
  "environment",
  "workingDirectory",
  "remote",
  "timeout",
  "killGrace",
  "stderrTailLines",
  "trackingUrlPattern",
];

/**
 * A step that runs one external program. Override `program()` to give its argv (the first word is the
 * executable, looked up in PATH; no shell is involved):
 *
 * ```ts
 * class Compress extends ExternalProgramStep.with({ day: param.date() }) {
 *   output() { return new LocalTarget(`data/${this.day}.csv.gz`); }
 *   program() { return ["gzip", "--keep", `data/${this.day}.csv`]; }
 *   override timeout = 600; // seconds
 * }
 * ```
 *
 * Its stdout and stderr go to the step's log line by line. It fails with an ExternalProgramError when
 * the program exits non-zero (code EXTERNAL_PROGRAM_FAILED), is killed by a signal (the same code),
 * outlives `timeout` (EXTERNAL_PROGRAM_TIMEOUT) or cannot be started (EXTERNAL_PROGRAM_NOT_FOUND); the
 * message carries the last `stderrTailLines` lines of its stderr. When the step is stopped (the worker
 * is interrupted, or the step's `workerTimeout` passed), the program is killed.
 */
export abstract class ExternalProgramStep extends Step {
  /** The names Step.with() refuses as parameters of subclasses (this class's members). */
  static override readonly reservedParams: readonly string[] = MEMBERS;

  /**
   * Seconds the program may run before it is killed (SIGTERM to its process group, SIGKILL
   * `killGrace` seconds later) and the step fails. Default null: no limit of its own (the step's
   * `workerTimeout` still applies to the whole run).
   */
  timeout: number | null = null;
  /** Seconds between SIGTERM and SIGKILL when the program is stopped. Default 5. */
  killGrace: number = DEFAULT_KILL_GRACE;
  /** Lines of stderr quoted in the error of a failed run. Default 20. */
  stderrTailLines: number = DEFAULT_STDERR_TAIL_LINES;
  /**
   * Luigi's `tracking_url_pattern`: a line of its output (stdout or stderr) that matches sets the
   * step's tracking URL (shown by the visualiser) to the first group, or the whole match without one:
   * `/Job UI at (https?:\/\/\S+)/`. Default null: none searched.
   */
  trackingUrlPattern: RegExp | null = null;

  /** The argv: the program, then its arguments. May be async. */
  abstract program(): readonly string[] | Promise<readonly string[]>;

  /**
   * Variables set for the program (Luigi's `program_environment`), merged over this process's
   * environment; `undefined` removes one. Over SSH only these are set, on the remote side, over the
   * remote login's environment. Default: none.
   */
  environment():
    Readonly<Record<string, string | undefined>> | Promise<Readonly<Record<string, string | undefined>>> {
    return {};
  }

  /**
   * The directory the program runs in. Default undefined: the worker's working directory (over SSH,
   * the remote user's home directory).
   */
  workingDirectory(): string | undefined | Promise<string | undefined> {
    return undefined;
  }

  /**
   * Where to run the program over SSH: a RemoteContext, or `"host"` / `"user@host"`. Default
   * undefined: locally.
   */
  remote(): RemoteContext | string | undefined | Promise<RemoteContext | string | undefined> {
    return undefined;
  }

  override async run(): Promise<void> {
    const family = this.family;
    const argv = checkArgv(await this.program(), family);
    const env = checkEnv(await this.environment(), family);
    const cwd = await this.workingDirectory();
    if (cwd !== undefined && (typeof cwd !== "string" || cwd === ""))
      throw definitionError(family, "workingDirectory() must return a path or undefined");
    const given = await this.remote();
    const remote = given === undefined ? undefined : checkRemote(given, family);
    const timeout = checkSeconds(this.timeout, "timeout", family, true);
    const killGrace = checkSeconds(this.killGrace, "killGrace", family, false) ?? DEFAULT_KILL_GRACE;
    const tailLines =
      Number.isInteger(this.stderrTailLines) && this.stderrTailLines >= 0 ? this.stderrTailLines : 0;
    const shown = showArgv(argv);
    if (remote) {
      this.logger.info("running on %s: %s", describeRemote(remote), shown);
      await runProgram({
        argv,
        spawnArgv: sshArgv(remote, remoteCommand(argv, env, cwd, family)),
        env: process.env,
        cwd: undefined,
        remote,
        timeout,
        killGrace,
        tailLines,
        signal: this.signal,
        onLines: trackingWatch(this),
      });
    } else {
      this.logger.info("running: %s", shown);
      if (cwd !== undefined) await checkDirectory(cwd, argv);
      await runProgram({
        argv,
        spawnArgv: argv,
        env: mergeEnv(env),
        cwd,
        remote: undefined,
        timeout,
        killGrace,
        tailLines,
        signal: this.signal,
        onLines: trackingWatch(this),
      });
    }
  }
}

/** @internal the line watcher of `trackingUrlPattern`, or undefined. */
function trackingWatch(step: ExternalProgramStep): ((text: string) => void) | undefined {
  const pattern = step.trackingUrlPattern;
  if (pattern === null) return undefined;
  if (!(pattern instanceof RegExp))
    throw definitionError(step.family, "trackingUrlPattern must be a RegExp or null");
  // Without the global and sticky flags: exec() must not carry a position from one line to the next.
  const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
  let last: string | undefined;
  return (text) => {
    for (const line of text.split("\n")) {
      const m = re.exec(line);
      const url = m ? (m[1] ?? m[0]) : undefined;
      if (url !== undefined && url !== "" && url !== last) {
        last = url;
        step.setTrackingUrl(url);
      }
    }
  };
}

interface ProgramRun {
  /** The program's argv (shown in messages). */
  argv: readonly string[];
  /** What is started here: the argv, or ssh and its arguments. */
  spawnArgv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string | undefined;
  remote: RemoteContext | undefined;
  /** Seconds, or null. */
  timeout: number | null;
  killGrace: number;
  tailLines: number;
  signal: AbortSignal;
  /** Sees each piece of output passed on (whole lines, but for a late rest of a line). */
  onLines: ((text: string) => void) | undefined;
}

/** Runs one program to its end; rejects with an ExternalProgramError unless it exited 0. */
function runProgram(run: ProgramRun): Promise<void> {
  const where = run.remote ? ` on ${describeRemote(run.remote)}` : "";
  const shown = showArgv(run.argv);
  const details = (extra: Record<string, unknown>): Record<string, unknown> => ({
    argv: [...run.argv],
    ...(run.remote ? { host: run.remote.host } : {}),
    ...extra,
  });
  if (run.signal.aborted) {
    return Promise.reject(
      new ExternalProgramError(`program${where} not started, the step was stopped: ${shown}`, details({})),
    );
  }
  const [file, ...args] = run.spawnArgv as [string, ...string[]];
  // The step's async context: the worker's capture knows from it whose log a line belongs to.
  const write = AsyncResource.bind((stream: NodeJS.WriteStream, text: string) => void stream.write(text));
  const tail = new LineTail(run.tailLines);
  const out = new LineSplitter((text) => {
    run.onLines?.(text);
    write(process.stdout, text);
  });
  // Over SSH, the first line on stderr is the remote program's pid (see remoteCommand), not its output.
  let remotePid: number | undefined;
  // Looked for until found, in the first PID_SEARCH_CHARS (a login script may print before it).
  let searched = run.remote !== undefined ? 0 : PID_SEARCH_CHARS;
  const marker = new RegExp(`(?:^|\\n)${REMOTE_PID_MARKER} (\\d+)\\n`);
  const err = new LineSplitter((given) => {
    let text = given;
    if (searched < PID_SEARCH_CHARS) {
      searched += text.length;
      const m = marker.exec(text);
      if (m) {
        searched = PID_SEARCH_CHARS;
        remotePid = Number(m[1]);
        const keep = m[0].startsWith("\n") ? 1 : 0;
        text = text.slice(0, m.index + keep) + text.slice(m.index + m[0].length);
      }
      if (text === "") return;
    }
    run.onLines?.(text);
    tail.add(text);
    write(process.stderr, text);
  });

  return new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: run.cwd,
      env: run.env,
      stdio: ["ignore", "pipe", "pipe"],
      // Leader of a group (and session: no controlling terminal) of its own: what it starts dies with it.
      detached: true,
    });
    let pid: number | undefined;
    let stopping: "timeout" | "stopped" | undefined;
    let timer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let exited = false;

    const stop = (why: "timeout" | "stopped"): void => {
      if (exited || stopping !== undefined || pid === undefined) return;
      stopping = why;
      if (run.remote !== undefined && remotePid !== undefined) {
        // Killing ssh here would not stop the program there (no terminal, no SIGHUP): a second
        // connection kills it, and this one ends with it; ssh itself is killed if it outlives the grace.
        stopRemote(run.remote, remotePid, run.killGrace);
        graceTimer = setTimeout(
          () => {
            if (pid !== undefined) killGroup(pid, "SIGTERM");
            graceTimer = setTimeout(() => pid !== undefined && killGroup(pid, "SIGKILL"), 1000);
          },
          run.killGrace * 1000 + 2000,
        );
        return;
      }
      killGroup(pid, "SIGTERM");
      graceTimer = setTimeout(() => {
        if (pid !== undefined) killGroup(pid, "SIGKILL");
      }, run.killGrace * 1000);
    };
    const onAbort = (): void => stop("stopped");

    const ends: Promise<void>[] = [];
    for (const [stream, splitter] of [
      [child.stdout, out],
      [child.stderr, err],
    ] as const) {
      stream.setEncoding("utf8");
      stream.on("data", (text: string) => splitter.write(text));
      ends.push(
        new Promise<void>((done) => {
          stream.once("end", done);
          stream.once("close", done);
          stream.once("error", () => done());
        }),
      );
    }

    child.once("spawn", () => {
      pid = child.pid;
      if (pid === undefined) return;
      trackProgramGroup(pid);
      run.signal.addEventListener("abort", onAbort, { once: true });
      if (run.signal.aborted) stop("stopped");
      if (run.timeout !== null) timer = setTimeout(() => stop("timeout"), run.timeout * 1000);
    });

    child.once("error", (error: NodeJS.ErrnoException) => {
      if (pid !== undefined) return; // a kill that failed; 'exit' still comes
      exited = true;
      out.end();
      err.end();
      reject(notStarted(error, run, shown, details({ errno: error.code })));
    });

    child.once("exit", (code, signal) => {
      exited = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      run.signal.removeEventListener("abort", onAbort);
      if (pid !== undefined) {
        // Stopped: what is left of its group (a child that ignored SIGTERM) goes too.
        if (stopping !== undefined) killGroup(pid, "SIGKILL");
        untrackProgramGroup(pid);
      }
      let drainTimer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((done) => (drainTimer = setTimeout(done, DRAIN_MS)));
      void Promise.race([Promise.all(ends), late]).then(() => {
        clearTimeout(drainTimer);
        child.stdout.destroy();
        child.stderr.destroy();
        out.end();
        err.end();
        if (code === 0 && stopping === undefined) return resolve();
        reject(failure(run, shown, where, code, signal, stopping, tail.lines(), details));
      });
    });
  });
}

/** Kills remote program `pid` through a connection of its own, waited for by nobody. */
function stopRemote(remote: RemoteContext, pid: number, grace: number): void {
  const [file, ...args] = sshArgv(remote, remoteKillCommand(pid, grace)) as [string, ...string[]];
  const killer = spawn(file, args, { stdio: "ignore" });
  killer.once("error", () => undefined);
  killer.unref();
}

/** The error of a program that ran and did not succeed. */
function failure(
  run: ProgramRun,
  shown: string,
  where: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stopping: "timeout" | "stopped" | undefined,
  stderrTail: string[],
  details: (extra: Record<string, unknown>) => Record<string, unknown>,
): ExternalProgramError {
  let what: string;
  let errorCode: ErrorCode = ErrorCode.EXTERNAL_PROGRAM_FAILED;
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
  if (stopping === "timeout") {
    what = `timed out after ${run.timeout} s and was stopped (it ${how})`;
    errorCode = ErrorCode.EXTERNAL_PROGRAM_TIMEOUT;
  } else if (stopping === "stopped") what = `was stopped with its step (it ${how})`;
  else if (run.remote && code === 255)
    what = `failed: ssh exited with code 255 (no connection, a refused login, or the remote program was killed)`;
  else if (run.remote && (code === 127 || code === 126)) {
    what =
      code === 127
        ? "was not found on the host (exit code 127)"
        : "is not executable on the host (exit code 126)";
    errorCode = ErrorCode.EXTERNAL_PROGRAM_NOT_FOUND;
  } else what = how;
  const tailText =
    stderrTail.length === 0
      ? "\n(nothing on stderr)"
      : `\n${stderrTail.length === 1 ? "its last line" : `its last ${stderrTail.length} lines`} on stderr:\n${stderrTail.map((l) => `  ${l}`).join("\n")}`;
  return new ExternalProgramError(
    `program${where} ${what}: ${shown}${tailText}`,
    details({ exitCode: code, signal, timedOut: stopping === "timeout", stderrTail }),
    errorCode,
  );
}

/** The error of a program that could not be started. */
function notStarted(
  error: NodeJS.ErrnoException,
  run: ProgramRun,
  shown: string,
  details: Record<string, unknown>,
): ExternalProgramError {
  const file = run.spawnArgv[0] as string;
  const what = run.remote ? `the ssh client '${file}'` : `program '${file}'`;
  let message: string;
  if (error.code === "ENOENT") {
    message = file.includes("/")
      ? `${what} not found (no such file, or the interpreter its #! line names is missing)`
      : `${what} not found in PATH${run.remote ? " (install OpenSSH's client)" : ""}`;
  } else if (error.code === "EACCES") message = `${what} is not executable (permission denied)`;
  else message = `${what} could not be started: ${error.message}`;
  return new ExternalProgramError(
    run.remote ? `${message}; needed to run '${shown}' on ${describeRemote(run.remote)}` : message,
    details,
    ErrorCode.EXTERNAL_PROGRAM_NOT_FOUND,
    error,
  );
}

/** Splits a stream into whole lines; the rest of a line is passed on when it is late or long. */
class LineSplitter {
  private held = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly emit: (text: string) => void) {}

  write(text: string): void {
    const all = this.held + text;
    const end = all.lastIndexOf("\n") + 1;
    this.held = all.slice(end);
    if (end > 0) this.emit(all.slice(0, end));
    if (this.held.length >= HOLD_CHARS) this.end();
    else if (this.held !== "" && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.end();
      }, HOLD_MS);
    }
  }

  /** Passes on what is held. */
  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rest = this.held;
    this.held = "";
    if (rest !== "") this.emit(rest);
  }
}

/** The last `max` lines of a stream. */
class LineTail {
  private readonly kept: string[] = [];
  private partial = "";

  constructor(private readonly max: number) {}

  add(text: string): void {
    if (this.max === 0) return;
    const parts = (this.partial + text).split("\n");
    this.partial = (parts.pop() as string).slice(0, TAIL_LINE_CHARS * 2);
    for (const line of parts) {
      this.kept.push(cut(line.replace(/\r$/, ""), TAIL_LINE_CHARS));
      if (this.kept.length > this.max) this.kept.shift();
    }
  }

  lines(): string[] {
    if (this.max === 0) return [];
    const lines = this.partial === "" ? [...this.kept] : [...this.kept, cut(this.partial, TAIL_LINE_CHARS)];
    return lines.slice(-this.max);
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The argv as a shell would read it (quoted where needed), cut for messages. */
function showArgv(argv: readonly string[]): string {
  return cut(argv.map(shellQuote).join(" "), SHOWN_ARGV_CHARS);
}

function definitionError(family: string, message: string): StepDefinitionError {
  return new StepDefinitionError(ErrorCode.STEP_DEFINITION, `${family}.${message}`, { details: { family } });
}

function checkArgv(given: unknown, family: string): string[] {
  if (!Array.isArray(given) || given.length === 0)
    throw definitionError(family, "program() must return the argv: a non-empty array of strings");
  const argv = given.map((word: unknown, i) => {
    if (typeof word === "number" || typeof word === "bigint") return String(word);
    if (typeof word !== "string")
      throw definitionError(
        family,
        `program() returned ${word === null ? "null" : typeof word} at index ${i}; each word must be a string`,
      );
    if (word.includes("\u0000")) throw definitionError(family, `program()'s word ${i} contains a NUL byte`);
    return word;
  });
  if (argv[0] === "") throw definitionError(family, "program()'s first word (the executable) is empty");
  return argv;
}

function checkEnv(given: unknown, family: string): Record<string, string | undefined> {
  if (given === null || typeof given !== "object" || Array.isArray(given))
    throw definitionError(family, "environment() must return an object of variable names to strings");
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    if (name === "" || name.includes("=") || name.includes("\u0000"))
      throw definitionError(family, `environment(): '${name}' is not a variable name`);
    if (value !== undefined && typeof value !== "string")
      throw definitionError(
        family,
        `environment(): ${name} must be a string or undefined, not ${typeof value}`,
      );
    env[name] = value;
  }
  return env;
}

function checkSeconds(value: unknown, field: string, family: string, nullable: boolean): number | null {
  if (value === null && nullable) return null;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))
    throw definitionError(
      family,
      `${field} must be a number of seconds above 0${nullable ? ", or null" : ""}`,
    );
  return value;
}

function mergeEnv(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

/** A missing working directory would read as a missing program (spawn says ENOENT for both). */
async function checkDirectory(cwd: string, argv: readonly string[]): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (info?.isDirectory()) return;
  throw new ExternalProgramError(
    `working directory '${cwd}' of program '${showArgv(argv)}' ${info ? "is not a directory" : "does not exist"}`,
    { argv: [...argv], cwd },
    ErrorCode.EXTERNAL_PROGRAM_NOT_FOUND,
  );
}
