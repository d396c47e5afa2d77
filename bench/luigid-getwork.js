// get_work latency with PENDING ready steps of one worker. Registers N runnable leaves (add_tasks batches
// of 500), then times CALLS sequential get_work calls; each hands one step out, which is then reported
// DONE (untimed) as a worker would, so the worker never holds more than one running step.
// `http`: a luigid child over loopback through RemoteScheduler; `core`: the pure Scheduler in this process;
// `echo`: the same client against a plain node:http child that answers at once (the loopback floor).
// The first 1,000 cycles (BENCH_WARM_UP) warm up and are not timed: luigid is a long-running daemon, and
// until V8 has optimised the request path its compiler threads take a core from the two processes (with
// 20 warm-up calls, p99 was 2.4-2.9 ms; with 1,000, 1.3-1.5 ms). N + warm-up leaves are registered, so
// that the timed calls start with N pending. Prints one JSON line with p50 / p99 in milliseconds.
// Usage: node bench/luigid-getwork.js http|core|echo N CALLS
import path from "node:path";
import { Scheduler } from "luigi-ts";
import { RemoteScheduler } from "../dist/rpc/index.js";
import {
  leafTask,
  nodeArgsFrom,
  percentile,
  registerLeaves,
  spawnTracked,
  startLuigid,
  tempDir,
  WORKER,
} from "./lib.js";

const [mode = "http", nText = "1000", callsText = "500"] = process.argv.slice(2);
const n = Number(nText);
const calls = Number(callsText);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 1000);

/** A node:http server that answers every call with a get_work-shaped reply handing out leaf 0. */
const ECHO_SERVER = `
import http from "node:http";
const body = JSON.stringify({ response: { task_id: "Leaf_0", task_family: "Leaf", task_params: { i: "0" },
  n_pending_tasks: 1, n_unique_pending: 1, worker_state: "active", running_tasks: [] } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(body));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

async function startEcho() {
  const child = spawnTracked(["--input-type=module", "-e", ECHO_SERVER], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise((resolve) =>
    child.stdout.once("data", (d) => resolve(Number(String(d).trim()))),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

let daemon;
let scheduler;
if (mode === "core") {
  // luigid's core runs with pruneOnGetWork false (the default), as here.
  const core = new Scheduler({ clock: () => Date.now() / 1000 });
  scheduler = {
    addTask: async (args) => core.addTask(args),
    addTasks: async ({ worker, tasks }) => {
      for (const task of tasks) core.addTask({ ...task, worker });
      return null;
    },
    addWorker: async (args) => core.addWorker(args),
    getWork: async (args) => core.getWork(args),
  };
} else {
  daemon =
    mode === "echo"
      ? await startEcho()
      : await startLuigid(path.join(tempDir(), "state.json"), {
          nodeArgs: nodeArgsFrom("BENCH_LUIGID_NODE_ARGS"),
        });
  scheduler = new RemoteScheduler({ url: daemon.url, retryAttempts: 1, connectTimeout: 120 });
}

try {
  if (mode !== "echo") await registerLeaves(scheduler, 0, n + WARM_UP);
  await scheduler.addWorker({ worker: WORKER, info: { host: "bench", username: "bench", pid: 1 } });
  const millis = [];
  for (let k = 0; k < WARM_UP + calls; k++) {
    const started = performance.now();
    const reply = await scheduler.getWork({
      worker: WORKER,
      host: "bench",
      assistant: false,
      current_tasks: [],
    });
    const elapsed = performance.now() - started;
    if (reply.task_id === null) throw new Error(`get_work handed nothing out at call ${k}`);
    if (k >= WARM_UP) millis.push(elapsed);
    const i = Number(reply.task_params.i);
    await scheduler.addTask({ worker: WORKER, ...leafTask(i), status: "DONE", runnable: null, deps: null });
  }
  console.log(
    JSON.stringify({
      mode,
      n,
      calls,
      p50: percentile(millis, 50),
      p99: percentile(millis, 99),
      max: Math.max(...millis),
    }),
  );
} finally {
  scheduler.close?.();
  await daemon?.stop("SIGKILL");
}
