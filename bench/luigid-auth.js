// What authentication costs luigid: registrations per second (add_task one per request, as Luigi's client
// sends them, and add_tasks batches of 500) and get_work latency, against a luigid without [auth] and one
// with [auth] users_file (the client sending basic auth from its URL, as Luigi's Python worker does), in
// one run, alternating. A password is checked with scrypt once; later requests with the same header hit
// the verified-credentials cache, so the two should be within noise of each other.
// Prints one JSON line per luigid and a ratio line. Usage: node bench/luigid-auth.js [REGISTRATIONS] [CALLS]
import path from "node:path";
import { hashPassword } from "../dist/auth/passwords.js";
import { writeUsersFile } from "../dist/auth/users-file.js";
import { RemoteScheduler } from "../dist/rpc/index.js";
import { leafTask, median, percentile, registerLeaves, startLuigid, tempDir, WORKER } from "./lib.js";

const [registrationsText = "5000", callsText = "2000"] = process.argv.slice(2);
const registrations = Number(registrationsText);
const calls = Number(callsText);
const WARM_UP = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "3");

async function measure(auth) {
  const dir = tempDir();
  let config = "";
  let url;
  if (auth) {
    const users = path.join(dir, "users.json");
    writeUsersFile(users, new Map([["etl", { role: "worker", password: await hashPassword("s3cret!") }]]));
    config = `[auth]\nusers_file = ${users}\n`;
  }
  const daemon = await startLuigid(path.join(dir, "state.json"), { config });
  url = auth ? daemon.url.replace("http://", "http://etl:s3cret!@") : daemon.url;
  const client = new RemoteScheduler({ url, retryAttempts: 1, connectTimeout: 120 });
  try {
    // The first authenticated call pays scrypt once (about 0.1 s); the figures are of the calls after it.
    for (let i = 0; i < 200; i++) await client.isPaused();
    // add_task, one per request (Luigi's client).
    let started = performance.now();
    for (let i = 0; i < registrations; i++) await client.addTask({ worker: WORKER, ...leafTask(i) });
    const singlePerSecond = registrations / ((performance.now() - started) / 1000);
    // add_tasks, batches of 500 (luigi-ts's worker).
    started = performance.now();
    await registerLeaves(client, registrations, 2 * registrations + WARM_UP + calls, 500);
    const batchPerSecond = (registrations + WARM_UP + calls) / ((performance.now() - started) / 1000);
    // get_work, then the step reported DONE, as a worker would; the first WARM_UP cycles not timed.
    await client.addWorker({ worker: WORKER, info: { host: "bench" } });
    const millis = [];
    for (let k = 0; k < WARM_UP + calls; k++) {
      const t = performance.now();
      const reply = await client.getWork({
        worker: WORKER,
        host: "bench",
        assistant: false,
        current_tasks: [],
      });
      const elapsed = performance.now() - t;
      if (reply.task_id === null) throw new Error(`get_work handed nothing out at call ${k}`);
      if (k >= WARM_UP) millis.push(elapsed);
      const i = Number(reply.task_params.i);
      await client.addTask({ worker: WORKER, ...leafTask(i), status: "DONE", runnable: null, deps: null });
    }
    return {
      auth,
      singlePerSecond,
      batchPerSecond,
      p50: percentile(millis, 50),
      p99: percentile(millis, 99),
    };
  } finally {
    client.close();
    await daemon.stop("SIGKILL");
  }
}

const runs = { false: [], true: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const auth of [false, true]) runs[auth].push(await measure(auth));
}
const summary = {};
for (const auth of [false, true]) {
  const list = runs[auth];
  summary[auth] = {
    auth,
    addTaskPerSecond: Math.round(median(list.map((r) => r.singlePerSecond))),
    addTasksPerSecond: Math.round(median(list.map((r) => r.batchPerSecond))),
    getWorkP50Ms: Number(median(list.map((r) => r.p50)).toFixed(3)),
    getWorkP99Ms: Number(median(list.map((r) => r.p99)).toFixed(3)),
  };
  console.log(JSON.stringify(summary[auth]));
}
const off = summary.false;
const on = summary.true;
console.log(
  JSON.stringify({
    ratioOnOff: {
      addTask: Number((on.addTaskPerSecond / off.addTaskPerSecond).toFixed(3)),
      addTasks: Number((on.addTasksPerSecond / off.addTasksPerSecond).toFixed(3)),
      getWorkP50: Number((on.getWorkP50Ms / off.getWorkP50Ms).toFixed(3)),
      getWorkP99: Number((on.getWorkP99Ms / off.getWorkP99Ms).toFixed(3)),
    },
  }),
);
