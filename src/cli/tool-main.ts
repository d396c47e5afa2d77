/**
 * The command line of the dependency tools, `luigi-deps` and `luigi-deps-tree`: parsed exactly as
 * `luigi` parses it (`--module M FAMILY --param value --Family-param value`, settings flags, the same
 * errors), then the tool's own work on the root step instead of a run. Exit codes: 0; 2 for bad usage,
 * as `luigi`; `[retcode] scheduling_error` (35) when a step's `requires()` or `complete()` threw;
 * `[retcode] unhandled_exception` (4) when luigi-ts itself failed.
 */
import { describeThrown, ErrorCode, LuigiError, UsageError } from "../errors.js";
import { DEFAULT_RETCODES, retcodeConfig, type LuigiConfig } from "../config/index.js";
import { loadStepModule } from "../loader/load-module.js";
import { applyV8Tuning } from "../loader/v8-tuning.js";
import { activeConfig } from "../step/context.js";
import { allRegisteredClasses, lookupFamily } from "../step/registry.js";
import type { Step } from "../step/step.js";
import { installFlags, isUsageError, rootStep } from "./command-line.js";
import { helpText, parseCommandLine, prescan } from "./flags.js";
import type { CliIo } from "./luigi.js";
import { packageVersion } from "./version.js";

export interface Tool {
  /** The command's name, for messages, usage and --version. */
  name: string;
  /** What follows the usage line of --help: what the tool prints, and its own flags. */
  description: string;
  /** The tool's work: writes its answer to `io`, returns the exit code. */
  run(root: Step, config: LuigiConfig, io: CliIo): Promise<number>;
}

export async function toolMain(tool: Tool, argv: string[], io: CliIo): Promise<number> {
  let unhandledCode = DEFAULT_RETCODES.unhandledException;
  let schedulingCode = DEFAULT_RETCODES.schedulingError;
  try {
    const pre = prescan(argv);
    if (pre.version) {
      io.stdout.write(`${tool.name} (luigi-ts) ${packageVersion()}\n`);
      return 0;
    }
    if (pre.module) await loadStepModule(pre.module);
    const config = activeConfig();
    ({ unhandledException: unhandledCode, schedulingError: schedulingCode } = retcodeConfig(config));
    const rootClass = pre.family ? (lookupFamily(pre.family) as typeof Step) : undefined;
    const families = allRegisteredClasses() as (typeof Step)[];
    const parsed = parseCommandLine(argv, rootClass, families);
    if (parsed.core.help === "true" || parsed.core.help_all === "true") {
      const usage = `${tool.name} [--module MODULE] FAMILY [--param value ...]`;
      const help = helpText(rootClass, families, parsed.core.help_all === "true", usage);
      io.stdout.write(`${help}\n\n${tool.description}\n`);
      return 0;
    }
    if (!rootClass) {
      throw new UsageError(
        `no step family given: ${tool.name} [--module MODULE] FAMILY [--param value ...] (see --help)`,
      );
    }
    installFlags(config, parsed);
    const root = rootStep(rootClass, parsed);
    // Start-up is over: the walk runs with the command's V8 settings (loader/v8-tuning.ts).
    applyV8Tuning();
    return await tool.run(root, config, io);
  } catch (err) {
    if (isUsageError(err)) {
      io.stderr.write(`${tool.name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof LuigiError && err.code === ErrorCode.SCHEDULING_ERROR) {
      io.stderr.write(`${tool.name}: ${err.message}\n`);
      return schedulingCode;
    }
    const { stack } = describeThrown(err);
    const code = err instanceof LuigiError ? ` [${err.code}]` : "";
    io.stderr.write(`${tool.name}: unhandled error${code}: ${stack}\n`);
    return unhandledCode;
  }
}

/** Colours only for a terminal, and never with NO_COLOR set (https://no-color.org). */
export function wantsColour(io: CliIo, env: NodeJS.ProcessEnv = process.env): boolean {
  return io.stdout.isTTY === true && (env.NO_COLOR ?? "") === "";
}
