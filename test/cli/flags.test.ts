import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS_SECTIONS } from "../../src/config/index.js";
import { FIXTURES, ROOT, runLuigi, workdir } from "../helpers/cli.js";

const BASIC = path.join(FIXTURES, "basic.ts");
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

const kebab = (name: string): string => name.replaceAll("_", "-");

describe("luigi flags", () => {
  it("prints the package version with --version and exits 0, even without a module", async () => {
    const w = workdir();
    for (const args of [["--version"], ["--module", "./not-there.ts", "Nothing", "--version"]]) {
      const result = await runLuigi(args, { cwd: w.dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`luigi (luigi-ts) ${VERSION}\n`);
    }
  });

  it("takes -h as --help", async () => {
    const w = workdir();
    const short = await runLuigi(["--module", BASIC, "Greetings", "-h"], { cwd: w.dir });
    const long = await runLuigi(["--module", BASIC, "Greetings", "--help"], { cwd: w.dir });
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
    expect(short.stdout).toMatch(/--day YYYY-MM-DD\s+the day \(date, required\)/);
    expect(short.stdout).toContain("-h, --help");
  });

  it("suggests the closest known flag for an unknown one", async () => {
    const w = workdir();
    const cases: [string[], string][] = [
      [["--dya", "2026-11-20"], "--day"],
      [["--day", "2026-11-20", "--local-schedular"], "--local-scheduler"],
      [["--day", "2026-11-20", "--worker-keep-alvie"], "--worker-keep-alive"],
      [["--day", "2026-11-20", "--Hello-nmae", "x"], "--Hello-name"],
    ];
    for (const [flags, suggestion] of cases) {
      const result = await runLuigi(["--module", BASIC, "Greetings", ...flags, "--local-scheduler"], {
        cwd: w.dir,
        env: { OUT: w.out },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `unknown flag ${flags.find((f) => f.startsWith("--") && f !== "--day")}`,
      );
      expect(result.stderr).toContain(`Did you mean ${suggestion}?`);
    }
    const far = await runLuigi(["--module", BASIC, "Greetings", "--zzzzzzzz"], { cwd: w.dir });
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("unknown flag --zzzzzzzz.");
    expect(far.stderr).not.toContain("Did you mean");
  });

  it("lists every setting flag with its default, and every family's parameters once, with --help-all", async () => {
    const w = workdir();
    const result = await runLuigi(["--module", BASIC, "Greetings", "--help-all"], { cwd: w.dir });
    expect(result.code).toBe(0);
    const out = result.stdout;
    for (const section of SETTINGS_SECTIONS) {
      if (section.flags === "none") continue;
      const prefix = section.flags === "bare" ? "" : `${kebab(section.name)}-`;
      for (const [key, spec] of Object.entries(section.keys)) {
        if (!spec.flag) continue;
        const flagLine = new RegExp(`^  --${prefix}${kebab(key)}\\b[^\\n]*\\n?[^\\n]*\\(default: `, "m");
        expect(out, `--${prefix}${kebab(key)}`).toMatch(flagLine);
      }
    }
    expect(out).toMatch(/--worker-keep-alive\s+keep asking for work .*\(default: false\)/);
    expect(out).toMatch(/--scheduler-retry-delay VALUE\s+.*\(default: 900\)/);
    expect(out).toMatch(/--retcode-task-failed VALUE\s+a step failed \(default: 30\)/);
    expect(out).toMatch(/--execution-summary-summary-length VALUE\n\s+.*\(default: 5\)/);
    expect(out).toMatch(/--workers VALUE\s+steps run at once \(default: 1\)/);
    expect(out).toContain("--worker-check-unfulfilled-deps[=false]");
    // The root step's parameters once (as --day), every other family's once (as --Family-name).
    expect(out.match(/^Parameters of Greetings/gm)).toHaveLength(1);
    expect(out.match(/--day YYYY-MM-DD/g)).toHaveLength(1);
    expect(out.match(/^Parameters of Hello \(as --Hello-NAME\):$/gm)).toHaveLength(1);
    expect(out.match(/--Hello-name any text/g)).toHaveLength(1);
    // Config-only keys are not flags.
    expect(out).not.toContain("--rpc-retry-wait");
    const plain = await runLuigi(["--module", BASIC, "Greetings", "--help"], { cwd: w.dir });
    expect(plain.stdout).not.toContain("--worker-keep-alive");
    expect(plain.stdout).toContain("--worker-KEY");
  });
});
