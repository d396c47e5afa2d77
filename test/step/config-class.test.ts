import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  build,
  Config,
  ErrorCode,
  LuigiConfig,
  MemoryTarget,
  param,
  ParameterError,
  setActiveConfig,
  Step,
  StepDefinitionError,
} from "../../src/index.js";
import { clearFamilyFlags, setFamilyFlag } from "../../src/step/context.js";
import { runLuigi, workdir } from "../helpers/cli.js";

const PIPELINE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/config-pipeline.ts");

beforeEach(() => {
  MemoryTarget.clearAll();
  clearFamilyFlags();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

class Storage extends Config.with({
  bucket: param.str(),
  retries: param.int({ default: 3 }),
}) {}

describe("Config", () => {
  it("reads its values from flags, then its own config section, then defaults; overrides first", () => {
    setActiveConfig(LuigiConfig.fromString("[Storage]\nbucket = from-config\nretries = 5\n", "cfg"));
    const read = Storage.read();
    expectTypeOf(read).toEqualTypeOf<Storage>();
    expectTypeOf(read.bucket).toEqualTypeOf<string>();
    expect([read.bucket, read.retries]).toEqual(["from-config", 5]);
    expect(Storage.read()).toBe(read);
    setFamilyFlag("Storage", "bucket", "from-flag");
    expect(Storage.read().bucket).toBe("from-flag");
    expect(Storage.read({ bucket: "given" }).bucket).toBe("given");
    // @ts-expect-error retries is a number
    expect(() => Storage.read({ retries: "many" })).toThrow(ParameterError);
  });

  it("says which parameter is missing when nothing gives it", () => {
    expect(() => Storage.read()).toThrow(/Storage: missing parameter 'bucket'/);
  });

  it("is never built: as a root or as a requirement, the build fails to schedule, naming the Config", async () => {
    setActiveConfig(LuigiConfig.fromString("[Storage]\nbucket = b\n", "cfg"));
    const asRoot = await build([Storage.read()], { localScheduler: true });
    expect(asRoot.status).not.toBe("SUCCESS");
    expect(asRoot.exitCode).toBe(35);
    expect(Object.values(asRoot.errors).join("\n")).toMatch(
      /Storage is a Config \(parameters only\): read it with Storage.read\(\)/,
    );

    class Upload extends Step.with({}) {
      requires() {
        return Storage.read();
      }
      output() {
        return new MemoryTarget("upload");
      }
    }
    const asRequirement = await build([new Upload()], { localScheduler: true });
    expect(asRequirement.exitCode).toBe(35);
    expect(await new MemoryTarget("upload").exists()).toBe(false);
    const thrown = await Storage.read()
      .complete()
      .catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(StepDefinitionError);
    expect((thrown as StepDefinitionError).code).toBe(ErrorCode.STEP_DEFINITION);
  });
});

describe("Config on the luigi command line", () => {
  it("takes --Family-param flags, its [Family] section, and bare flags when useCmdlineSection is false", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, "[Mail]\nport = 2525\n[Cloud]\nregion = config-region\n");
    const env = { OUT: w.out, LUIGI_CONFIG_PATH: cfg };
    const args = ["--module", PIPELINE, "--local-scheduler", "--no-lock", "Notify"];
    for (const [day, extra, expected] of [
      ["2026-11-20", [], "localhost:2525 config-region false"],
      [
        "2026-11-21",
        ["--Mail-host", "smtp.example.com", "--region", "us-east-1", "--dry-run"],
        "smtp.example.com:2525 us-east-1 true",
      ],
    ] as const) {
      const result = await runLuigi([...args, "--day", day, ...extra], { cwd: w.dir, env });
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(path.join(w.out, `notify-${day}.txt`), "utf8")).toBe(`${expected}\n`);
    }
    // A step run in a child process (isolation = process) reads the same flags.
    const isolated = await runLuigi(
      [
        ...args,
        "--day",
        "2026-11-23",
        "--worker-isolation",
        "process",
        "--Mail-host",
        "child",
        "--region",
        "r2",
      ],
      { cwd: w.dir, env },
    );
    expect(isolated.code, isolated.stderr).toBe(0);
    expect(readFileSync(path.join(w.out, "notify-2026-11-23.txt"), "utf8")).toBe("child:2525 r2 false\n");
    // Bare flags replace the prefixed ones, as in Luigi.
    const prefixed = await runLuigi([...args, "--day", "2026-11-22", "--Cloud-region", "x"], {
      cwd: w.dir,
      env,
    });
    expect(prefixed.code).toBe(2);
    expect(prefixed.stderr).toContain("unknown flag --Cloud-region");
    const help = await runLuigi(["--module", PIPELINE, "Notify", "--help-all"], { cwd: w.dir, env });
    expect(help.stdout).toContain("Parameters of Cloud (as --NAME):");
    expect(help.stdout).toMatch(/^ {2}--region any text +\(str, default: eu-west-1\)$/m);
    expect(help.stdout).toContain("Parameters of Mail (as --Mail-NAME):");
  });

  it("answers a step that requires a Config with the scheduling-error exit code and the reason", async () => {
    const w = workdir();
    const result = await runLuigi(["--module", PIPELINE, "--local-scheduler", "--no-lock", "Misused"], {
      cwd: w.dir,
      env: { OUT: w.out },
    });
    expect(result.code).toBe(35);
    expect(result.stdout + result.stderr).toContain("Mail is a Config (parameters only)");
  });
});
