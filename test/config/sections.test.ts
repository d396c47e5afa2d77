import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import {
  coreConfig,
  DEFAULT_RETCODES,
  LuigiConfig,
  retcodeConfig,
  schedulerConfig,
  stepDefaults,
  workerConfig,
} from "../../src/config/index.js";
import { DEFAULT_SCHEDULER_OPTIONS } from "../../src/scheduler/options.js";

const cfg = (text: string) => LuigiConfig.fromString(text, "cfg", "luigi.cfg");
const empty = () => cfg("");

describe("coreConfig", () => {
  it("has Luigi's defaults", () => {
    expect(coreConfig(empty())).toEqual({
      localScheduler: false,
      schedulerHost: "localhost",
      schedulerPort: 8082,
      schedulerUrl: "",
      workers: 1,
      module: "",
      assistant: false,
      noLock: false,
      lockSize: 1,
      lockPidDir: join(tmpdir(), "luigi"),
      takeLock: false,
      parallelScheduling: false,
      parallelSchedulingProcesses: 0,
      logLevel: "DEBUG",
      logFormat: "pretty",
      noConfigureLogging: false,
      rpcConnectTimeout: 10,
      rpcRetryAttempts: 3,
      rpcRetryWait: 30,
      rpcLogRetries: true,
      rpcCaFile: "",
      schedulerToken: "",
      autoloadRange: true,
    });
  });

  it("reads overrides, dashed keys and legacy default-scheduler-* names", () => {
    const c = cfg(
      [
        "[core]",
        "local-scheduler = true",
        "default-scheduler-host = old",
        "default-scheduler-port = 9000",
        "scheduler_url = http://s:1",
        "workers = 4",
        "module = pipe",
        "assistant = yes",
        "no_lock = on",
        "lock_size = 2",
        "lock_pid_dir = /run/luigi",
        "take_lock = 1",
        "log_level = warn",
        "log_format = JSON",
        "rpc_connect_timeout = 2.5",
        "rpc_retry_attempts = 5",
        "rpc_retry_wait = 1",
        "rpc_log_retries = false",
        "rpc_ca_file = /etc/luigi/ca.pem ",
      ].join("\n"),
    );
    expect(coreConfig(c)).toMatchObject({
      localScheduler: true,
      schedulerHost: "old",
      schedulerPort: 9000,
      schedulerUrl: "http://s:1",
      workers: 4,
      module: "pipe",
      assistant: true,
      noLock: true,
      lockSize: 2,
      lockPidDir: "/run/luigi",
      takeLock: true,
      logLevel: "WARNING",
      logFormat: "json",
      rpcConnectTimeout: 2.5,
      rpcRetryAttempts: 5,
      rpcRetryWait: 1,
      rpcLogRetries: false,
      rpcCaFile: "/etc/luigi/ca.pem",
    });
    expect(c.warnings).toContain("[core] default-scheduler-host is deprecated; use scheduler_host");
    c.set("core", "scheduler_host", "new");
    expect(coreConfig(c).schedulerHost).toBe("new");
  });

  it("rejects an unknown log level or format", () => {
    expect(() => coreConfig(cfg("[core]\nlog_level = LOUD\n"))).toThrow(ConfigError);
    expect(() => coreConfig(cfg("[core]\nlog_format = xml\n"))).toThrow(/expected one of pretty, json/);
  });
});

