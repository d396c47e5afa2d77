import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  depsTree,
  LuigiConfig,
  MemoryTarget,
  param,
  setActiveConfig,
  Step,
  WrapperStep,
} from "../../src/index.js";
import { wantsColour } from "../../src/cli/tool-main.js";
import { ROOT } from "../helpers/cli.js";
import { PIPELINE, runTool, withOutputs } from "./helpers.js";

const REPORT_TREE = `└─--[Report(day=2026-11-20) (PENDING)]
    |---[Aggregate(day=2026-11-20) (PENDING)]
    |   |---[Clean(day=2026-11-20) (PENDING)]
    |   |   └─--[Daily(day=2026-11-20) (COMPLETE)]
    |   |---[Clean(day=2026-11-19) (COMPLETE)]
    |   |   └─--[Daily(day=2026-11-19) (PENDING)]
    |   └─--[Rates(day=2026-11-20, currency=EUR) (PENDING)]
    └─--[Rates(day=2026-11-20, currency=EUR) (PENDING)]
`;

describe("luigi-deps-tree (a real process on a fixture pipeline)", () => {
  it("draws the tree with each step's state, as the outputs present say", async () => {
    const w = withOutputs(["daily-2026-11-20.txt", "clean-2026-11-19.txt"]);
    const env = { OUT: w.out };
    const args = ["--module", PIPELINE, "Report", "--day", "2026-11-20"];
    const result = await runTool("luigi-deps-tree", args, { cwd: w.dir, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(REPORT_TREE);

    // Flags for other families and config sections take effect as with `luigi`.
    const usd = await runTool("luigi-deps-tree", [...args, "--Rates-currency", "USD"], { cwd: w.dir, env });
    expect(usd.stdout).toBe(REPORT_TREE.replaceAll("currency=EUR", "currency=USD"));
    const leaf = await runTool("luigi-deps-tree", ["--module", PIPELINE, "Daily", "--day", "2026-11-20"], {
      cwd: w.dir,
      env,
    });
    expect(leaf.stdout).toBe("└─--[Daily(day=2026-11-20) (COMPLETE)]\n");
  });

  it("answers bad input as luigi does: exit 2 and one clear line", async () => {
    const w = withOutputs([]);
    const cases: [string[], RegExp][] = [
      [
        ["--module", PIPELINE],
        /^luigi-deps-tree: no step family given: luigi-deps-tree \[--module MODULE\] FAMILY/,
      ],
      [
        ["--module", PIPELINE, "Reprot", "--day", "2026-11-20"],
        /no step family 'Reprot'\. Did you mean: Report, Rates\?/,
      ],
      [["--module", PIPELINE, "Report"], /Report: missing parameter 'day'/],
      [["--module", PIPELINE, "Report", "--day", "someday"], /parameter 'day' of Report/],
      [
        ["--module", PIPELINE, "Report", "--day", "2026-11-20", "--dya", "x"],
        /unknown flag --dya\. Did you mean --day\?/,
      ],
      [
        ["--module", path.join(ROOT, "test/tools/fixtures/missing.ts"), "Report"],
        /--module .*missing\.ts: no such file/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runTool("luigi-deps-tree", args, { cwd: w.dir, env: { OUT: w.out } });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
      expect(result.stdout).toBe("");
    }
  });

  it("shows what a step's requires() or complete() threw, and exits with the scheduling-error code", async () => {
    const w = withOutputs([]);
    const result = await runTool("luigi-deps-tree", ["--module", PIPELINE, "Unsure", "--day", "2026-11-20"], {
      cwd: w.dir,
      env: { OUT: w.out },
    });
    expect(result.code).toBe(35);
    expect(result.stdout).toBe(
      "└─--[Unsure(day=2026-11-20) (ERROR)]\n    └─--[Broken(day=2026-11-20) (PENDING)] requires() failed\n",
    );
    expect(result.stderr).toBe(
      "luigi-deps-tree: Broken(day=2026-11-20).requires() failed: the calendar is closed\n" +
        "luigi-deps-tree: Unsure(day=2026-11-20).complete() failed: the store does not answer\n",
    );
  });

  it("prints its usage and flags with --help, and its version", async () => {
    const w = withOutputs([]);
    const help = await runTool("luigi-deps-tree", ["--module", PIPELINE, "Report", "--help"], { cwd: w.dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /^Usage: luigi-deps-tree \[--module MODULE\] FAMILY \[--param value \.\.\.\]\n/,
    );
    expect(help.stdout).toContain("Parameters of Report:");
    expect(help.stdout).toContain("COMPLETE or PENDING");
    const version = await runTool("luigi-deps-tree", ["--version"], { cwd: w.dir });
    expect(version.stdout).toMatch(/^luigi-deps-tree \(luigi-ts\) \d+\.\d+\.\d+/);
  });

  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("colours the states on a terminal, and not with NO_COLOR", () => {
    const w = withOutputs(["daily-2026-11-20.txt"]);
    const command = `${process.execPath} ${path.join(ROOT, "bin/luigi-deps-tree.js")} --module ${PIPELINE} Clean --day 2026-11-20`;
    const onTerminal = (noColor?: string): string => {
      const env: NodeJS.ProcessEnv = { ...process.env, LUIGI_CONFIG_PATH: "", OUT: w.out };
      delete env.NO_COLOR;
      if (noColor !== undefined) env.NO_COLOR = noColor;
      const run = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: w.dir, env, encoding: "utf8" });
      return run.stdout.replaceAll("\r\n", "\n");
    };
    expect(onTerminal()).toBe(
      "└─--[Clean(day=2026-11-20) (\x1b[94mPENDING\x1b[0m)]\n    └─--[Daily(day=2026-11-20) (\x1b[92mCOMPLETE\x1b[0m)]\n",
    );
    expect(onTerminal("1")).toBe(
      "└─--[Clean(day=2026-11-20) (PENDING)]\n    └─--[Daily(day=2026-11-20) (COMPLETE)]\n",
    );
  });
});

describe("depsTree()", () => {
  beforeEach(() => {
    MemoryTarget.clearAll();
    setActiveConfig(LuigiConfig.fromString("", "cfg"));
  });

  it("asks each step's requires() and complete() once, however often it is drawn", async () => {
    const asked: string[] = [];
    class Leaf extends Step.with({ n: param.int() }) {
      override requires() {
        asked.push(`requires ${this.n}`);
        return [];
      }
      output() {
        return new MemoryTarget(`leaf-${this.n}`);
      }
      override complete() {
        asked.push(`complete ${this.n}`);
        return super.complete();
      }
    }
    class Mid extends Step.with({ n: param.int() }) {
      override requires() {
        return [new Leaf({ n: 0 }), new Leaf({ n: this.n })];
      }
    }
    class Top extends WrapperStep.with({}) {
      override requires() {
        return [new Mid({ n: 1 }), new Mid({ n: 2 })];
      }
    }
    await new MemoryTarget("leaf-0").write("x");
    const tree = await depsTree(new Top());
    expect(tree.errors).toEqual([]);
    expect(tree.text).toBe(
      [
        "└─--[Top() (PENDING)]",
        "    |---[Mid(n=1) (PENDING)]",
        "    |   |---[Leaf(n=0) (COMPLETE)]",
        "    |   └─--[Leaf(n=1) (PENDING)]",
        "    └─--[Mid(n=2) (PENDING)]",
        "        |---[Leaf(n=0) (COMPLETE)]",
        "        └─--[Leaf(n=2) (PENDING)]",
      ].join("\n"),
    );
    // Top's own complete() (a wrapper's) asks its requirements again; the tool asks each step once.
    expect(asked.filter((a) => a === "requires 0")).toHaveLength(1);
    expect(asked.filter((a) => a.startsWith("complete 0")).length).toBeGreaterThanOrEqual(1);
  });

  it("marks a dependency cycle instead of drawing for ever", async () => {
    class Ping extends Step.with({ n: param.int() }) {
      override requires() {
        return new Pong({ n: this.n });
      }
    }
    class Pong extends Step.with({ n: param.int() }) {
      override requires() {
        return new Ping({ n: this.n });
      }
    }
    const tree = await depsTree(new Ping({ n: 1 }));
    expect(tree.text).toBe(
      [
        "└─--[Ping(n=1) (PENDING)]",
        "    └─--[Pong(n=1) (PENDING)]",
        "        └─--[Ping(n=1) (PENDING)] dependency cycle",
      ].join("\n"),
    );
  });

  it("draws a chain thousands of steps deep", async () => {
    class Day extends Step.with({ n: param.int() }) {
      override requires() {
        return this.n > 0 ? [new Day({ n: this.n - 1 })] : [];
      }
    }
    const tree = await depsTree(new Day({ n: 3000 }));
    const lines = tree.text.split("\n");
    expect(lines).toHaveLength(3001);
    expect(lines[3000]).toBe(`${" ".repeat(4 * 3000)}└─--[Day(n=0) (PENDING)]`);
  });

  it("colours only when asked; the CLI asks on a terminal without NO_COLOR", async () => {
    class Alone extends Step.with({}) {}
    expect((await depsTree(new Alone(), { color: true })).text).toBe(
      "└─--[Alone() (\x1b[94mPENDING\x1b[0m)]",
    );
    const term = (isTTY: boolean) => ({ stdout: { isTTY } as never, stderr: process.stderr });
    expect(wantsColour(term(true), {})).toBe(true);
    expect(wantsColour(term(true), { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour(term(true), { NO_COLOR: "" })).toBe(true);
    expect(wantsColour(term(false), {})).toBe(false);
  });
});
