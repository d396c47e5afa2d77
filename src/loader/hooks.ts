import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";

let registered = false;

/**
 * Lets `import()` load TypeScript directly, once per process: the hooks of esm-hooks.ts (tsx's loader,
 * with luigi-ts's resolve around it: a user's `.ts` file is an ES module whatever its package.json
 * says, and `--module package` resolves from the user's directory), registered the way tsx's own
 * register() registers tsx's.
 *
 * Why not tsx's register() API: importing it loads tsx and esbuild into this thread as well as into the
 * loader's thread. And luigi-ts itself is loaded before the loader exists, so that the pipeline's
 * `import ... from "luigi-ts"` finds it in the module cache instead of sending every module of the
 * package through the loader thread. Together, a process that loads luigi-ts and a .ts pipeline used
 * 0.20 s of CPU instead of 0.34 s (0.13 s for the same pipeline as .js); bundling tsx into esm-hooks.js
 * took about 0.055 s more off (docs/architecture.md, "Start-up").
 */
export async function enableModuleHooks(): Promise<void> {
  if (registered) return;
  await import("../index.js");
  // tsx's loader expects a port to talk to its register() (it only answers "deactivate" on it).
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  register("./esm-hooks.js", { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
  // As tsx's register() does: stack traces then point into the .ts source, not the compiled text.
  process.setSourceMapsEnabled(true);
  registered = true;
}
