import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";

let registered = false;

/**
 * Lets `import()` load TypeScript directly, once per process: tsx's ESM loader (`tsx/esm`, what
 * `node --import tsx/esm` installs), registered here the way tsx's own register() does it, and then
 * luigi-ts's own hooks (esm-hooks.ts), which wrap tsx's: a user's `.ts` file is an ES module whatever
 * its package.json says, and `--module package` resolves from the user's directory.
 *
 * Why not tsx's register() API: importing it loads tsx and esbuild into this thread as well as into the
 * loader's thread. And luigi-ts itself is loaded before the loader exists, so that the pipeline's
 * `import ... from "luigi-ts"` finds it in the module cache instead of sending every module of the
 * package through the loader thread. Together, a process that loads luigi-ts and a .ts pipeline uses
 * 0.20 s of CPU instead of 0.34 s (0.13 s for the same pipeline as .js); `luigi` running a one-step .ts
 * pipeline, 0.25 s instead of 0.31 s. luigi-ts's hooks add no measurable time (one small module in the
 * same thread).
 */
export async function enableModuleHooks(): Promise<void> {
  if (registered) return;
  await import("../index.js");
  // tsx's loader expects a port to talk to its register() (it only answers "deactivate" on it).
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  register("tsx/esm", { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
  register("./esm-hooks.js", import.meta.url);
  // As tsx's register() does: stack traces then point into the .ts source, not the compiled text.
  process.setSourceMapsEnabled(true);
  registered = true;
}
