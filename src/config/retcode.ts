import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

/**
 * The `[retcode]` section: the `luigi` exit status is the largest code whose condition holds (SPEC 6.3).
 * Keys keep Luigi's names (`task_failed`, ...; flags `--retcode-task-failed`).
 */
export interface RetcodeConfig {
  /** An uncaught error ended the command. Default 4. */
  unhandledException: number;
  /** An external dependency was missing (`missing_data`). Default 20. */
  missingData: number;
  /** A step failed (`task_failed`). Default 30. */
  taskFailed: number;
  /** The pid lock was held, or a step was run by another worker (`already_running`). Default 10. */
  alreadyRunning: number;
  /** `complete()` or `requires()` threw while scheduling (`scheduling_error`). Default 35. */
  schedulingError: number;
  /** A step was not run for another reason, or the root was not completed (`not_run`). Default 25. */
  notRun: number;
  /**
   * luigi-ts: nothing answered at the scheduler's address when the command started (no luigid there, a
   * forgotten `--local-scheduler`), so nothing was run (`scheduler_unreachable`). Default 15.
   */
  schedulerUnreachable: number;
}

/**
 * luigi-ts deliberately differs from Luigi here: Luigi defaults every code but unhandled_exception to 0,
 * so a failed pipeline "succeeds" in shell scripts and CI. We default to the values Luigi's docs recommend.
 */
export const DEFAULT_RETCODES: Readonly<RetcodeConfig> = Object.freeze({
  unhandledException: 4,
  missingData: 20,
  taskFailed: 30,
  alreadyRunning: 10,
  schedulingError: 35,
  notRun: 25,
  schedulerUnreachable: 15,
});

const d = DEFAULT_RETCODES;

/** The `[retcode]` keys; flags `--retcode-<key>`. */
export const RETCODE_SECTION = defineSection({
  name: "retcode",
  flags: "prefixed",
  help: "luigi's exit code: the largest of those whose condition holds",
  keys: {
    unhandled_exception: key.int(d.unhandledException, "luigi-ts itself failed"),
    missing_data: key.int(d.missingData, "an external dependency is missing"),
    task_failed: key.int(d.taskFailed, "a step failed"),
    already_running: key.int(d.alreadyRunning, "the process lock is held, or another worker ran a step"),
    scheduling_error: key.int(d.schedulingError, "complete() or requires() threw while scheduling"),
    not_run: key.int(d.notRun, "steps were left pending, or the root step did not complete"),
    scheduler_unreachable: key.int(
      d.schedulerUnreachable,
      "nothing answered at the scheduler's URL when luigi started: nothing was run",
    ),
  },
});

export function retcodeConfig(cfg: LuigiConfig): RetcodeConfig {
  const v = readSection(cfg, RETCODE_SECTION);
  return {
    unhandledException: v.unhandled_exception,
    missingData: v.missing_data,
    taskFailed: v.task_failed,
    alreadyRunning: v.already_running,
    schedulingError: v.scheduling_error,
    notRun: v.not_run,
    schedulerUnreachable: v.scheduler_unreachable,
  };
}
