/**
 * A helper's CPU priority (fleet help): a worker started on a graph that another worker already walks
 * (every step it was asked to run is left to that walk) only runs what that walk registers, so it yields
 * the CPU to the walker. On a machine with more worker processes than cores the helpers otherwise take
 * an equal share each and starve the one walk whose registrations they are all waiting for: eight
 * workers on two cores, 20,000 trivial steps, the walker had a fifth of a core while it walked
 * (docs/scaling.md, "Adding workers"). Across machines, or with cores to spare, it changes nothing.
 */
import { getPriority, setPriority } from "node:os";
import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";

/** `[worker] helper_nice`'s default: the nice value a helper takes (0 = keep its priority). */
export const DEFAULT_HELPER_NICE = 10;

/** Highest nice value (the lowest priority) on Unix-like systems. */
export const MAX_NICE = 19;

/**
 * Lowers this process's CPU priority to nice `nice`, unless it is already that low or lower (it is never
 * raised: an unprivileged process could not raise it back anyway). A system that refuses is logged, not
 * an error: the priority is a courtesy to the walker, not something the run needs.
 */
export function lowerToNice(nice: number, log: Logger): void {
  if (nice <= 0) return;
  try {
    if (getPriority() >= nice) return;
    setPriority(nice);
    log.debug({ nice }, "helping another worker's walk: CPU priority lowered (helper_nice)");
  } catch (err) {
    log.debug({ err: describeThrown(err).message }, "could not lower the CPU priority (helper_nice)");
  }
}
