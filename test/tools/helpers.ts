/** Running the dependency tools as real processes on the fixture pipeline. */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { collect, ROOT, workdir, type CliResult } from "../helpers/cli.js";

export const PIPELINE = path.join(ROOT, "test/tools/fixtures/pipeline.ts");

export function runTool(
  tool: "luigi-deps" | "luigi-deps-tree",
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(ROOT, `bin/${tool}.js`), ...args], {
    cwd: options.cwd,
    env: { ...process.env, LUIGI_CONFIG_PATH: "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return collect(child);
}

/** A working directory whose `out/` holds the given outputs of the fixture pipeline. */
export function withOutputs(files: string[]): { dir: string; out: string } {
  const w = workdir();
  mkdirSync(w.out, { recursive: true });
  for (const file of files) writeFileSync(path.join(w.out, file), "x\n");
  return { dir: w.dir, out: w.out };
}
