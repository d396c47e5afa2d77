// Restart time of luigid holding N steps: a fan-in (a root that depends on N leaves, registered first as a
// worker would) registered with add_tasks batches of 500, then `kill9` (kill -9 and restart: the journal is
// replayed) or `sigterm` (SIGTERM, which saves a snapshot, and restart: the snapshot is loaded). Prints
// seconds from the restart's spawn to "listening", and what luigid said it loaded. One JSON line.
// Usage: node bench/luigid-restart.js kill9|sigterm [N]
import path from "node:path";
import { RemoteScheduler } from "../dist/rpc/index.js";
import { leafId, registerLeaves, startLuigid, tempDir, WORKER } from "./lib.js";

const [mode = "kill9", nText = "100000"] = process.argv.slice(2);
const n = Number(nText);
const statePath = path.join(tempDir(), "state.json");

let daemon = await startLuigid(statePath);
try {
  const client = new RemoteScheduler({ url: daemon.url, retryAttempts: 1, connectTimeout: 120 });
  const root = {
    task_id: "FanIn__root",
    status: "PENDING",
    runnable: true,
    deps: Array.from({ length: n }, (_, i) => leafId(i)),
    family: "FanIn",
    module: "bench",
    params: {},
  };
  await client.addTasks({ worker: WORKER, tasks: [root] });
  await registerLeaves(client, 0, n);
  client.close();
  const stopped = await daemon.stop(mode === "kill9" ? "SIGKILL" : "SIGTERM");
  if (mode !== "kill9" && stopped.code !== 0)
    throw new Error(`luigid exited ${stopped.code ?? stopped.signal}`);
  daemon = await startLuigid(statePath);
  const loaded = /state loaded: (\d+) steps \((\d+) journal entries replayed in (\d+) ms\)/.exec(
    daemon.output,
  );
  const steps = Number(loaded?.[1] ?? NaN);
  if (steps !== n + 1) throw new Error(`luigid loaded ${steps} steps, expected ${n + 1}:\n${daemon.output}`);
  console.log(
    JSON.stringify({
      mode,
      n,
      seconds: daemon.startSeconds,
      steps,
      replayed: Number(loaded[2]),
      loadMillis: Number(loaded[3]),
    }),
  );
} finally {
  await daemon.stop("SIGKILL");
}
