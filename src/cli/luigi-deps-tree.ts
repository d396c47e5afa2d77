/** `luigi-deps-tree --module M FAMILY --param value`: the step's requirements as a tree, with their states. */
import { retcodeConfig, workerConfig } from "../config/index.js";
import { depsTree } from "../tools/deps-tree.js";
import type { CliIo } from "./luigi.js";
import { toolMain, wantsColour, type Tool } from "./tool-main.js";

const DEPS_TREE: Tool = {
  name: "luigi-deps-tree",
  description: [
    "Prints FAMILY's step and everything it requires as a tree, each step COMPLETE or PENDING as its",
    "complete() says now (checked concurrently, [worker] completion_concurrency at a time); nothing is run.",
    "A step required along two paths is drawn under both. Colours on a terminal, unless NO_COLOR is set.",
  ].join("\n"),
  async run(root, config, io) {
    const tree = await depsTree(root, {
      color: wantsColour(io),
      concurrency: workerConfig(config).completionConcurrency,
    });
    io.stdout.write(`${tree.text}\n`);
    for (const error of tree.errors) io.stderr.write(`luigi-deps-tree: ${error.message}\n`);
    return tree.errors.length > 0 ? retcodeConfig(config).schedulingError : 0;
  },
};

export function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  return toolMain(DEPS_TREE, argv, io);
}
