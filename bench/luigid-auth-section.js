// The "[auth] on vs off" part of `npm run bench` (see luigid-auth.js, which alternates the two luigids).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export function authSection({ repeats, quick }) {
  const out = execFileSync(
    process.execPath,
    [path.join(here, "luigid-auth.js"), quick ? "1000" : "5000", quick ? "500" : "2000"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, BENCH_ROUNDS: String(repeats) },
    },
  );
  const [off, on, ratio] = out
    .trim()
    .split("\n")
    .slice(-3)
    .map((line) => JSON.parse(line));
  console.log("\nluigid with [auth] (basic auth from the URL) vs without, alternating, medians:");
  console.log("                      add_task/s   add_tasks/s   get_work p50 ms   p99 ms");
  for (const r of [off, on]) {
    console.log(
      `${(r.auth ? "auth on" : "auth off").padEnd(20)} ${String(r.addTaskPerSecond).padStart(12)} ${String(r.addTasksPerSecond).padStart(13)} ${r.getWorkP50Ms.toFixed(3).padStart(17)} ${r.getWorkP99Ms.toFixed(3).padStart(8)}`,
    );
  }
  const q = ratio.ratioOnOff;
  console.log(
    `on / off: add_task ${q.addTask}, add_tasks ${q.addTasks}, get_work p50 ${q.getWorkP50}, p99 ${q.getWorkP99}`,
  );
}
