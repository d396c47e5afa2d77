import { Writable } from "node:stream";
import { describeThrown, ErrorCode, LuigiError, SchedulerError, UsageError } from "../errors.js";
import {
  coreConfig,
  DEFAULT_RETCODES,
  executionSummaryConfig,
  retcodeConfig,
  schedulerConfig,
  workerConfig,
} from "../config/index.js";
import { createLogger } from "../log/logger.js";
import { createNotifier, runEndNotice, type Notifier } from "../notify/index.js";
import type { SchedulerApi } from "../scheduler/api.js";
import { LocalScheduler } from "../scheduler/local.js";
import { RemoteScheduler } from "../rpc/client.js";
import { activeConfig } from "../step/context.js";
import { allRegisteredClasses, lookupFamily } from "../step/registry.js";
import type { Step } from "../step/step.js";
import { summarize } from "../worker/summary.js";
import { Worker } from "../worker/worker.js";
import { ChildProcessExecutor } from "../worker/child-executor.js";
import { uncapturedStream } from "../worker/log-capture.js";
import { installFlags, isUsageError, rootStep } from "./command-line.js";
import { unknownConfigEntries } from "./config-check.js";
import { helpText, parseCommandLine, prescan } from "./flags.js";
import { loadStepModule } from "../loader/load-module.js";
import { applyV8Tuning } from "../loader/v8-tuning.js";
import { acquireProcessLock } from "./lock.js";
import { ProgressLine } from "./progress.js";
import { installStopSignals, SIGNAL_EXIT } from "./signals.js";
import { autoloadRangeSteps } from "../tools/range/autoload.js";
import { packageVersion } from "./version.js";

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** Exit code for bad usage (unknown flag, malformed or missing parameter): nothing was run. */
export const USAGE_EXIT = 2;

