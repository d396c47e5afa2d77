import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runLuigi, workdir } from "../helpers/cli.js";

/** A .ts pipeline that imports a sibling .ts module by its .js name, and writes what the module gives. */
function project(): { dir: string; out: string } {
  const { dir, out } = workdir();
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "ts-hooks", type: "module" }));
  writeFileSync(
    path.join(dir, "pipeline.ts"),
    `import { LocalTarget, param, Step } from "luigi-ts";
import { greeting } from "./greeting.js";

export class Greet extends Step.with({ name: param.str() }) {
  output(): LocalTarget {
    return new LocalTarget(\`out/\${this.name}.txt\`);
  }
  async run(): Promise<void> {
    await this.output().write(greeting(this.name));
  }
}
`,
  );
  writeFileSync(
    path.join(dir, "greeting.ts"),
    `export function greeting(name: string): string {\n  return \`hello \${name}\`;\n}\n`,
  );
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(ROOT, path.join(dir, "node_modules", "luigi-ts"), "dir");
  return { dir, out };
}

/** The files of tsx's compile cache under `tmp` (it keeps one per compiled file, in tsx-<uid>/). */
function cachedFiles(tmp: string): string[] {
  return readdirSync(tmp)
    .filter((d) => d.startsWith("tsx-"))
    .flatMap((d) => readdirSync(path.join(tmp, d)));
}

describe("the TypeScript loader (tsx's, bundled into the hooks thread's one file)", () => {
  it("compiles a .ts pipeline and what it imports on a cold cache, then runs it from tsx's cache", async () => {
    const { dir, out } = project();
    const tmp = path.join(dir, "tmp");
    mkdirSync(tmp);
    const env = { TMPDIR: tmp };
    const first = await runLuigi(["--module", "pipeline.ts", "Greet", "--name", "a", "--local-scheduler"], {
      cwd: dir,
      env,
    });
    expect(first.code).toBe(0);
    expect(readFileSync(path.join(out, "a.txt"), "utf8")).toBe("hello a");
    // esbuild was loaded and compiled both modules; tsx kept them.
    const cached = cachedFiles(tmp);
    expect(cached.length).toBeGreaterThanOrEqual(2);

    const second = await runLuigi(["--module", "pipeline.ts", "Greet", "--name", "b", "--local-scheduler"], {
      cwd: dir,
      env,
    });
    expect(second.code).toBe(0);
    expect(readFileSync(path.join(out, "b.txt"), "utf8")).toBe("hello b");
    expect(cachedFiles(tmp).sort()).toEqual(cached.sort());
  });

  it("says which imported .ts module does not compile", async () => {
    const { dir } = project();
    writeFileSync(path.join(dir, "greeting.ts"), "export function greeting(name: string): string {\n");
    const result = await runLuigi(["--module", "pipeline.ts", "Greet", "--name", "a", "--local-scheduler"], {
      cwd: dir,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--module pipeline.ts: could not load it");
    expect(result.stderr).toContain("greeting.ts");
  });

  it("is one file that imports neither tsx nor esbuild: esbuild is required on tsx's first compile", () => {
    const hooks = readFileSync(path.join(ROOT, "dist/bundle/esm-hooks.js"), "utf8");
    const imported = [...hooks.matchAll(/^import\b[^"]*"([^"]+)"/gm)].map((m) => m[1] ?? "");
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((spec) => !spec.startsWith("node:") && !/^(fs|os|path)$/.test(spec))).toEqual([]);
    expect(hooks).toMatch(/\brequire\d*\("esbuild"\)/);
    const licences = readFileSync(path.join(ROOT, "dist/bundle/THIRD-PARTY-LICENSES.txt"), "utf8");
    expect(licences).toMatch(/^tsx \d+\.\d+\.\d+ \(bundled into esm-hooks\.js\)/);
    expect(licences).toContain("MIT License");
  });
});
