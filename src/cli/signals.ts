/**
 * How `luigi` answers signals. SIGINT (Ctrl-C) and SIGTERM: stop taking work, tell the running steps
 * through `this.signal`, wait for them to end, print the summary and exit 130 (SIGINT) or 143 (SIGTERM).
 * The same signal again exits at once (child processes running steps are killed). SIGUSR1: finish the
 * running steps, take no new ones, then exit as usual (Luigi's "phase out").
 */
import type { Logger } from "../log/logger.js";

/** 128 + the signal's number, as shells report a process ended by it. */
export const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: 130, SIGTERM: 143 };

export interface StopTarget {
  interrupt(reason: string): void;
  phaseOut(): void;
}

export interface StopSignals {
  /** The first stop signal received, if any. */
  readonly received: "SIGINT" | "SIGTERM" | undefined;
  uninstall(): void;
}

export function installStopSignals(options: {
  target: StopTarget;
  log: Logger;
  stderr: NodeJS.WritableStream;
  /** Install the SIGUSR1 phase-out handler (`[worker] no_install_shutdown_handler` false). */
  phaseOutOnUsr1: boolean;
  /** Called on the second stop signal, just before the process exits. */
  beforeHardExit?: () => void;
}): StopSignals {
  let received: "SIGINT" | "SIGTERM" | undefined;
  const onStop = (signal: "SIGINT" | "SIGTERM"): void => {
    if (received !== undefined) {
      options.stderr.write(`\nluigi: ${signal} again: exiting now\n`);
      options.beforeHardExit?.();
      process.exit(SIGNAL_EXIT[received]);
    }
    received = signal;
    options.stderr.write(
      `\nluigi: ${signal}: stopping; the running steps were told to stop (${signal === "SIGINT" ? "Ctrl-C" : signal} again exits at once)\n`,
    );
    options.target.interrupt(signal);
  };
  const onInt = (): void => onStop("SIGINT");
  const onTerm = (): void => onStop("SIGTERM");
  const onUsr1 = (): void => {
    options.log.info("SIGUSR1: finishing running steps, then stopping");
    options.target.phaseOut();
  };
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  if (options.phaseOutOnUsr1) process.on("SIGUSR1", onUsr1);
  return {
    get received() {
      return received;
    },
    uninstall() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      process.off("SIGUSR1", onUsr1);
    },
  };
}
