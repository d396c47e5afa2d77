import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  describeTarget,
  ErrorCode,
  findDeps,
  formatDeps,
  LocalTarget,
  LuigiConfig,
  LuigiError,
  MemoryTarget,
  param,
  setActiveConfig,
  Step,
  type Target,
} from "../../src/index.js";
import { unknownConfigEntries } from "../../src/cli/config-check.js";
import { PIPELINE, runTool, withOutputs } from "./helpers.js";

/** `luigi-deps`' listing of the fixture's steps, in the order given. */
function listing(out: string, names: string[]): string {
  const outputs: Record<string, string[]> = {
    "Report(day=2026-11-20)": [],
    "Aggregate(day=2026-11-20)": ["aggregate-2026-11-20.txt"],
    "Clean(day=2026-11-20)": ["clean-2026-11-20.txt"],
    "Daily(day=2026-11-20)": ["daily-2026-11-20.txt"],
    "Clean(day=2026-11-19)": ["clean-2026-11-19.txt"],
    "Daily(day=2026-11-19)": ["daily-2026-11-19.txt"],
    "Rates(day=2026-11-20, currency=EUR)": ["rates-EUR-2026-11-20.txt"],
  };
  const lines: string[] = [];
  for (const name of names) {
    lines.push(`   TASK: ${name}`);
    for (const file of outputs[name] ?? [])
      lines.push(`                       : [FileSystem] ${path.join(out, file)}`);
  }
  return `${lines.join("\n")}\n`;
}

const ALL = [
  "Report(day=2026-11-20)",
  "Aggregate(day=2026-11-20)",
  "Clean(day=2026-11-20)",
  "Daily(day=2026-11-20)",
  "Clean(day=2026-11-19)",
  "Daily(day=2026-11-19)",
  "Rates(day=2026-11-20, currency=EUR)",
];

