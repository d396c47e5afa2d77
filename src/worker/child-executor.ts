import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { reviveThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { familyFlags } from "../step/context.js";
import { stepFromWire } from "../step/rebuild.js";
import type { Step, StepReporter } from "../step/step.js";
import type { ChildMessage, ChildRequest } from "./child-protocol.js";
import type { RunOutcome } from "./execute.js";
import type { ProcessExecutor } from "./process-executor.js";

const entry = fileURLToPath(new URL("./child-entry.js", import.meta.url));

/**
 * Runs each step in its own child process: a crash or a runaway step cannot take the worker down, and a
 * timeout really stops the work (the child is killed). Dynamic dependencies restart run() from the top
 * in this mode, as in Luigi, since the paused generator dies with its process.
 */
export class ChildProcessExecutor implements ProcessExecutor {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly options: { module: string | undefined; cwd: string; logger?: Logger }) {}

  killAll(): void {
    for (const child of this.children) child.kill("SIGKILL");
  }

  execute(
    step: Step,
    reporter: StepReporter,
    abort: AbortController,
    timeoutSeconds: number,
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
      const child = fork(entry, [], {
        cwd: this.options.cwd,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
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
          child.kill("SIGKILL");
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
        resolve(outcome);
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
      };
      child.send(request);
    });
  }
}
