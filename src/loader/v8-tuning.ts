/**
 * V8 settings for the `luigi` commands (and a step's child process): a larger interrupt budget, set once
 * the command has started (applyV8Tuning(), called after the pipeline module is loaded), not before.
 *
 * Why the budget: a `luigi` process is short-lived and spends its time in many small, varied calls
 * (building steps, checking outputs, encoding registrations). With V8's default interrupt budget,
 * TurboFan starts compiling those functions after a few thousand calls, on background threads. On a small
 * machine that compiling costs a third of a worker's CPU time (measured: walking a 10,000-step graph takes
 * 340 ms of CPU with the default, 260 ms with a 16 times larger budget, at the same wall time) and, with
 * several workers, it takes the cores the other processes need. Code that really is hot, such as a step's
 * own loop, still reaches the larger budget within milliseconds and is optimised as before. V8 reads the
 * budget each time it resets a function's, so functions created before the change take it up too.
 *
 * Why not before start-up: V8 accepts a code cache only when the flags are those it was made with, and
 * Node's built-in modules are compiled from the code cache in its binary. Once a flag is changed, every
 * built-in module loaded afterwards is compiled from source: the module-hooks thread of a `.ts` pipeline
 * (a whole Node.js bootstrap) then cost 25 to 50 ms more CPU, and `https` or `child_process` twice their
 * load time (docs/architecture.md, "Start-up").
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

/** "wanted": a command asked for the settings; "applied": they are set (or the user's budget stands). */
let state: "off" | "wanted" | "applied" = "off";

/**
 * Asks for the luigi command's V8 settings in this process (bin/luigi.js and the other commands call it
 * first): applyV8Tuning() then sets them. Code that runs main() inside another program (tests, an
 * embedding) does not call it, and its V8 flags are left alone.
 */
export function useV8Tuning(): void {
  if (state === "off") state = "wanted";
}

/** Sets the settings useV8Tuning() asked for, once: call it when start-up has loaded what it needs. */
export function applyV8Tuning(): void {
  if (state !== "wanted") return;
  state = "applied";
  if (!interruptBudgetGiven(process.execArgv, process.env.NODE_OPTIONS)) {
    setFlagsFromString(`--interrupt-budget=${LUIGI_INTERRUPT_BUDGET}`);
  }
}

/** Whether applyV8Tuning() changed V8's flags in this process (for tests). */
export function v8TuningApplied(): boolean {
  return state === "applied" && !interruptBudgetGiven(process.execArgv, process.env.NODE_OPTIONS);
}
