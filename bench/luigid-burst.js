// add_task latency during a registration burst that makes luigid compact its journal. Starts a luigid
// (`[scheduler] compaction_thread` = MODE: thread = true, the default; inline = false, the journal folded on
// the event loop as before), then at once: BURST connections register TOTAL leaves with add_tasks of 500
// (each batch counts 500 toward the 50,000 entries that trigger a compaction), while the other
// (CONNECTIONS - BURST) connections each send add_task (one step, as Luigi's client does), one after the
// other, until the burst is done. Prints one JSON line: p50 / p99 / max of those add_task latencies (ms),
// how many, and the burst's seconds. Usage: node bench/luigid-burst.js thread|inline [TOTAL] [CONNECTIONS]
import http from "node:http";
import path from "node:path";
import { leafTask, nodeArgsFrom, percentile, startLuigid, tempDir, WORKER } from "./lib.js";

const [mode = "thread", totalText = "150000", connectionsText = "64"] = process.argv.slice(2);
const total = Number(totalText);
const connections = Number(connectionsText);
const BURST = 4;
const BATCH = 500;

const daemon = await startLuigid(path.join(tempDir(), "state.json"), {
  nodeArgs: nodeArgsFrom("BENCH_LUIGID_NODE_ARGS"),
  config: `[scheduler]\ncompaction_thread = ${mode === "inline" ? "false" : "true"}\n`,
});

/** One keep-alive connection: posts `args` to /api/METHOD and resolves once the answer is read. */
function connection() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (method, args) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(args);
      const req = http.request(
        `${daemon.url}/api/${method}`,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`${method}: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}

let next = 0;
let bursting = true;
const latencies = [];
const trace = [];
const started = performance.now();
const burst = Promise.all(
  Array.from({ length: BURST }, async () => {
    const post = connection();
    while (next < total) {
      const from = next;
      next = Math.min(total, next + BATCH);
      const tasks = [];
      for (let i = from; i < next; i++) tasks.push(leafTask(i));
      await post("add_tasks", { worker: WORKER, tasks });
    }
  }),
).then(() => (bursting = false));
let single = 0;
const singles = Array.from({ length: connections - BURST }, async () => {
  const post = connection();
  while (bursting) {
    const i = total + single++;
    const t0 = performance.now();
    await post("add_task", { worker: WORKER, ...leafTask(i) });
    latencies.push(performance.now() - t0);
    if (process.env.BENCH_TRACE) trace.push([Math.round(t0 - started), Math.round(performance.now() - t0)]);
  }
});
await burst;
const seconds = (performance.now() - started) / 1000;
await Promise.all(singles);
await daemon.stop("SIGKILL");
if (process.env.BENCH_TRACE) console.error(JSON.stringify(trace.filter(([, l]) => l > 300)));
console.log(
  JSON.stringify({
    mode,
    total,
    connections,
    seconds,
    addTaskCalls: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  }),
);
process.exit(0);