describe("luigi-deps (a real process on a fixture pipeline)", () => {
  it("lists every step the root needs with its outputs, or only those on the paths to --upstream-family", async () => {
    const w = withOutputs(["daily-2026-11-20.txt"]);
    const env = { OUT: w.out };
    const args = ["--module", PIPELINE, "Report", "--day", "2026-11-20"];
    const all = await runTool("luigi-deps", args, { cwd: w.dir, env });
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(listing(w.out, ALL));

    const toDaily = await runTool("luigi-deps", [...args, "--upstream-family", "Daily"], { cwd: w.dir, env });
    expect(toDaily.code).toBe(0);
    expect(toDaily.stdout).toBe(listing(w.out, ALL.slice(0, 6)));
    const toClean = await runTool("luigi-deps", [...args, "--upstream-family", "Clean"], { cwd: w.dir, env });
    expect(toClean.stdout).toBe(
      listing(w.out, [
        "Report(day=2026-11-20)",
        "Aggregate(day=2026-11-20)",
        "Clean(day=2026-11-20)",
        "Clean(day=2026-11-19)",
      ]),
    );

    // Luigi's [upstream] family works too, as for any Config class.
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, "[upstream]\nfamily = Rates\n");
    const fromConfig = await runTool("luigi-deps", args, {
      cwd: w.dir,
      env: { ...env, LUIGI_CONFIG_PATH: cfg },
    });
    expect(fromConfig.stdout).toBe(
      listing(w.out, [
        "Report(day=2026-11-20)",
        "Aggregate(day=2026-11-20)",
        "Rates(day=2026-11-20, currency=EUR)",
      ]),
    );
  });

  it("says so when no path leads to the family, and refuses an unknown one with suggestions", async () => {
    const w = withOutputs([]);
    const args = ["--module", PIPELINE, "Clean", "--day", "2026-11-20", "--upstream-family"];
    const none = await runTool("luigi-deps", [...args, "Rates"], { cwd: w.dir, env: { OUT: w.out } });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe(
      "luigi-deps: Clean(day=2026-11-20) does not depend on any step of family Rates\n",
    );
    const typo = await runTool("luigi-deps", [...args, "Dialy"], { cwd: w.dir, env: { OUT: w.out } });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^luigi-deps: no step family 'Dialy'\. Did you mean: Daily/);
  });

  it("answers bad input and failing steps as luigi does", async () => {
    const w = withOutputs([]);
    const missing = await runTool("luigi-deps", ["--module", PIPELINE, "Report"], { cwd: w.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("luigi-deps: Report: missing parameter 'day' (date: YYYY-MM-DD)\n");
    const noValue = await runTool("luigi-deps", ["--module", PIPELINE, "Report", "--upstream-family"], {
      cwd: w.dir,
    });
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toBe(
      "luigi-deps: --upstream-family needs a step family: --upstream-family FAMILY\n",
    );
    const noFamily = await runTool("luigi-deps", ["--upstream-family", "Daily"], { cwd: w.dir });
    expect(noFamily.code).toBe(2);
    expect(noFamily.stderr).toMatch(/^luigi-deps: no step family given/);
    const broken = await runTool("luigi-deps", ["--module", PIPELINE, "Unsure", "--day", "2026-11-20"], {
      cwd: w.dir,
    });
    expect(broken.code).toBe(35);
    expect(broken.stderr).toBe(
      "luigi-deps: Broken(day=2026-11-20).requires() failed: the calendar is closed\n",
    );
    const help = await runTool("luigi-deps", ["--module", PIPELINE, "Report", "--help"], { cwd: w.dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: luigi-deps \[--module MODULE\] FAMILY/);
    expect(help.stdout).toContain("--upstream-family X");
  });
});

describe("findDeps()", () => {
  beforeEach(() => {
    MemoryTarget.clearAll();
    setActiveConfig(LuigiConfig.fromString("", "cfg"));
  });

  /** Layer i has two steps, each requiring both steps of layer i - 1: 2^depth paths to the bottom. */
  class Layer extends Step.with({ i: param.int(), side: param.int() }) {
    override requires() {
      return this.i === 0 ? [] : [0, 1].map((side) => new Layer({ i: this.i - 1, side }));
    }
  }
  class Side extends Step.with({}) {}
  class Top extends Step.with({ depth: param.int() }) {
    override requires() {
      return [new Layer({ i: this.depth, side: 0 }), new Side()];
    }
  }

  it("visits each step once where Luigi follows every path (2^60 of them here)", () => {
    const found = findDeps(new Top({ depth: 60 }));
    expect(found).toHaveLength(1 + 1 + 2 * 60 + 1);
    expect(new Set(found.map((s) => s.id)).size).toBe(found.length);
    expect(found[0]).toBe(new Top({ depth: 60 }));
    const toLayers = findDeps(new Top({ depth: 60 }), "Layer");
    expect(toLayers.map(String)).not.toContain("Side()");
    expect(toLayers).toHaveLength(1 + 1 + 2 * 60);
    expect(findDeps(new Top({ depth: 3 }), "Side").map(String)).toEqual(["Top(depth=3)", "Side()"]);
    expect(findDeps(new Top({ depth: 3 }), "Nothing")).toEqual([]);
  });

  it("handles a chain deeper than the stack, and a cycle", () => {
    class Day extends Step.with({ n: param.int() }) {
      override requires() {
        return this.n > 0 ? [new Day({ n: this.n - 1 })] : [];
      }
    }
    expect(findDeps(new Day({ n: 20_000 }), "Day")).toHaveLength(20_001);
    class Ping extends Step.with({}) {
      override requires() {
        return new Pong();
      }
    }
    class Pong extends Step.with({}) {
      override requires() {
        return new Ping();
      }
    }
    expect(findDeps(new Ping()).map(String)).toEqual(["Ping()", "Pong()"]);
  });

  it("rejects a failing requires() with a SCHEDULING_ERROR naming the step", () => {
    class Fails extends Step.with({}) {
      override requires(): Step[] {
        throw new Error("no");
      }
    }
    const thrown = (() => {
      try {
        findDeps(new Fails());
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toBeInstanceOf(LuigiError);
    expect((thrown as LuigiError).code).toBe(ErrorCode.SCHEDULING_ERROR);
    expect((thrown as Error).message).toBe("Fails().requires() failed: no");
  });

  it("describes file targets by path, others by what they say of themselves", () => {
    class Row implements Target {
      exists() {
        return Promise.resolve(false);
      }
      toString() {
        return "[DB] sales.daily";
      }
    }
    class Bare implements Target {
      exists() {
        return Promise.resolve(false);
      }
    }
    expect(describeTarget(new LocalTarget("/data/x.csv"))).toBe("[FileSystem] /data/x.csv");
    expect(describeTarget(new Row())).toBe("[DB] sales.daily");
    expect(describeTarget(new Bare())).toBe("[Bare]");
    class Many extends Step.with({}) {
      output() {
        return { a: new LocalTarget("/a"), b: [new Row()] };
      }
    }
    expect(formatDeps([new Many()])).toBe(
      "   TASK: Many()\n                       : [FileSystem] /a\n                       : [DB] sales.daily",
    );
  });
});

describe("[upstream]", () => {
  it("is a setting luigi-ts reads: no 'not used by luigi-ts' notice, and its keys are checked", () => {
    const c = LuigiConfig.fromString("[upstream]\nfamily = Rates\nfamliy = X\n", "cfg", "luigi.cfg");
    expect(unknownConfigEntries(c)).toEqual([
      "luigi.cfg:3: [upstream] famliy: unknown key; did you mean family?",
    ]);
  });
});