describe("workerConfig", () => {
  it("has Luigi's defaults plus luigi-ts's own keys", () => {
    expect(workerConfig(empty())).toEqual({
      id: "",
      pingInterval: 1,
      keepAlive: false,
      countUniques: false,
      countLastScheduled: false,
      waitInterval: 1,
      waitJitter: 5,
      maxKeepAliveIdleDuration: 0,
      maxReschedules: 1,
      timeout: 0,
      taskLimit: null,
      retryExternalTasks: false,
      checkUnfulfilledDeps: true,
      checkCompleteOnRun: false,
      cacheTaskCompletion: false,
      trustSchedulerDone: true,
      fleetHelp: true,
      helperNice: 10,
      sendFailureEmail: true,
      noInstallShutdownHandler: false,
      forceMultiprocessing: false,
      isolation: "auto",
      completionConcurrency: 16,
      workBatchSize: 32,
      logCapture: true,
      logTailBytes: 262144,
      logRedact: [],
    });
  });

  it("reads overrides", () => {
    const c = cfg(
      [
        "[worker]",
        "id = w1",
        "ping_interval = 0.5",
        "keep_alive = true",
        "count_uniques = true",
        "count_last_scheduled = true",
        "wait_interval = 2",
        "wait_jitter = 0",
        "max_keep_alive_idle_duration = 1 hour",
        "max_reschedules = 3",
        "timeout = 60",
        "task_limit = 10",
        "retry_external_tasks = true",
        "check_unfulfilled_deps = false",
        "check_complete_on_run = true",
        "cache_task_completion = true",
        "isolation = process",
        "completion_concurrency = 4",
        "work_batch_size = 1",
        "helper_nice = 0",
      ].join("\n"),
    );
    expect(workerConfig(c)).toMatchObject({
      id: "w1",
      pingInterval: 0.5,
      keepAlive: true,
      countUniques: true,
      countLastScheduled: true,
      waitInterval: 2,
      waitJitter: 0,
      maxKeepAliveIdleDuration: 3600,
      maxReschedules: 3,
      timeout: 60,
      taskLimit: 10,
      retryExternalTasks: true,
      checkUnfulfilledDeps: false,
      checkCompleteOnRun: true,
      cacheTaskCompletion: true,
      isolation: "process",
      completionConcurrency: 4,
      workBatchSize: 1,
      helperNice: 0,
    });
  });

  it("accepts legacy [core] worker-* keys with a warning; [worker] wins", () => {
    const c = cfg("[core]\nworker-keep-alive = true\nworker-timeout = 5\n[worker]\ntimeout = 7\n");
    const w = workerConfig(c);
    expect(w.keepAlive).toBe(true);
    expect(w.timeout).toBe(7);
    expect(c.warnings).toEqual([expect.stringContaining("[core] worker-keep-alive is deprecated")]);
  });

  it("rejects bad values", () => {
    expect(() => workerConfig(cfg("[worker]\nisolation = thread\n"))).toThrow(
      /isolation.*expected one of auto, inline, process/,
    );
    expect(() => workerConfig(cfg("[worker]\ncompletion_concurrency = 0\n"))).toThrow(ConfigError);
    expect(() => workerConfig(cfg("[worker]\nwork_batch_size = 0\n"))).toThrow(/work_batch_size = 0/);
    expect(() => workerConfig(cfg("[worker]\nhelper_nice = 20\n"))).toThrow(
      /helper_nice = 20: expected 0 to 19/,
    );
    expect(() => workerConfig(cfg("[worker]\nhelper_nice = -1\n"))).toThrow(/helper_nice = -1/);
    expect(() => workerConfig(cfg("[worker]\nkeep_alive = maybe\n"))).toThrow(
      /\[worker\] keep_alive = "maybe"/,
    );
  });
});

