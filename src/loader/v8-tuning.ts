/**
 * V8 settings for the `luigi` command, applied when this module is evaluated: bin/luigi.js imports it
 * before anything else, so that every function the worker loads afterwards is created with them.
 *
 * Why: a `luigi` process is short-lived and spends its time in many small, varied calls (building steps,
 * checking outputs, encoding registrations). With V8's default interrupt budget, TurboFan starts compiling
 * those functions after a few thousand calls, on background threads. On a small machine that compiling
 * costs a third of a worker's CPU time (measured: walking a 10,000-step graph takes 340 ms of CPU with the
 * default, 260 ms with a 16 times larger budget, at the same wall time) and, with several workers, it
 * takes the cores the other processes need. Code that really is hot, such as a step's own loop, still
 * reaches the larger budget within milliseconds and is optimised as before.
 *
 * An explicit `--interrupt-budget` in NODE_OPTIONS or on node's command line wins.
 */
import { setFlagsFromString } from "node:v8";

/** V8's interrupt budget for the luigi command (V8 11's default is 67,584 bytes of bytecode). */
export const LUIGI_INTERRUPT_BUDGET = 1024 * 1024;

/** Whether node's own arguments or NODE_OPTIONS already set the interrupt budget. */
export function interruptBudgetGiven(execArgv: readonly string[], nodeOptions = ""): boolean {
  return [...execArgv, nodeOptions].some((arg) => /--interrupt[-_]budget(?:[=\s]|$)/.test(arg));
}

if (!interruptBudgetGiven(process.execArgv, process.env.NODE_OPTIONS)) {
  setFlagsFromString(`--interrupt-budget=${LUIGI_INTERRUPT_BUDGET}`);
}
