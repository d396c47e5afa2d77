/**
 * Entry point of the child process that runs one step for a worker with `isolation = process`. It loads
 * the pipeline module, rebuilds the step from its family and parameters, runs it (with its retry policy)
 * and reports back over IPC. The parent enforces the timeout by killing this process.
 */
import { loadStepModule } from "../loader/load-module.js";
import { applyV8Tuning, useV8Tuning } from "../loader/v8-tuning.js";
import { describeThrown, serializeThrown } from "../errors.js";
import { activeConfig, setFamilyFlag } from "../step/context.js";
import { onProgramGroups } from "../step/process-groups.js";
import { stepFromWire } from "../step/rebuild.js";
import { autoloadRangeSteps } from "../tools/range/autoload.js";
import type { ChildMessage, ChildRequest } from "./child-protocol.js";
import { createLogger, type Logger } from "../log/logger.js";
import { InlineExecutor, type RunCapture } from "./execute.js";

/**
 * Under capture, the notes for the run's log (a failed attempt before a retry) are printed on stderr,
 * where the worker reads the rest of the step's output; the step's own code needs no capture here.
 */
const NOTES_ON_STDERR: RunCapture = {
  around: (fn) => fn(),
  note: (text) => void process.stderr.write(text),
};

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

async function runRequest(request: ChildRequest): Promise<void> {
  process.chdir(request.cwd);
  await loadStepModule(request.module, request.cwd);
  // The luigi command's V8 settings, once the module is loaded (loader/v8-tuning.ts says why then).
  applyV8Tuning();
  autoloadRangeSteps(activeConfig());
  for (const [family, params] of Object.entries(request.familyFlags))
    for (const [name, text] of Object.entries(params)) setFamilyFlag(family, name, text);
  const step = stepFromWire(request.family, request.params);
  // The parent kills an external program's group if it must SIGKILL this process (nothing here runs then).
  onProgramGroups((pgid, running) => void send({ type: "program", pgid, running }));
  const abort = new AbortController();
  // The worker was interrupted (or Ctrl-C reached the whole process group): the step is told through
  // this.signal and this process reports how it ended, instead of dying without a word.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => abort.abort(new Error(`interrupted by ${signal}`)));
  }
  let logger: Logger | undefined;
  const outcome = await new InlineExecutor().execute(
    step,
    {
      signal: abort.signal,
      // On stderr, which the worker captures (or shows) as the rest of the step's output.
      get logger(): Logger {
        return (logger ??= createLogger());
      },
      setStatusMessage: (message) => void send({ type: "status", message }),
      setProgressPercentage: (percent) => void send({ type: "progress", percent }),
      setTrackingUrl: (url) => void send({ type: "tracking", url }),
      decreaseRunningResources: (resources) => void send({ type: "decrease", resources }),
    },
    abort,
    0,
    request.captured ? NOTES_ON_STDERR : undefined,
  );
  if (outcome.kind === "done")
    await send({ type: "done", seconds: outcome.seconds, attempts: outcome.attempts });
  else if (outcome.kind === "failed") {
    const { error, ...rest } = outcome;
    await send({ type: "failed", ...rest, error: serializeThrown(error ?? outcome.message) });
  } else {
    await send({
      type: "suspended",
      seconds: outcome.seconds,
      newDeps: outcome.newDeps.map((d) => ({ family: d.family, params: d.wireParams().params })),
    });
  }
}

// A child of `luigi` runs with the command's V8 settings, applied once the module is loaded.
useV8Tuning();
process.once("message", (request: ChildRequest) => {
  runRequest(request)
    .catch(async (err: unknown) => {
      const { message, stack } = describeThrown(err);
      await send({ type: "failed", message, stack, seconds: 0, attempts: 1, error: serializeThrown(err) });
    })
    .finally(() => process.disconnect?.());
});