/** `luigi [--module M] Family [--param v ...]`: returns the exit code. */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let unhandledCode = DEFAULT_RETCODES.unhandledException;
  let unreachableCode = DEFAULT_RETCODES.schedulerUnreachable;
  let notifier: Notifier | undefined;
  try {
    const pre = prescan(argv);
    if (pre.version) {
      io.stdout.write(`luigi (luigi-ts) ${packageVersion()}\n`);
      return 0;
    }
    if (pre.module) await loadStepModule(pre.module);
    const config = activeConfig();
    autoloadRangeSteps(config);
    ({ unhandledException: unhandledCode, schedulerUnreachable: unreachableCode } = retcodeConfig(config));
    const rootClass = pre.family ? (lookupFamily(pre.family) as typeof Step) : undefined;
    const families = allRegisteredClasses() as (typeof Step)[];
    const parsed = parseCommandLine(argv, rootClass, families);
    if (parsed.core.help === "true" || parsed.core.help_all === "true") {
      io.stdout.write(helpText(rootClass, families, parsed.core.help_all === "true") + "\n");
      return 0;
    }
    const assistantOnly = parsed.core.assistant === "true" && !parsed.family;
    if ((!parsed.family || !rootClass) && !assistantOnly) {
      throw new UsageError(
        "no step family given: luigi [--module MODULE] FAMILY [--param value ...] (see --help)",
      );
    }
    installFlags(config, parsed);
    const core = coreConfig(config);
    const workerSettings = workerConfig(config);
    const retcodes = retcodeConfig(config);
    // An assistant may have no step of its own: it runs whatever pending step it can load.
    const roots: Step[] = [];
    if (rootClass) roots.push(rootStep(rootClass, parsed));

    if (!core.noLock) {
      const lock = acquireProcessLock({
        dir: core.lockPidDir,
        lockSize: core.lockSize,
        takeLock: core.takeLock,
      });
      if (!lock.acquired) {
        io.stderr.write(
          `luigi: Pid(s) ${lock.holders.join(", ")} already running the same command (${lock.pidFile})\n`,
        );
        return retcodes.alreadyRunning;
      }
    }

    // The progress line and the worker's log lines are never part of a step's captured log.
    const progress =
      io.stderr.isTTY && core.logFormat !== "json"
        ? new ProgressLine(uncapturedStream(io.stderr))
        : undefined;
    const logStream = progress
      ? new Writable({
          write(chunk: Buffer | string, _enc, done) {
            progress.writeAbove(chunk.toString());
            done();
          },
        })
      : uncapturedStream(io.stderr);
    const explicitLevel =
      parsed.core.log_level !== undefined || config.get("core", "log_level") !== undefined;
    const logger = createLogger({
      format: core.logFormat,
      // On a terminal the progress line tells what happens; only warnings and errors are logged there.
      level: explicitLevel ? core.logLevel : progress ? "warn" : "info",
      stream: logStream,
    });
    // Before the warnings: reading [email] and [smtp] may add deprecation notices.
    notifier = createNotifier(config, {
      logger,
      stdoutIsTty: io.stdout.isTTY === true,
      commandLine: ["luigi", ...argv],
    });
    for (const warning of config.warnings) logger.warn(warning);

    let scheduler: SchedulerApi;
    if (core.localScheduler) {
      // Nobody can ask an in-process scheduler for a step's log: it keeps none (the summary shows them).
      scheduler = new LocalScheduler({
        options: { ...schedulerConfig(config), pruneOnGetWork: true, stepLogMemory: 0 },
      });
    } else {
      scheduler = RemoteScheduler.fromConfig(core, logger);
    }
    // Steps run in child processes under isolation "process", and under "auto" those with a timeout.
    const processExecutor =
      workerSettings.isolation !== "inline" && pre.module !== undefined
        ? new ChildProcessExecutor({ module: pre.module, cwd: process.cwd(), logger })
        : undefined;
    const worker = new Worker({
      ...workerSettings,
      id: workerSettings.id || undefined,
      scheduler,
      processes: core.workers,
      assistant: core.assistant,
      retcodes,
      logger,
      notifier,
      processExecutor,
      onProgress: progress ? (p) => progress.update(p) : undefined,
    });
    const signals = installStopSignals({
      target: worker,
      log: logger,
      stderr: io.stderr,
      phaseOutOnUsr1: !workerSettings.noInstallShutdownHandler,
      beforeHardExit: () => processExecutor?.killAll(),
    });
    // Start-up is over (the pipeline and the built-in modules it needs are loaded): from here on the
    // walk and the runs are what V8 compiles, with the command's settings (loader/v8-tuning.ts).
    applyV8Tuning();
    try {
      if (roots.length > 0) await worker.add(roots);
      // After the walk: a step class the module uses without exporting it is registered only once built,
      // and its [Family] section is then known too.
      const familySections = (allRegisteredClasses() as (typeof Step)[]).map((cls) => ({
        family: cls.family,
        params: Object.keys(cls.schema),
      }));
      for (const warning of unknownConfigEntries(config, familySections)) logger.warn(warning);
      if (signals.received === undefined) await worker.run();
    } finally {
      progress?.stop();
      signals.uninstall();
    }
    const summary = summarize(worker.history, roots, retcodes, {
      summaryLength: executionSummaryConfig(config).summaryLength,
      schedulingFailed: worker.hadSchedulingError,
      errorsLogged: logger.isLevelEnabled("error"),
      ...(signals.received !== undefined ? { interruptedBy: signals.received } : {}),
    });
    io.stdout.write(summary.text + "\n");
    const exitCode = signals.received !== undefined ? SIGNAL_EXIT[signals.received] : summary.exitCode;
    const origin = { host: worker.identity.host, worker: worker.id };
    notifier.notify(runEndNotice({ ...summary, exitCode }, roots.map(String), origin));
    return exitCode;
  } catch (err) {
    if (err instanceof SchedulerError) {
      // The scheduler could not be reached, or stopped answering: say so in one line, not with a stack.
      io.stderr.write(`luigi: ${err.message}\n`);
      const unreachable =
        err.code === ErrorCode.SCHEDULER_UNREACHABLE || err.code === ErrorCode.SCHEDULER_TLS;
      return unreachable ? unreachableCode : unhandledCode;
    }
    if (isUsageError(err)) {
      io.stderr.write(`luigi: ${err.message}\n`);
      return USAGE_EXIT;
    }
    const { stack } = describeThrown(err);
    const code = err instanceof LuigiError ? ` [${err.code}]` : "";
    io.stderr.write(`luigi: unhandled error${code}: ${stack}\n`);
    return unhandledCode;
  } finally {
    // What is still being sent gets its channel's deadline; a failed notification changes no exit code.
    await notifier?.close();
  }
}
