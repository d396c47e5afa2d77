import type { LuigiConfig } from "./config.js";

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

export function retcodeConfig(cfg: LuigiConfig): RetcodeConfig {
  const d = DEFAULT_RETCODES;
  return {
    unhandledException: cfg.getInt("retcode", "unhandled_exception", d.unhandledException),
    missingData: cfg.getInt("retcode", "missing_data", d.missingData),
    taskFailed: cfg.getInt("retcode", "task_failed", d.taskFailed),
    alreadyRunning: cfg.getInt("retcode", "already_running", d.alreadyRunning),
    schedulingError: cfg.getInt("retcode", "scheduling_error", d.schedulingError),
    notRun: cfg.getInt("retcode", "not_run", d.notRun),
    schedulerUnreachable: cfg.getInt("retcode", "scheduler_unreachable", d.schedulerUnreachable),
  };
}
