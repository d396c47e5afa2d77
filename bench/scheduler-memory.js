// Scheduler memory per step: registers N steps (a fan-in, as a worker would) in the pure scheduler core
// and prints the heap growth divided by N. Run with --expose-gc. Usage: node --expose-gc bench/scheduler-memory.js N
import { Scheduler } from "luigi-ts";

const n = Number(process.argv[2] ?? "100000");
const gc = globalThis.gc;
if (!gc) throw new Error("run with node --expose-gc");
const worker = "Worker(salt=1, workers=1, host=bench, username=bench, pid=1)";
gc();
const before = process.memoryUsage().heapUsed;
const scheduler = new Scheduler({ clock: () => Date.now() / 1000 });
const ids = [];
for (let i = 0; i < n; i++) {
  const id = `Leaf_${i}_${((i * 2654435761) >>> 0).toString(16).padStart(10, "0").slice(0, 10)}`;
  ids.push(id);
  scheduler.addTask({
    worker,
    task_id: id,
    status: "PENDING",
    runnable: true,
    deps: [],
    family: "Leaf",
    module: "bench",
    params: { i: String(i) },
    param_visibilities: { i: 0 },
    resources: {},
    priority: 0,
  });
}
scheduler.addTask({
  worker,
  task_id: "FanIn__root",
  status: "PENDING",
  runnable: true,
  deps: ids,
  family: "FanIn",
  params: {},
});
ids.length = 0;
gc();
const after = process.memoryUsage().heapUsed;
console.log(
  JSON.stringify({ n, bytesPerStep: (after - before) / (n + 1), heapMiB: (after - before) / 1048576 }),
);
