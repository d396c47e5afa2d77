/**
 * `luigi-deps --module M FAMILY --param value [--upstream-family X]`: the steps FAMILY's step needs (on
 * the paths to the steps of family X), each with its outputs.
 */
import { upstreamFamilyConfig } from "../config/index.js";
import { UsageError } from "../errors.js";
import { lookupFamily } from "../step/registry.js";
import { findDeps, formatDeps } from "../tools/deps.js";
import type { CliIo } from "./luigi.js";
import { toolMain, type Tool } from "./tool-main.js";

const FLAG = "--upstream-family";

function depsTool(flag: string | undefined): Tool {
  return {
    name: "luigi-deps",
    description: [
      "Lists FAMILY's step and every step it requires, directly or not, each with its outputs",
      "(`[FileSystem] path` for files); nothing is run. With --upstream-family X, only the steps on the",
      "dependency paths from FAMILY down to the steps of family X, both ends included: what to redo",
      "after fixing X.",
      "",
      `  ${FLAG} X`.padEnd(34) + "only the steps on paths to steps of family X ([upstream] family)",
    ].join("\n"),
    async run(root, config, io) {
      const upstream = flag ?? upstreamFamilyConfig(config);
      const steps = findDeps(root, upstream);
      if (steps.length > 0) {
        io.stdout.write(`${formatDeps(steps)}\n`);
      } else if (upstream !== undefined) {
        // Every class of the graph is registered by now: an unknown name is a typo, with suggestions.
        lookupFamily(upstream);
        io.stderr.write(`luigi-deps: ${String(root)} does not depend on any step of family ${upstream}\n`);
      }
      return 0;
    },
  };
}

/** `--upstream-family X` or `--upstream-family=X` taken out of the arguments, which luigi's parser reads. */
function takeUpstreamFlag(argv: readonly string[]): { flag: string | undefined; rest: string[] } {
  let flag: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (token === FLAG || token.startsWith(`${FLAG}=`)) {
      const value = token === FLAG ? argv[++i] : token.slice(FLAG.length + 1);
      if (value === undefined || value === "" || value.startsWith("--")) {
        throw new UsageError(`${FLAG} needs a step family: ${FLAG} FAMILY`, { flag: FLAG });
      }
      flag = value;
      continue;
    }
    rest.push(token);
  }
  return { flag, rest };
}

export function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let taken: ReturnType<typeof takeUpstreamFlag>;
  try {
    taken = takeUpstreamFlag(argv);
  } catch (err) {
    io.stderr.write(`luigi-deps: ${(err as Error).message}\n`);
    return Promise.resolve(2);
  }
  return toolMain(depsTool(taken.flag), taken.rest, io);
}