describe("schedulerConfig", () => {
  it("defaults to DEFAULT_SCHEDULER_OPTIONS", () => {
    expect(schedulerConfig(empty())).toEqual(DEFAULT_SCHEDULER_OPTIONS);
  });

  it("reads every key and [resources] as integers, without DEFAULT keys", () => {
    const c = cfg(
      [
        "[DEFAULT]",
        "not_a_resource = 5",
        "[scheduler]",
        "retry_delay = 60.5",
        "remove_delay = 10",
        "worker_disconnect_delay = 20",
        "state_path = /tmp/state.json",
        "disable_window = 100",
        "retry_count = 3",
        "disable_hard_timeout = 50",
        "disable_persist = 30",
        "max_shown_tasks = 10",
        "max_graph_nodes = 20",
        "record_step_history = true",
        "prune_on_get_work = true",
        "pause_enabled = false",
        "send_messages = false",
        "stable_done_cooldown_secs = 0",
        "batch_emails = true",
        "metrics_collector = prometheus",
        "step_log_bytes = 4096",
        "step_log_memory = 1000000",
        "[resources]",
        "gpu = 2",
        "db-connections = 10",
      ].join("\n"),
    );
    expect(schedulerConfig(c)).toEqual({
      retryDelay: 60.5,
      removeDelay: 10,
      workerDisconnectDelay: 20,
      statePath: "/tmp/state.json",
      disableWindow: 100,
      retryCount: 3,
      disableHardTimeout: 50,
      disablePersist: 30,
      maxShownTasks: 10,
      maxGraphNodes: 20,
      recordStepHistory: true,
      pruneOnGetWork: true,
      pauseEnabled: false,
      sendMessages: false,
      stableDoneCooldownSecs: 0,
      batchEmails: true,
      metricsCollector: "prometheus",
      stepLogBytes: 4096,
      stepLogMemory: 1000000,
      resources: { gpu: 2, "db-connections": 10 },
    });
  });

  it("accepts the legacy record_task_history, the new name winning", () => {
    expect(schedulerConfig(cfg("[scheduler]\nrecord_task_history = true\n")).recordStepHistory).toBe(true);
    expect(
      schedulerConfig(cfg("[scheduler]\nrecord_task_history = true\nrecord_step_history = false\n"))
        .recordStepHistory,
    ).toBe(false);
  });

  it("applies command-line overrides set() on top of files", () => {
    const c = cfg("[scheduler]\nretry_delay = 5\n");
    c.set("scheduler", "retry-delay", "60");
    expect(schedulerConfig(c).retryDelay).toBe(60);
  });

  it("rejects a non-integer resource", () => {
    expect(() => schedulerConfig(cfg("[resources]\ngpu = two\n"))).toThrow(
      /\[resources\] gpu = "two".*integer/,
    );
  });

  it("reads TOML typed values", () => {
    const t = LuigiConfig.fromString("[scheduler]\nretry_delay = 30\n[resources]\ngpu = 4\n", "toml");
    const s = schedulerConfig(t);
    expect(s.retryDelay).toBe(30);
    expect(s.resources).toEqual({ gpu: 4 });
  });
});

describe("retcodeConfig", () => {
  it("defaults to non-zero codes for failures (luigi-ts differs from Luigi here)", () => {
    expect(retcodeConfig(empty())).toEqual({
      unhandledException: 4,
      missingData: 20,
      taskFailed: 30,
      alreadyRunning: 10,
      schedulingError: 35,
      notRun: 25,
      schedulerUnreachable: 15,
    });
    expect(DEFAULT_RETCODES.taskFailed).toBe(30);
  });

  it("reads Luigi's key names", () => {
    const c = cfg(
      "[retcode]\nunhandled_exception = 1\nmissing_data = 2\ntask_failed = 3\nalready_running = 4\nscheduling_error = 5\nnot_run = 0\nscheduler_unreachable = 6\n",
    );
    expect(retcodeConfig(c)).toEqual({
      unhandledException: 1,
      missingData: 2,
      taskFailed: 3,
      alreadyRunning: 4,
      schedulingError: 5,
      notRun: 0,
      schedulerUnreachable: 6,
    });
  });
});

describe("stepDefaults", () => {
  it("returns the family's section as text, with DEFAULT keys and interpolation", () => {
    const c = cfg(
      "[DEFAULT]\nregion = eu\n[Report]\nday = 2026-11-20\nout = /data/%(region)s\n[my_ns.Report]\nx = 1\n",
    );
    expect(stepDefaults(c, "Report")).toEqual({ region: "eu", day: "2026-11-20", out: "/data/eu" });
    expect(stepDefaults(c, "my_ns.Report")).toEqual({ region: "eu", x: "1" });
  });

  it("returns {} for a family without a section", () => {
    expect(stepDefaults(cfg("[DEFAULT]\nregion = eu\n"), "Missing")).toEqual({});
  });

  it("converts TOML scalars to text, and finds a dotted family written as nested tables", () => {
    const t = LuigiConfig.fromString(
      '[Report]\nday = 2026-11-20\nn = 3\nflag = false\n["q.Quoted"]\na = "b"\n[my_ns.Report]\nregion = "eu"\n',
      "toml",
    );
    expect(stepDefaults(t, "Report")).toEqual({ day: "2026-11-20", n: "3", flag: "false" });
    expect(stepDefaults(t, "q.Quoted")).toEqual({ a: "b" });
    expect(stepDefaults(t, "my_ns.Report")).toEqual({ region: "eu" });
  });
});
