/** Scheduler settings: the `[scheduler]` section (SPEC 2.10) plus `[resources]`. Times are in seconds. */
export interface SchedulerOptions {
  /** FAILED -> PENDING after this long; negative: never automatically. Default 900. */
  retryDelay: number;
  /** Delete a step this long after its last stakeholder disappears. Default 600. */
  removeDelay: number;
  /** A worker silent this long is considered gone. Default 60. */
  workerDisconnectDelay: number;
  /** Where luigid keeps its state. Default "/var/lib/luigi-server/state.pickle" (luigid --state-path overrides). */
  statePath: string;
  /** Window in which failures are counted. Default 3600. */
  disableWindow: number;
  /** Failures within the window that disable a step. Default 999999999 (effectively off). */
  retryCount: number;
  /** Disable on any failure this long after the first one. Default 999999999. */
  disableHardTimeout: number;
  /** How long a scheduler disable lasts. Default 86400. */
  disablePersist: number;
  /** task_list answers only a count above this. Default 100000. */
  maxShownTasks: number;
  /** Graph queries stop after this many nodes. Default 100000. */
  maxGraphNodes: number;
  /** Record a step history (luigid only). Default false. */
  recordStepHistory: boolean;
  /** Prune on every get_work (the local scheduler forces true). Default false. */
  pruneOnGetWork: boolean;
  /** Allow pause/unpause. Default true. */
  pauseEnabled: boolean;
  /** Allow scheduler -> step messages. Default true. */
  sendMessages: boolean;
  /** Ignore PENDING claims this soon after DONE. Default 10. */
  stableDoneCooldownSecs: number;
  /** luigid mails digests of failures and disables ([batch_email]) instead of a mail per disable. Default false. */
  batchEmails: boolean;
  /** "default" | "none" | "prometheus" | ... Default "default". */
  metricsCollector: string;
  /** luigi-ts: bytes of a step's captured log kept (its head and its tail; the middle is cut). Default 262144. */
  stepLogBytes: number;
  /**
   * luigi-ts: bytes of captured logs kept in all; past it the least recently written go; 0 keeps none
   * (what `luigi --local-scheduler` uses). Default 268435456.
   */
  stepLogMemory: number;
  /** Capacities from `[resources]`; an undeclared resource has capacity 1. Default {}. */
  resources: Record<string, number>;
}

export const DEFAULT_SCHEDULER_OPTIONS: Readonly<SchedulerOptions> = Object.freeze({
  retryDelay: 900,
  removeDelay: 600,
  workerDisconnectDelay: 60,
  statePath: "/var/lib/luigi-server/state.pickle",
  disableWindow: 3600,
  retryCount: 999999999,
  disableHardTimeout: 999999999,
  disablePersist: 86400,
  maxShownTasks: 100000,
  maxGraphNodes: 100000,
  recordStepHistory: false,
  pruneOnGetWork: false,
  pauseEnabled: true,
  sendMessages: true,
  stableDoneCooldownSecs: 10,
  batchEmails: false,
  metricsCollector: "default",
  stepLogBytes: 262_144,
  stepLogMemory: 268_435_456,
  resources: Object.freeze({}) as Record<string, number>,
});
