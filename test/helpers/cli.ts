import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const LUIGI_BIN = path.join(ROOT, "bin/luigi.js");
export const FIXTURES = path.join(ROOT, "test/fixtures");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh working directory with an output folder and a run log, for one CLI test. */
export function workdir(): { dir: string; out: string; log: string; runs: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-cli-"));
  const log = path.join(dir, "runs.log");
  return {
    dir,
    out: path.join(dir, "out"),
    log,
    runs: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []),
  };
}

const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts `luigi` as a real child process (killed when the test process exits, if still running). */
export function startLuigi(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    /** How to start it: on another test host (test/helpers/hosts.ts), say. Default node:child_process's. */
    spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  },
): ChildProcess {
  const child = (options.spawn ?? spawn)(process.execPath, [LUIGI_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, LUIGI_CONFIG_PATH: "", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  child.on("exit", () => started.delete(child));
  return child;
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** Runs `luigi` to the end. */
export function runLuigi(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  return collect(startLuigi(args, options));
}
