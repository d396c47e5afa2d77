// Registration throughput of luigid over loopback HTTP. Starts a luigid, registers PRELOAD leaves with
// add_tasks batches of 500, then times the next COUNT registrations: `single` = one add_task per request,
// sequential (as Luigi's client does), `batch` = add_tasks batches of 500 (as luigi-ts's worker does).
// Prints one JSON line. Usage: node bench/luigid-register.js single|batch PRELOAD COUNT
import path from "node:path";
import { RemoteScheduler } from "../dist/rpc/index.js";
import { leafTask, nodeArgsFrom, registerLeaves, startLuigid, tempDir, WORKER } from "./lib.js";

const [mode = "single", preloadText = "10000", countText = "5000"] = process.argv.slice(2);
const preload = Number(preloadText);
const count = Number(countText);

// Profiling: BENCH_LUIGID_NODE_ARGS="--cpu-prof" (luigid then stops with SIGTERM, so the profile is written).
const daemon = await startLuigid(path.join(tempDir(), "state.json"), {
  nodeArgs: nodeArgsFrom("BENCH_LUIGID_NODE_ARGS"),
});
const client = new RemoteScheduler({ url: daemon.url, retryAttempts: 1, connectTimeout: 120 });
try {
  await registerLeaves(client, 0, preload);
  const started = performance.now();
  if (mode === "batch") {
    await registerLeaves(client, preload, preload + count, 500);
  } else {
    for (let i = preload; i < preload + count; i++) await client.addTask({ worker: WORKER, ...leafTask(i) });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ mode, preload, count, seconds, perSecond: count / seconds }));
} finally {
  client.close();
  await daemon.stop(process.env.BENCH_LUIGID_NODE_ARGS ? "SIGTERM" : "SIGKILL");
}
