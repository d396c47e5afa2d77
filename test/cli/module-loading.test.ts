import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, ROOT, runLuigi, workdir, type CliResult } from "../helpers/cli.js";

type PackageKind = "commonjs" | "none" | "module" | "explicit-commonjs";

/**
 * A user's project as `npm init -y && npm install luigi-ts` leaves it: the fixture pipeline, a
 * package.json of the given kind, and node_modules/luigi-ts linked to the package under test.
 */
function userProject(kind: PackageKind): { dir: string; out: string } {
  const w = workdir();
  cpSync(path.join(FIXTURES, "project"), w.dir, { recursive: true });
  mkdirSync(path.join(w.dir, "node_modules"));
  symlinkSync(ROOT, path.join(w.dir, "node_modules/luigi-ts"), "dir");
  const packageJson: Record<PackageKind, object | undefined> = {
    commonjs: { name: "my-pipeline", version: "1.0.0", main: "index.js", license: "ISC" },
    "explicit-commonjs": { name: "my-pipeline", version: "1.0.0", type: "commonjs" },
    module: { name: "my-pipeline", version: "1.0.0", type: "module" },
    none: undefined,
  };
  const json = packageJson[kind];
  if (json) writeFileSync(path.join(w.dir, "package.json"), JSON.stringify(json, null, 2));
  return { dir: w.dir, out: w.out };
}

function luigi(project: { dir: string; out: string }, args: string[]): Promise<CliResult> {
  return runLuigi([...args, "--local-scheduler", "--no-lock"], {
    cwd: project.dir,
    env: { OUT: project.out },
  });
}

/** No message of luigi about a user's module shows luigi-ts's own files or a stack. */
function expectNoInternals(stderr: string): void {
  expect(stderr).not.toContain(ROOT);
  expect(stderr).not.toContain("/dist/");
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe("luigi --module, as users write pipelines", () => {
  it.each<PackageKind>(["commonjs", "none", "module"])(
    "runs a .ts pipeline importing luigi-ts in a project with package type %s",
    async (kind) => {
      const project = userProject(kind);
      if (kind === "none") {
        // The test means something only if no package.json above the temporary directory decides.
        for (let dir = project.dir; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
          expect(existsSync(path.join(dir, "package.json"))).toBe(false);
        }
      }
      const inline = await luigi(project, ["--module", "./pipeline.ts", "Sentence"]);
      expect(inline.stderr).not.toMatch(/could not load|unhandled/);
      expect(inline.code).toBe(0);
      expect(readFileSync(path.join(project.out, "sentence.txt"), "utf8")).toBe("hello\nworld\n");
      // A child process per step loads the module itself (worker/child-entry.ts).
      const children = await luigi(project, [
        "--module",
        "./pipeline.ts",
        "Words",
        "--word",
        "child",
        "--worker-isolation",
        "process",
      ]);
      expect(children.code).toBe(0);
      expect(readFileSync(path.join(project.out, "word-child.txt"), "utf8")).toBe("child\n");
    },
  );

  it("says how to fix an ES module .js file in a CommonJS package", async () => {
    const project = userProject("explicit-commonjs");
    const result = await luigi(project, ["--module", "./esm-steps.js", "JsStep"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--module ./esm-steps.js: could not load it");
    expect(result.stderr).toContain(
      './esm-steps.js uses import/export, but ./package.json has no "type": "module"',
    );
    expect(result.stderr).toContain('rename it to .mjs, or set "type": "module" in ./package.json');
    expectNoInternals(result.stderr);
    const asModule = userProject("module");
    const fine = await luigi(asModule, ["--module", "./esm-steps.js", "JsStep"]);
    expect(fine.code).toBe(0);
  });

  it("finds --module NAME as ./NAME.ts in the working directory before a package", async () => {
    const project = userProject("commonjs");
    // A package of the same name whose step family the file does not have.
    const pkg = path.join(project.dir, "node_modules/pipeline");
    mkdirSync(pkg);
    writeFileSync(path.join(pkg, "package.json"), '{"name":"pipeline","type":"module","main":"index.js"}');
    writeFileSync(
      path.join(pkg, "index.js"),
      'import { Step } from "luigi-ts";\nexport class FromPackage extends Step {}\n',
    );
    const fromFile = await luigi(project, ["--module", "pipeline", "Words", "--word", "bare"]);
    expect(fromFile.code).toBe(0);
    expect(existsSync(path.join(project.out, "word-bare.txt"))).toBe(true);
    const notThePackage = await luigi(project, ["--module", "pipeline", "FromPackage"]);
    expect(notThePackage.code).toBe(2);
    expect(notThePackage.stderr).toContain("no step family 'FromPackage'");
  });

  it("loads --module PACKAGE installed in the user's project", async () => {
    const project = userProject("commonjs");
    const pkg = path.join(project.dir, "node_modules/@acme/steps");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      path.join(pkg, "package.json"),
      '{"name":"@acme/steps","type":"module","exports":{"import":"./steps.js"}}',
    );
    cpSync(path.join(project.dir, "esm-steps.js"), path.join(pkg, "steps.js"));
    const result = await luigi(project, ["--module", "@acme/steps", "JsStep"]);
    expect(result.stderr).not.toMatch(/could not/);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(project.out, "js-step.txt"), "utf8")).toBe("js\n");
  });

  it("names the files and the package it tried for an unknown --module NAME", async () => {
    const project = userProject("commonjs");
    const result = await luigi(project, ["--module", "pipelin", "Words"]);
    expect(result.code).toBe(2);
    const message = result.stderr.trim();
    expect(message).toBe(
      `luigi: --module pipelin: not found: tried the files ./pipelin.ts, ./pipelin.mts, ./pipelin.js, ` +
        `./pipelin.mjs (in ${project.dir}) and the package "pipelin" (not installed there)`,
    );
    expectNoInternals(message);
    const missingPath = await luigi(project, ["--module", "./lib/nothing", "Words"]);
    expect(missingPath.code).toBe(2);
    expect(missingPath.stderr).toContain(
      "--module ./lib/nothing: no such file (tried ./lib/nothing.ts, ./lib/nothing.mts, ./lib/nothing.js or ./lib/nothing.mjs)",
    );
    expectNoInternals(missingPath.stderr);
  });
});
