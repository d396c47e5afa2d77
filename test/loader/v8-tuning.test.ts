import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { interruptBudgetGiven } from "../../src/loader/v8-tuning.js";
import { collect, LUIGI_BIN, ROOT, startLuigi, workdir } from "../helpers/cli.js";

/** The bundle's module, the one bin/luigi.js asks for the settings through (one instance per process). */
const TUNING_URL = pathToFileURL(path.join(ROOT, "dist/bundle/v8-tuning.js")).href;
const LUIGI_TS_URL = pathToFileURL(path.join(ROOT, "dist/bundle/index.js")).href;

describe("the luigi command's V8 settings", () => {
  it("leave an interrupt budget given on node's command line or in NODE_OPTIONS alone", () => {
    expect(interruptBudgetGiven([])).toBe(false);
    expect(interruptBudgetGiven(["--max-old-space-size=100"], "--enable-source-maps")).toBe(false);
    expect(interruptBudgetGiven(["--interrupt-budget=1000"])).toBe(true);
    expect(interruptBudgetGiven([], "--inspect --interrupt_budget=5000")).toBe(true);
    expect(interruptBudgetGiven([], "--interrupt-budget 5000")).toBe(true);
    expect(interruptBudgetGiven(["--interrupt-budget-for-feedback-allocation=10"])).toBe(false);
  });

  it("do not stop the command from starting, with or without a budget of the user's", () => {
    for (const execArgv of [[], ["--interrupt-budget=2000"]]) {
      const out = execFileSync(process.execPath, [...execArgv, LUIGI_BIN, "--help"], { encoding: "utf8" });
      expect(out).toMatch(/usage|Usage/);
    }
  });

  it("are applied only when a command asked for them, once, and never over the user's budget", () => {
    const probe = (execArgv: string[]): unknown =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            ...execArgv,
            "--input-type=module",
            "-e",
            `import * as t from ${JSON.stringify(TUNING_URL)};
const seen = [];
t.applyV8Tuning(); seen.push(t.v8TuningApplied());
t.useV8Tuning(); seen.push(t.v8TuningApplied());
t.applyV8Tuning(); seen.push(t.v8TuningApplied());
t.applyV8Tuning(); seen.push(t.v8TuningApplied());
console.log(JSON.stringify(seen));`,
          ],
          { encoding: "utf8" },
        ),
      );
    // Not asked for: nothing; asked for: only once applied; applying again changes nothing.
    expect(probe([])).toEqual([false, false, true, true]);
    expect(probe(["--interrupt-budget=2000"])).toEqual([false, false, false, false]);
  });

  // V8 rejects the code cache of Node's built-in modules once a flag differs: set before start-up, the
  // budget made the module-hooks thread of a .ts pipeline compile Node's bootstrap from source.
  it("are set after the pipeline module is loaded and before its steps run", async () => {
    const w = workdir();
    const module = path.join(w.dir, "pipeline.mjs");
    const seen = path.join(w.dir, "seen.json");
    writeFileSync(
      module,
      `import { writeFileSync } from "node:fs";
import { Step } from ${JSON.stringify(LUIGI_TS_URL)};
import { v8TuningApplied } from ${JSON.stringify(TUNING_URL)};
const atLoad = v8TuningApplied();
export class Probe extends Step {
  complete() { return false; }
  run() { writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ atLoad, atRun: v8TuningApplied() })); }
}
`,
    );
    const result = await collect(
      startLuigi(["--module", module, "Probe", "--local-scheduler", "--no-lock"], { cwd: w.dir }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(seen, "utf8"))).toEqual({ atLoad: false, atRun: true });
  });
});
