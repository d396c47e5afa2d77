// The "visualiser" section of `npm run bench`: runs bench/visualiser.js and bench/timeline.js in child
// processes (each starts its own luigid and headless Chromium) and shows its output; a failure prints FAILED and sets exit code 1.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export function visualiserSection({ repeats, quick }) {
  console.log("\nVisualiser in headless Chromium:");
  const runs = quick ? 1 : Math.max(3, repeats);
  // The step list and graph, then the Timeline's Gantt chart (bench/timeline.js).
  for (const script of ["visualiser.js", "timeline.js"]) {
    const res = spawnSync(process.execPath, [path.join(here, script), String(runs)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 600_000,
      killSignal: "SIGTERM",
      env: quick ? { ...process.env, BENCH_VIS_STEPS: "10000" } : process.env,
    });
    const lines = (res.stdout ?? "").trim().split("\n");
    // The last line is the machine-readable JSON; the rest is for people.
    for (const line of lines.slice(0, -1)) console.log(line);
    if (res.status !== 0) {
      console.log(`  FAILED: bench/${script} exited with ${res.status ?? res.signal}`);
      process.exitCode = 1;
    }
  }
}
