/**
 * The process groups of the external programs running in this process (ExternalProgramStep). Each
 * program is started as the leader of its own group, so that a timeout or a stop kills what it started
 * too (a shell's children); but a group of its own is out of reach of the signals sent to the worker's
 * group (Ctrl-C), and it survives this process. So the groups are tracked here: when this process
 * exits, however it exits short of SIGKILL, they are killed; and a listener (the child process of a
 * worker with `isolation = process`) tells its parent, which kills them should it have to SIGKILL the
 * child (a timeout, a second Ctrl-C).
 */

const live = new Set<number>();
let listener: ((pgid: number, running: boolean) => void) | undefined;
let exitHook = false;

/** Kills every tracked group with `signal`; a group that is gone already is skipped. */
export function killProgramGroups(signal: NodeJS.Signals = "SIGKILL"): void {
  for (const pgid of live) killGroup(pgid, signal);
}

/** Sends `signal` to the group `pgid`; false when no such group is left. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** A program started, leader of group `pgid`. */
export function trackProgramGroup(pgid: number): void {
  if (!exitHook) {
    exitHook = true;
    // Synchronous, as 'exit' handlers must be: the signal is sent before this process is gone.
    process.on("exit", () => killProgramGroups("SIGKILL"));
  }
  live.add(pgid);
  listener?.(pgid, true);
}

/** The program leading `pgid` exited (what it left in its group is its own). */
export function untrackProgramGroup(pgid: number): void {
  if (!live.delete(pgid)) return;
  listener?.(pgid, false);
}

/** Tells `fn` of every group started and ended from now on (one listener: the child process entry). */
export function onProgramGroups(fn: (pgid: number, running: boolean) => void): void {
  listener = fn;
  for (const pgid of live) fn(pgid, true);
}
