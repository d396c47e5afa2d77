import { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from "../scheduler/options.js";
import type { LuigiConfig } from "./config.js";

/**
 * The `[scheduler]` section plus `[resources]` as SchedulerOptions (SPEC 2.10). Step history is
 * `record_step_history`; Luigi's `record_task_history` is accepted when the new name is absent.
 */
export function schedulerConfig(cfg: LuigiConfig): SchedulerOptions {
  const d = DEFAULT_SCHEDULER_OPTIONS;
  const s = "scheduler";
  const historyKey = cfg.has(s, "record_step_history") ? "record_step_history" : "record_task_history";
  const resources: Record<string, number> = {};
  // [resources] never inherits [DEFAULT] keys (LuigiConfig excludes them), so every key is a declared capacity.
  for (const name of Object.keys(cfg.section("resources"))) {
    resources[name] = cfg.getInt("resources", name, 1);
  }
  return {
    retryDelay: cfg.getFloat(s, "retry_delay", d.retryDelay),
    removeDelay: cfg.getFloat(s, "remove_delay", d.removeDelay),
    workerDisconnectDelay: cfg.getFloat(s, "worker_disconnect_delay", d.workerDisconnectDelay),
    statePath: cfg.getString(s, "state_path", d.statePath),
    disableWindow: cfg.getInt(s, "disable_window", d.disableWindow),
    retryCount: cfg.getInt(s, "retry_count", d.retryCount),
    disableHardTimeout: cfg.getInt(s, "disable_hard_timeout", d.disableHardTimeout),
    disablePersist: cfg.getInt(s, "disable_persist", d.disablePersist),
    maxShownTasks: cfg.getInt(s, "max_shown_tasks", d.maxShownTasks),
    maxGraphNodes: cfg.getInt(s, "max_graph_nodes", d.maxGraphNodes),
    recordStepHistory: cfg.getBool(s, historyKey, d.recordStepHistory),
    pruneOnGetWork: cfg.getBool(s, "prune_on_get_work", d.pruneOnGetWork),
    pauseEnabled: cfg.getBool(s, "pause_enabled", d.pauseEnabled),
    sendMessages: cfg.getBool(s, "send_messages", d.sendMessages),
    stableDoneCooldownSecs: cfg.getFloat(s, "stable_done_cooldown_secs", d.stableDoneCooldownSecs),
    batchEmails: cfg.getBool(s, "batch_emails", d.batchEmails),
    metricsCollector: cfg.getString(s, "metrics_collector", d.metricsCollector),
    resources,
  };
}
