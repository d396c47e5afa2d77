// luigid with `[scheduler] state_path` (files) vs `state_url` (PostgreSQL), in one run, on this machine:
// registrations per second (one add_task per request, sequential; add_tasks batches of 500), steps per
// second end to end (WORKERS `luigi` processes on the N-leaf DAG of bench/pipelines/trivial.ts), and
// the failover time of a pair on one state_url: kill -9 of the active one to the first successful
// get_work on the other, ROUNDS times (the killed one restarted as the standby each time), median.
// PostgreSQL: BENCH_POSTGRES_URL, else LUIGI_TEST_POSTGRES_URL; each luigid gets a fresh schema.
// Prints one JSON line per figure, then a summary. Usage: node bench/luigid-ha.js [N] [WORKERS] [ROUNDS]
// (BENCH_ONLY=failover: only the failover rounds).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { RemoteScheduler } from "../dist/rpc/index.js";
import {
  BENCH_POSTGRES_URL,
  fmt,
  freshStateSchema,
  leafTask,
  LUIGI_BIN,
  median,
  registerLeaves,
  ROOT,
  spawnTracked,
  startLuigid,
  tempDir,
  WORKER,
} from "./lib.js";

const [nText = "2000", workersText = "2", roundsText = "5"] = process.argv.slice(2);
const n = Number(nText);
const workers = Number(workersText);
const rounds = Number(roundsText);
const SINGLE = 2000;
const BATCH = 20000;
if (BENCH_POSTGRES_URL === "") {
  console.error("luigid-ha: set BENCH_POSTGRES_URL (or LUIGI_TEST_POSTGRES_URL) to a PostgreSQL database");
  process.exit(2);
}
const schemas = [];

async function freshStateUrl() {
  const schema = await freshStateSchema();
  schemas.push(schema);
  return schema.url;
}

async function start(mode, dir, name = "luigid") {
  if (mode === "path")
    return startLuigid(path.join(dir, `${name}-state.json`), { cwd: dir, cfgName: `${name}.cfg` });
  const url = await freshStateUrl();
  return startLuigid(null, { cwd: dir, cfgName: `${name}.cfg`, config: `[scheduler]\nstate_url = ${url}\n` });
}

async function roleOf(url) {
  try {
    const res = await fetch(`${url}/api/is_paused`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.headers.get("x-luigid-role") ?? "active";
  } catch {
    return undefined;
  }
}

async function waitRole(url, role, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await roleOf(url)) !== role) {
    if (Date.now() > deadline) throw new Error(`${url} is not ${role} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function registrations(mode) {
  const dir = tempDir();
  const daemon = await start(mode, dir);
  await waitRole(daemon.url, "active");
  const client = new RemoteScheduler({ url: daemon.url, retryAttempts: 1, connectTimeout: 120 });
  try {
    let t = performance.now();
    for (let i = 0; i < SINGLE; i++) await client.addTask({ worker: WORKER, ...leafTask(i) });
    const single = SINGLE / ((performance.now() - t) / 1000);
    t = performance.now();
    await registerLeaves(client, SINGLE, SINGLE + BATCH, 500);
    const batch = BATCH / ((performance.now() - t) / 1000);
    return { single, batch };
  } finally {
    client.close();
    await daemon.stop("SIGKILL");
  }
}

async function endToEnd(mode) {
  const dir = tempDir();
  const out = existsSync("/dev/shm") ? tempDir("luigi-ts-bench-out-", "/dev/shm") : path.join(dir, "out");
  mkdirSync(out, { recursive: true });
  const daemon = await start(mode, dir);
  await waitRole(daemon.url, "active");
  const args = [
    LUIGI_BIN,
    "--module",
    path.join(ROOT, "bench/pipelines/trivial.ts"),
    "Trivial",
    "--n",
    String(n),
    "--scheduler-url",
    daemon.url,
    "--no-lock",
  ];
  const started = performance.now();
  const exits = await Promise.all(
    Array.from({ length: workers }, (_, k) => {
      const err = path.join(dir, `worker-${k}.err`);
      const fds = [openSync("/dev/null", "w"), openSync(err, "w")];
      const child = spawnTracked(args, {
        cwd: dir,
        env: { ...process.env, LUIGI_CONFIG_PATH: "", BENCH_OUT: out, NO_COLOR: "1" },
        stdio: ["ignore", ...fds],
      });
      for (const fd of fds) closeSync(fd);
      return child.exited.then((e) => ({ ...e, err }));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await daemon.stop("SIGKILL");
  for (const e of exits) {
    if (e.code !== 0)
      throw new Error(`a worker exited ${e.code ?? e.signal}:\n${readFileSync(e.err, "utf8").slice(-2000)}`);
  }
  return n / seconds;
}

async function failover() {
  const dir = tempDir();
  const url = await freshStateUrl();
  const config = `[scheduler]\nstate_url = ${url}\n`;
  const pair = [
    await startLuigid(null, { cwd: dir, cfgName: "a.cfg", config }),
    await startLuigid(null, { cwd: dir, cfgName: "b.cfg", config }),
  ];
  const times = [];
  try {
    await waitRole(pair[0].url, "active");
    await waitRole(pair[1].url, "standby");
    let active = 0;
    for (let round = 0; round < rounds; round++) {
      const other = 1 - active;
      await pair[active].stop("SIGKILL");
      const killed = performance.now();
      for (;;) {
        const res = await fetch(`${pair[other].url}/api/get_work`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ worker: WORKER, host: "bench" }),
        }).catch(() => undefined);
        if (res?.ok) break;
        await res?.arrayBuffer();
        if (performance.now() - killed > 30_000) throw new Error("no failover within 30 s");
        await new Promise((r) => setTimeout(r, 10));
      }
      times.push(performance.now() - killed);
      pair[active] = await startLuigid(null, { cwd: dir, cfgName: active === 0 ? "a.cfg" : "b.cfg", config });
      await waitRole(pair[active].url, "standby");
      active = other;
    }
  } finally {
    for (const d of pair) await d.stop("SIGKILL");
  }
  return times;
}

try {
  const results = {};
  // BENCH_ONLY=failover: the failover rounds alone.
  const modes = process.env.BENCH_ONLY === "failover" ? [] : ["path", "url"];
  for (const mode of modes) {
    const reg = await registrations(mode);
    const steps = await endToEnd(mode);
    results[mode] = { ...reg, steps };
    console.log(
      JSON.stringify({
        mode,
        registrationsPerSecondSingle: reg.single,
        registrationsPerSecondBatch: reg.batch,
        stepsPerSecond: steps,
        n,
        workers,
      }),
    );
  }
  const times = await failover();
  console.log(JSON.stringify({ failoverMs: times, medianMs: median(times) }));
  for (const mode of modes) {
    const r = results[mode];
    console.log(
      `${mode === "path" ? "state_path" : "state_url "}: ${fmt(r.single)} add_task/s one at a time, ${fmt(r.batch)} steps/s registered in batches of 500, ${fmt(r.steps, 1)} steps/s end to end (${n} steps, ${workers} workers)`,
    );
  }
  console.log(
    `failover (kill -9 to the first get_work answered by the other): median ${fmt(median(times))} ms of ${times.map((t) => fmt(t)).join(", ")}`,
  );
} finally {
  for (const schema of schemas) await schema.drop();
}
