// Shared helpers of the luigid benchmarks: starting luigid as a child process on an ephemeral loopback
// port, building add_task arguments as a worker sends them, percentiles and medians. Every child process
// started here is killed when this process exits, however it exits.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const LUIGID_BIN = path.join(ROOT, "bin/luigid.js");
export const LUIGI_BIN = path.join(ROOT, "bin/luigi.js");
export const WORKER = "Worker(salt=1, workers=1, host=bench, username=bench, pid=1)";

const children = new Set();
const tempDirs = new Set();
process.on("exit", () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

/** Spawns a child that is killed (SIGKILL) when this process exits, if it still runs then. */
export function spawnTracked(args, options) {
  const child = spawn(process.execPath, args, options);
  children.add(child);
  child.exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return child;
}

/** A temporary directory, removed at exit unless BENCH_KEEP=1 (then its path goes to stderr). */
export function tempDir(prefix = "luigi-ts-bench-", root = tmpdir()) {
  const dir = mkdtempSync(path.join(root, prefix));
  if (process.env.BENCH_KEEP === "1") console.error(`keeping ${dir}`);
  else tempDirs.add(dir);
  return dir;
}

/** Node options from an environment variable (profiling: BENCH_LUIGID_NODE_ARGS="--cpu-prof"). */
export function nodeArgsFrom(name) {
  return process.env[name]?.split(" ").filter(Boolean) ?? [];
}

/**
 * Starts `luigid` on 127.0.0.1, port 0, with its state in `statePath` (null: none given, for a
 * `state_url` in `config`; `cwd` is needed then). Resolves once it logs that it listens, with the url,
 * the seconds from spawn to "listening" and the start-up log.
 */
export async function startLuigid(
  statePath,
  { config = "", cwd = path.dirname(statePath), nodeArgs = [], cfgName = "luigid.cfg" } = {},
) {
  const cfg = path.join(cwd, cfgName);
  writeFileSync(cfg, config);
  const started = performance.now();
  const state = statePath === null ? [] : ["--state-path", statePath];
  const child = spawnTracked([...nodeArgs, LUIGID_BIN, "--address", "127.0.0.1", "--port", "0", ...state], {
    cwd,
    env: { ...process.env, LUIGI_CONFIG_PATH: cfg, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`luigid did not start in 60 s:\n${output}`)), 60_000);
    const onData = (d) => {
      output += d.toString();
      const m = /luigid listening on \S*:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`luigid exited during start (${code ?? signal}):\n${output}`));
    });
  });
  const startSeconds = (performance.now() - started) / 1000;
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  child.stdout.resume();
  child.stderr.resume();
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    startSeconds,
    output,
    /** Sends the signal and resolves with the exit code (or signal) once it exited. */
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return child.exited;
    },
  };
}

/** A Luigi-looking step id: Family_<first param>_<10 hex digits>. */
export function leafId(i) {
  return `Leaf_${i}_${((i * 2654435761) >>> 0).toString(16).padStart(10, "0")}`;
}

/** The add_task arguments (without `worker`) a worker sends for a pending, runnable leaf. */
export function leafTask(i, deps = []) {
  return {
    task_id: leafId(i),
    status: "PENDING",
    runnable: true,
    deps,
    new_deps: null,
    expl: null,
    resources: {},
    priority: 0,
    family: "Leaf",
    module: "bench",
    params: { i: String(i) },
    param_visibilities: { i: 0 },
    accepts_messages: false,
    assistant: false,
    tracking_url: null,
    batchable: false,
    batch_id: null,
    retry_policy_dict: { retry_count: null, disable_hard_timeout: null, disable_window: null },
    owners: [],
  };
}

/** Registers leaves [from, to) with add_tasks batches of `batch`. */
export async function registerLeaves(scheduler, from, to, batch = 500, worker = WORKER) {
  for (let start = from; start < to; start += batch) {
    const tasks = [];
    for (let i = start; i < Math.min(to, start + batch); i++) tasks.push(leafTask(i));
    await scheduler.addTasks({ worker, tasks });
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function fmt(n, digits = 0) {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** One RPC to luigid with a JSON body; the answer's `response`. */
export async function rpc(url, method, args) {
  const res = await fetch(`${url}/api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.response;
}

/** The PostgreSQL database the state_url benchmarks use: BENCH_POSTGRES_URL, else LUIGI_TEST_POSTGRES_URL. */
export const BENCH_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.LUIGI_TEST_POSTGRES_URL ?? "";

/** Runs one statement on BENCH_POSTGRES_URL (with the project's `pg`) and returns its rows. */
export async function pgAdmin(sql) {
  const pg = createRequire(import.meta.url)("pg");
  const c = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

let schemaCount = 0;
/**
 * A new empty schema on BENCH_POSTGRES_URL: `url` is a state_url whose tables go there, `drop()` removes
 * it. Each luigid (or pair) of a benchmark gets its own, so that no run sees another's state.
 */
export async function freshStateSchema() {
  if (BENCH_POSTGRES_URL === "") throw new Error("set BENCH_POSTGRES_URL (or LUIGI_TEST_POSTGRES_URL)");
  const schema = `luigid_bench_${process.pid}_${schemaCount++}`;
  await pgAdmin(`CREATE SCHEMA "${schema}"`);
  const sep = BENCH_POSTGRES_URL.includes("?") ? "&" : "?";
  return {
    url: `${BENCH_POSTGRES_URL}${sep}options=-csearch_path=${schema}`,
    drop: () => pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined),
  };
}
