import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { reviveThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { familyFlags } from "../step/context.js";
import { killGroup } from "../step/process-groups.js";
import { stepFromWire } from "../step/rebuild.js";
import type { Step, StepReporter } from "../step/step.js";
import type { ChildMessage, ChildRequest } from "./child-protocol.js";
import type { RunOutcome } from "./execute.js";
import type { CaptureTarget } from "./log-capture.js";
import { OutputRelay } from "./output-relay.js";
import type { ProcessExecutor } from "./process-executor.js";

/** After the child exited, how long its stdout and stderr may take to deliver what is left (ms). */
const DRAIN_MS = 1000;

const entry = fileURLToPath(new URL("./child-entry.js", import.meta.url));

/**
 * Runs each step in its own child process: a crash or a runaway step cannot take the worker down, and a
 * timeout really stops the work (the child is killed). Dynamic dependencies restart run() from the top
 * in this mode, as in Luigi, since the paused generator dies with its process.
 */
export class ChildProcessExecutor implements ProcessExecutor {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly options: { module: string | undefined; cwd: string; logger?: Logger }) {}

  /** The process groups of the external programs each child runs (see src/step/process-groups.ts). */
  private readonly programs = new Map<ChildProcess, Set<number>>();

  killAll(): void {
    for (const child of this.children) this.kill(child);
  }

  /** SIGKILLs a child and the external programs it started, which a SIGKILLed child cannot stop. */
  private kill(child: ChildProcess): void {
    child.kill("SIGKILL");
    this.killPrograms(child);
  }

  private killPrograms(child: ChildProcess): void {
    for (const pgid of this.programs.get(child) ?? []) killGroup(pgid, "SIGKILL");
    this.programs.delete(child);
  }

  execute(
    step: Step,
    reporter: StepReporter,
    abort: AbortController,
    timeoutSeconds: number,
    capture?: CaptureTarget,
  ): Promise<RunOutcome> {
    const module = this.options.module;
    if (!module) {
      const message = "isolation = process needs the steps' module (luigi --module PATH)";
      return Promise.resolve({
        kind: "failed",
        message,
        stack: message,
        timedOut: false,
        seconds: 0,
        attempts: 1,
      });
    }
    const started = performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    return new Promise<RunOutcome>((resolve) => {
      // Captured: the child's output is piped through this process (recorded and printed, masked).
      const child = fork(entry, [], {
        cwd: this.options.cwd,
        stdio: capture ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "inherit", "inherit", "ipc"],
      });
      const drained = capture ? relay(child, capture) : Promise.resolve();
      this.children.add(child);
      let outcome: RunOutcome | undefined;
      let timer: NodeJS.Timeout | undefined;
      // The worker was interrupted: the child aborts its step's signal on SIGTERM and reports how it ended.
      const onAbort = (): void => {
        if (outcome === undefined) child.kill("SIGTERM");
      };
      abort.signal.addEventListener("abort", onAbort, { once: true });
      if (timeoutSeconds > 0) {
        timer = setTimeout(() => {
          const message = `${step.toString()} timed out after ${timeoutSeconds} seconds`;
          outcome = {
            kind: "failed",
            message,
            stack: message,
            timedOut: true,
            seconds: elapsed(),
            attempts: 1,
          };
          abort.abort();
          this.kill(child);
        }, timeoutSeconds * 1000);
      }
      child.on("message", (message: ChildMessage) => {
        switch (message.type) {
          case "status":
            return reporter.setStatusMessage(message.message);
          case "progress":
            return reporter.setProgressPercentage(message.percent);
          case "tracking":
            return reporter.setTrackingUrl(message.url);
          case "decrease":
            return reporter.decreaseRunningResources(message.resources);
          case "program": {
            let groups = this.programs.get(child);
            if (!groups) this.programs.set(child, (groups = new Set()));
            if (message.running) groups.add(message.pgid);
            else groups.delete(message.pgid);
            return;
          }
          case "done":
            outcome ??= {
              kind: "done",
              expl: undefined,
              seconds: message.seconds,
              attempts: message.attempts,
            };
            return;
          case "failed":
            outcome ??= {
              kind: "failed",
              message: message.message,
              stack: message.stack,
              timedOut: false,
              seconds: message.seconds,
              attempts: message.attempts,
              ...(message.error ? { error: reviveThrown(message.error) } : {}),
            };
            return;
          case "suspended":
            outcome ??= {
              kind: "suspended",
              seconds: message.seconds,
              newDeps: message.newDeps.map((d) => stepFromWire(d.family, d.params)),
            };
            return;
        }
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        this.children.delete(child);
        // A child that died (a crash, a kill from outside) leaves no program running.
        this.killPrograms(child);
        abort.signal.removeEventListener("abort", onAbort);
        if (!outcome) {
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          const message = `${step.toString()} died unexpectedly with ${how}`;
          outcome = {
            kind: "failed",
            message,
            stack: message,
            timedOut: false,
            seconds: elapsed(),
            attempts: 1,
          };
        }
        const ended = outcome;
        // What the child printed last is in the log before the run's outcome is reported.
        void drained.then(() => resolve(ended));
      });
      child.on("error", (err) => this.options.logger?.error({ err: err.message }, "child process error"));
      const request: ChildRequest = {
        type: "run",
        module,
        cwd: this.options.cwd,
        family: step.family,
        stepId: step.id,
        params: step.wireParams().params,
        familyFlags: familyFlags(),
        captured: capture !== undefined,
      };
      child.send(request);
    });
  }
}

/**
 * Relays the child's stdout and stderr through the capture; resolves once both ended after the child
 * exited, or DRAIN_MS after it exited (a grandchild may hold the pipes open for ever).
 */
function relay(child: ChildProcess, capture: CaptureTarget): Promise<void> {
  const ends: Promise<void>[] = [];
  const relays: OutputRelay[] = [];
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!stream) continue;
    const relay = new OutputRelay(capture, out);
    relays.push(relay);
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => relay.write(text));
    ends.push(
      new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("error", () => resolve());
        stream.once("close", resolve);
      }).then(() => relay.end()),
    );
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return exited.then(async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)));
    await Promise.race([Promise.all(ends), late]);
    clearTimeout(timer);
    for (const r of relays) r.end();
    child.stdout?.destroy();
    child.stderr?.destroy();
  });
}
