import { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from "../scheduler/options.js";
import { ConfigError } from "../errors.js";
import { MIN_LOG_TAIL_BYTES } from "../log/step-log.js";
import { maskUrl } from "../contrib/shared/mask.js";
import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

const d = DEFAULT_SCHEDULER_OPTIONS;

/** The `[scheduler]` keys (SPEC 2.10); flags `--scheduler-<key>` (for the local scheduler). */
export const SCHEDULER_SECTION = defineSection({
  name: "scheduler",
  flags: "prefixed",
  help: "the scheduler's rules (luigid's, or the local scheduler's)",
  keys: {
    retry_delay: key.float(d.retryDelay, "seconds before a failed step is PENDING again; negative: never"),
    remove_delay: key.float(d.removeDelay, "seconds a step is kept once no worker wants it"),
    worker_disconnect_delay: key.float(
      d.workerDisconnectDelay,
      "seconds of silence after which a worker is gone",
    ),
    state_path: key.string(d.statePath, "where luigid keeps its state (luigid --state-path wins)"),
    state_url: key.string(
      "",
      "postgresql://... : luigid keeps its state in PostgreSQL (instead of state_path)",
      {
        flag: false,
      },
    ),
    advertised_url: key.string("", "the URL a standby names for this luigid when it is active", {
      flag: false,
    }),
    disable_window: key.int(d.disableWindow, "seconds in which failures count toward retry_count"),
    retry_count: key.int(d.retryCount, "failures within disable_window that disable a step"),
    disable_hard_timeout: key.int(
      d.disableHardTimeout,
      "disable a step failing this many seconds after its first failure",
    ),
    disable_persist: key.int(d.disablePersist, "seconds a disabled step stays disabled"),
    max_shown_tasks: key.int(d.maxShownTasks, "task_list answers only a count above this many steps"),
    max_graph_nodes: key.int(d.maxGraphNodes, "graph queries stop after this many steps"),
    record_step_history: key.bool(d.recordStepHistory, "luigid records a step history (see [step_history])"),
    prune_on_get_work: key.bool(
      d.pruneOnGetWork,
      "prune on every get_work (the local scheduler always does)",
    ),
    pause_enabled: key.bool(d.pauseEnabled, "allow pausing the scheduler"),
    send_messages: key.bool(d.sendMessages, "allow messages from the visualiser to running steps"),
    stable_done_cooldown_secs: key.float(
      d.stableDoneCooldownSecs,
      "seconds after DONE in which PENDING claims are ignored",
    ),
    batch_emails: key.bool(d.batchEmails, "luigid mails digests ([batch_email]) instead of each disable"),
    metrics_collector: key.string(
      d.metricsCollector,
      "accepted for Luigi; luigid serves Prometheus /metrics",
    ),
    step_log_bytes: key.int(d.stepLogBytes, "bytes of a step's captured log luigid keeps (head and tail)"),
    step_log_memory: key.int(d.stepLogMemory, "bytes of captured step logs luigid keeps in all; 0 = none"),
    prune_interval: key.float(1, "seconds between two prunes in luigid (Luigi: 60)", { flag: false }),
    compaction_thread: key.bool(
      true,
      "luigid folds its journal into a snapshot in a worker thread (false: on the event loop)",
      { flag: false },
    ),
    certfile: key.string("", "luigid's TLS certificate chain (PEM); with keyfile, luigid serves HTTPS", {
      flag: false,
    }),
    keyfile: key.string("", "the private key (PEM) of certfile", { flag: false }),
  },
  // Luigi's name for record_step_history, read when the new name is absent.
  legacy: (name) =>
    name === "record_step_history" ? { section: "scheduler", key: "record_task_history" } : undefined,
});

function atLeast(name: string, value: number, min: number): number {
  if (value >= min) return value;
  throw new ConfigError(`[scheduler] ${name} = ${value}: expected at least ${min}`, {
    section: "scheduler",
    key: name,
    value: String(value),
    expected: `an integer >= ${min}`,
  });
}

/**
 * The `[scheduler]` section plus `[resources]` as SchedulerOptions (SPEC 2.10). Step history is
 * `record_step_history`; Luigi's `record_task_history` is accepted when the new name is absent.
 */
export function schedulerConfig(cfg: LuigiConfig): SchedulerOptions {
  const v = readSection(cfg, SCHEDULER_SECTION);
  const resources: Record<string, number> = {};
  // [resources] never inherits [DEFAULT] keys (LuigiConfig excludes them), so every key is a declared capacity.
  for (const name of Object.keys(cfg.section("resources"))) {
    resources[name] = cfg.getInt("resources", name, 1);
  }
  return {
    retryDelay: v.retry_delay,
    removeDelay: v.remove_delay,
    workerDisconnectDelay: v.worker_disconnect_delay,
    statePath: v.state_path,
    disableWindow: v.disable_window,
    retryCount: v.retry_count,
    disableHardTimeout: v.disable_hard_timeout,
    disablePersist: v.disable_persist,
    maxShownTasks: v.max_shown_tasks,
    maxGraphNodes: v.max_graph_nodes,
    recordStepHistory: v.record_step_history,
    pruneOnGetWork: v.prune_on_get_work,
    pauseEnabled: v.pause_enabled,
    sendMessages: v.send_messages,
    stableDoneCooldownSecs: v.stable_done_cooldown_secs,
    batchEmails: v.batch_emails,
    metricsCollector: v.metrics_collector,
    stepLogBytes: atLeast("step_log_bytes", v.step_log_bytes, MIN_LOG_TAIL_BYTES),
    stepLogMemory: atLeast("step_log_memory", v.step_log_memory, 0),
    resources,
  };
}

/** Whether luigid compacts its journal in a worker thread (`[scheduler] compaction_thread`). Default true. */
export function compactionThreadConfig(cfg: LuigiConfig): boolean {
  return readSection(cfg, SCHEDULER_SECTION).compaction_thread;
}

/** Seconds between two prunes in luigid (`[scheduler] prune_interval`; luigid's alone). Default 1. */
export function pruneIntervalConfig(cfg: LuigiConfig): number {
  return readSection(cfg, SCHEDULER_SECTION).prune_interval;
}

/** Where luigid's TLS certificate and key are (`[scheduler] certfile` / `keyfile`); "" = not set. */
export interface TlsFilesConfig {
  certFile: string;
  keyFile: string;
}

/** `[scheduler] certfile` and `keyfile` (luigid's alone; `--certfile` / `--keyfile` win). Default "". */
export function tlsFilesConfig(cfg: LuigiConfig): TlsFilesConfig {
  const v = readSection(cfg, SCHEDULER_SECTION);
  return { certFile: v.certfile.trim(), keyFile: v.keyfile.trim() };
}

/** Where luigid keeps its state: files at a path, or PostgreSQL tables at a URL. */
export type StateWhere = { kind: "file"; statePath: string } | { kind: "postgresql"; stateUrl: string };

/**
 * `[scheduler] state_url` or `state_path` (`--state-path` given as `flagPath`). Both at once is a
 * ConfigError: they name two different states. The URL's password never appears in the message.
 */
export function stateWhereConfig(cfg: LuigiConfig, flagPath?: string): StateWhere {
  const v = readSection(cfg, SCHEDULER_SECTION);
  const url = v.state_url.trim();
  if (url === "") return { kind: "file", statePath: flagPath ?? v.state_path };
  const pathGiven =
    flagPath !== undefined
      ? "--state-path"
      : cfg.has("scheduler", "state_path")
        ? "[scheduler] state_path"
        : "";
  if (pathGiven !== "") {
    throw new ConfigError(
      `[scheduler] state_url and ${pathGiven} are both set: luigid keeps its state in one place; remove one`,
      {
        section: "scheduler",
        key: "state_url",
        value: maskUrl(url),
        expected: "state_url or state_path, not both",
      },
    );
  }
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new ConfigError(`[scheduler] state_url = ${maskUrl(url)}: expected a postgresql:// URL`, {
      section: "scheduler",
      key: "state_url",
      value: maskUrl(url),
      expected: "postgresql://user:password@host:port/database",
    });
  }
  return { kind: "postgresql", stateUrl: url };
}

/** `[scheduler] advertised_url`; "" = derived from the address luigid listens on. */
export function advertisedUrlConfig(cfg: LuigiConfig): string {
  return readSection(cfg, SCHEDULER_SECTION).advertised_url.trim();
}
