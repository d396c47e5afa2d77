import { existsSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { ErrorCode, UsageError } from "../errors.js";
import { registerClass } from "../step/registry.js";
import { Step } from "../step/step.js";

let tsxRegistered = false;

/**
 * Lets `import()` load TypeScript directly, once per process: tsx's ESM loader (`tsx/esm`, what
 * `node --import tsx/esm` installs), registered here the way tsx's own register() does it.
 *
 * Why not tsx's register() API: importing it loads tsx and esbuild into this thread as well as into the
 * loader's thread. And luigi-ts itself is loaded before the loader exists, so that the pipeline's
 * `import ... from "luigi-ts"` finds it in the module cache instead of sending every module of the
 * package through the loader thread. Together, a process that loads luigi-ts and a .ts pipeline uses
 * 0.20 s of CPU instead of 0.34 s (0.13 s for the same pipeline as .js); `luigi` running a one-step .ts
 * pipeline, 0.25 s instead of 0.31 s.
 */
async function enableTypeScript(): Promise<void> {
  if (tsxRegistered) return;
  await import("../index.js");
  // tsx's loader expects a port to talk to its register() (it only answers "deactivate" on it).
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  register("tsx/esm", { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
  // As tsx's register() does: stack traces then point into the .ts source, not the compiled text.
  process.setSourceMapsEnabled(true);
  tsxRegistered = true;
}

/**
 * Imports the user's pipeline module (`.ts`, `.mts`, `.js`, `.mjs`, or a package name) and registers
 * every step class it exports. Returns the exported step classes.
 */
export async function loadStepModule(specifier: string, cwd = process.cwd()): Promise<(typeof Step)[]> {
  const isPath = specifier.startsWith(".") || specifier.startsWith("/") || /\.[cm]?[jt]sx?$/.test(specifier);
  let url: string;
  if (isPath) {
    const abs = path.resolve(cwd, specifier);
    if (!existsSync(abs)) {
      throw new UsageError(
        `--module ${specifier}: no such file (${abs})`,
        { module: specifier },
        ErrorCode.MODULE_LOAD,
      );
    }
    url = pathToFileURL(abs).href;
  } else {
    url = specifier;
  }
  // Plain JavaScript needs no loader: tsx's starts a thread and costs a worker about 0.07 s at start.
  if (!isPath || /\.[cm]?tsx?$/.test(specifier)) await enableTypeScript();
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    // A .ts file in a package without "type": "module" is compiled as CommonJS, which cannot import
    // luigi-ts (an ES module) from inside luigi's own module graph.
    const hint =
      code === "ERR_REQUIRE_CYCLE_MODULE" || code === "ERR_REQUIRE_ESM"
        ? ' It is loaded as CommonJS: add "type": "module" to your package.json (npm pkg set type=module) or name the file .mts.'
        : "";
    throw new UsageError(
      `--module ${specifier}: could not load it: ${reason}${hint}`,
      { module: specifier },
      ErrorCode.MODULE_LOAD,
    );
  }
  const classes: (typeof Step)[] = [];
  for (const value of Object.values(namespace)) {
    if (typeof value === "function" && value.prototype instanceof Step) {
      const cls = value as typeof Step;
      if (!Object.prototype.hasOwnProperty.call(cls, "stepModule")) cls.stepModule = specifier;
      registerClass(cls);
      classes.push(cls);
    }
  }
  return classes;
}
