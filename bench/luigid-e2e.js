// End to end: WORKERS `luigi` processes started at once against one luigid run the N-leaf DAG of
// bench/pipelines/trivial.ts. Wall time is from the first worker's spawn to the last worker's exit.
// Checks that every worker exited 0 and every output exists; if not, says why on stderr and exits 1.
// Prints one JSON line. Usage: node bench/luigid-e2e.js WORKERS [N]
//
// The steps' one-byte outputs go to tmpfs (/dev/shm) when there is one, so that the figure measures
// luigi-ts rather than the disk: on this VM's ext4, creating and renaming 10,000 files in a fresh
// directory from 8 processes at once costs from 0.2 to 2.7 CPU-seconds of kernel time, varying from one
// run to the next. BENCH_OUT_ROOT=DIR puts them under DIR instead (bench/luigid-section.js also runs the
// 8-worker case with BENCH_OUT_ROOT set to the system temp directory, on disk).
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import {
  freshStateSchema,
  LUIGI_BIN,
  nodeArgsFrom,
  ROOT,
  startLuigid,
  spawnTracked,
  tempDir,
} from "./lib.js";

const [workersText = "1", nText = "10000"] = process.argv.slice(2);
/** statfs's f_type for tmpfs (Linux). */
const TMPFS_MAGIC = 0x01021994;
const workers = Number(workersText);
const n = Number(nText);

const WORKER_CFG = `[core]
rpc_retry_wait = 0.5
[worker]
keep_alive = true
wait_interval = 0.1
wait_jitter = 0.1
ping_interval = 1
`;

const dir = tempDir();
const outRoot = process.env.BENCH_OUT_ROOT ?? (existsSync("/dev/shm") ? "/dev/shm" : undefined);
const out = outRoot === undefined ? path.join(dir, "out") : tempDir("luigi-ts-bench-out-", outRoot);
if (outRoot === undefined) mkdirSync(out);
const outputs = statfsSync(out).type === TMPFS_MAGIC ? "tmpfs" : "disk";
const cfg = path.join(dir, "worker.cfg");
// BENCH_WORKER_CONFIG: more [worker] lines (bench/log-capture.js turns log capture off with it).
writeFileSync(cfg, WORKER_CFG + (process.env.BENCH_WORKER_CONFIG ?? ""));
// Profiling: BENCH_LUIGID_NODE_ARGS / BENCH_WORKER_NODE_ARGS (node options, e.g. "--cpu-prof"),
// BENCH_WORKER_ARGS (luigi flags, e.g. "--log-format json"), BENCH_KEEP=1 (keep the directory).
// BENCH_LUIGID_CONFIG: luigid's configuration text (bench/history.js turns the step history on).
// BENCH_STATE=url: luigid's state in PostgreSQL (`[scheduler] state_url`, a fresh schema of
// BENCH_POSTGRES_URL or LUIGI_TEST_POSTGRES_URL, dropped at the end); default: files (`--state-path`).
const stateSchema = process.env.BENCH_STATE === "url" ? await freshStateSchema() : undefined;
const daemon = await startLuigid(stateSchema ? null : path.join(dir, "state.json"), {
  cwd: dir,
  nodeArgs: nodeArgsFrom("BENCH_LUIGID_NODE_ARGS"),
  config:
    (stateSchema ? `[scheduler]\nstate_url = ${stateSchema.url}\n` : "") +
    (process.env.BENCH_LUIGID_CONFIG ?? ""),
});

