import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { interruptBudgetGiven } from "../../src/loader/v8-tuning.js";

const luigiBin = fileURLToPath(new URL("../../bin/luigi.js", import.meta.url));

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
      const out = execFileSync(process.execPath, [...execArgv, luigiBin, "--help"], { encoding: "utf8" });
      expect(out).toMatch(/usage|Usage/);
    }
  });
});
