// The order of what `luigi` prints: the worker's own log lines and what a step writes to stdout and
// stderr come out in the order they were written, whether stdout and stderr go to one file (as with
// `luigi ... > run.log 2>&1`, where the worker writes its lines to the file descriptor directly) or to
// pipes. A real `luigi` process, --local-scheduler.
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect, FIXTURES, LUIGI_BIN, runLuigi, workdir } from "../helpers/cli.js";
import { spawn } from "node:child_process";

const LOGS = path.join(FIXTURES, "logs.ts");

/** The lines of interest, in the order they appear in `text`. */
function order(text: string): string[] {
  const wanted = [
    /INFO: running Streams\(tag=(\w+)\)/,
    /^to stdout: one$/,
    /^to stderr: two$/,
    /^split secret .* end$/,
    /^bytes on stderr$/,
    /WARN: a logger line from \w+/,
    /INFO: done Streams\(tag=\w+\)/,
  ];
  return text
    .split("\n")
    .map((line) => wanted.findIndex((re) => re.test(line)))
    .filter((i) => i >= 0)
    .map(String);
}

/** The environment of a run in `w` (the fixture's step prints $LOG_SECRET split across two writes). */
function env(w: { dir: string; out: string }): Record<string, string> {
  const config = path.join(w.dir, "luigi.cfg");
  writeFileSync(config, "");
  return { OUT: w.out, LOG_SECRET: "a-secret", LUIGI_CONFIG_PATH: config };
}
const args = (tag: string): string[] => [
  "--module",
  LOGS,
  "Streams",
  "--tag",
  tag,
  "--local-scheduler",
  "--no-lock",
];

describe("what luigi prints", () => {
  it("keeps the order of its log lines and a step's own output when both go to one file", async () => {
    const w = workdir();
    const file = path.join(w.dir, "run.log");
    const fd = openSync(file, "w");
    const child = spawn(process.execPath, [LUIGI_BIN, ...args("file")], {
      cwd: w.dir,
      env: { ...process.env, NO_COLOR: "1", ...env(w) },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const result = await collect(child);
    expect(result.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(order(text)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  }, 60_000);

  it("keeps the same order on pipes (stderr's own lines in order; stdout's in order)", async () => {
    const w = workdir();
    const result = await runLuigi(args("pipe"), { cwd: w.dir, env: env(w) });
    expect(result.code).toBe(0);
    expect(order(result.stderr)).toEqual(["0", "2", "4", "5", "6"]);
    expect(order(result.stdout)).toEqual(["1", "3"]);
  }, 60_000);
});