// Each worker writes the CPU seconds it used to cpu-<pid>.json at exit: a figure that, unlike wall time,
// barely depends on what else the machine is doing.
const cpuReporter = path.join(dir, "cpu-reporter.mjs");
writeFileSync(
  cpuReporter,
  `import { writeFileSync } from "node:fs";
process.on("exit", () => {
  const u = process.cpuUsage();
  writeFileSync(${JSON.stringify(dir)} + "/cpu-" + process.pid + ".json", JSON.stringify([u.user / 1e6, u.system / 1e6]));
});
`,
);
const args = [
  "--import",
  cpuReporter,
  ...nodeArgsFrom("BENCH_WORKER_NODE_ARGS"),
  LUIGI_BIN,
  "--module",
  // BENCH_PIPELINE=module.ts:Family: another DAG of the same shape (leaf-<i>.txt outputs).
  path.join(ROOT, (process.env.BENCH_PIPELINE ?? "bench/pipelines/trivial.ts:Trivial").split(":")[0]),
  (process.env.BENCH_PIPELINE ?? "bench/pipelines/trivial.ts:Trivial").split(":")[1],
  "--n",
  String(n),
  "--scheduler-url",
  daemon.url,
  "--no-lock",
  ...nodeArgsFrom("BENCH_WORKER_ARGS"),
];
const workerEnv = { ...process.env, LUIGI_CONFIG_PATH: cfg, BENCH_OUT: out, NO_COLOR: "1" };
// BENCH_ASSISTANTS=K: K `luigi --assistant` processes of the same module, started first and given
// BENCH_ASSISTANT_WARMUP_MS (default 3000) to start up before the clock starts: a long-lived fleet, whose
// start-up is paid once, beside the WORKERS that run the DAG. They are killed once the run is over.
const assistants = Array.from({ length: Number(process.env.BENCH_ASSISTANTS ?? "0") }, (_, k) => {
  const fd = openSync(path.join(dir, `assistant-${k}.err`), "w");
  const child = spawnTracked(
    [...args.slice(0, args.indexOf("--n") - 1), "--assistant", ...args.slice(args.indexOf("--n") + 2)],
    {
      cwd: dir,
      env: workerEnv,
      stdio: ["ignore", "ignore", fd],
    },
  );
  closeSync(fd);
  return child;
});
if (assistants.length > 0) {
  await new Promise((resolve) =>
    setTimeout(resolve, Number(process.env.BENCH_ASSISTANT_WARMUP_MS ?? "3000")),
  );
}
const started = performance.now();
const runs = Array.from({ length: workers }, (_, k) => {
  const logs = [`worker-${k}.out`, `worker-${k}.err`].map((f) => path.join(dir, f));
  const fds = logs.map((f) => openSync(f, "w"));
  const child = spawnTracked(args, {
    cwd: dir,
    env: workerEnv,
    stdio: ["ignore", ...fds],
  });
  for (const fd of fds) closeSync(fd);
  return child.exited.then((exit) => ({ ...exit, logs }));
});
const exits = await Promise.all(runs);
const seconds = (performance.now() - started) / 1000;
// The assistants' CPU seconds, their start-up included (they are killed, so they write no cpu file).
const assistantCpuSeconds = assistants.reduce((sum, a) => sum + (cpuSecondsOf(a.pid) ?? 0), 0);
for (const assistant of assistants) assistant.kill("SIGKILL");
const luigidCpuSeconds = cpuSecondsOf(daemon.child.pid);
// Its main thread alone (the event loop: what answers requests); the rest is the compaction thread,
// V8's GC and compiler threads and libuv's pool.
const luigidMainThreadCpuSeconds = cpuSecondsOf(daemon.child.pid, daemon.child.pid);
// BENCH_THREADS=1: luigid's CPU seconds by thread name on stderr (where the time off the event loop goes).
if (process.env.BENCH_THREADS) console.error(JSON.stringify(threadCpuSeconds(daemon.child.pid)));
await daemon.stop(process.env.BENCH_LUIGID_NODE_ARGS ? "SIGTERM" : "SIGKILL");
await stateSchema?.drop();

const problems = [];
for (const [k, exit] of exits.entries()) {
  if (exit.code !== 0) {
    const tail = readFileSync(exit.logs[1], "utf8").split("\n").slice(-15).join("\n");
    problems.push(`worker ${k} exited ${exit.code ?? exit.signal}:\n${tail}`);
  }
}
let missing = 0;
for (let i = 0; i < n; i++) if (!existsSync(path.join(out, `leaf-${i}.txt`))) missing++;
if (missing > 0) problems.push(`${missing} of ${n} outputs are missing`);
// How the work was shared: "* N ran successfully" in each worker's summary.
const ran = exits.map((e) =>
  Number(/\* (\d+) ran successfully/.exec(readFileSync(e.logs[0], "utf8"))?.[1] ?? 0),
);
if (problems.length > 0) {
  console.error(`luigid-e2e ${workers} workers, ${n} steps FAILED:\n${problems.join("\n")}`);
  process.exit(1);
}
// [user, system] CPU seconds of each worker.
const workerCpu = readdirSync(dir)
  .filter((f) => /^cpu-\d+\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")));
const workerSystemCpuSeconds = workerCpu.reduce((sum, [, system]) => sum + system, 0);
const workerCpuSeconds = workerCpu.reduce((sum, [user]) => sum + user, 0) + workerSystemCpuSeconds;
console.log(
  JSON.stringify({
    workers,
    n,
    state: stateSchema ? "state_url" : "state_path",
    outputs,
    seconds,
    stepsPerSecond: n / seconds,
    ran,
    luigidCpuSeconds,
    luigidMainThreadCpuSeconds,
    workerCpuSeconds,
    workerSystemCpuSeconds,
    ...(assistants.length > 0 ? { assistants: assistants.length, assistantCpuSeconds } : {}),
  }),
);

/** CPU seconds of each thread of a live process that used any, by "name/tid" (Linux /proc). */
function threadCpuSeconds(pid) {
  const byThread = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
    const seconds = cpuSecondsOf(pid, tid);
    if (seconds > 0) byThread[`${name}/${tid}`] = seconds;
  }
  return byThread;
}

/** User + system CPU seconds a live process (or one thread of it) has used (Linux /proc; null elsewhere). */
function cpuSecondsOf(pid, tid) {
  try {
    const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
    const fields = readFileSync(file, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
