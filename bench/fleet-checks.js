// complete() calls made in all by a fleet (issue 16), a section of `npm run bench` that also runs
// alone: node bench/fleet-checks.js [WORKERS] [N] [REPEATS]. Through bench/luigid-e2e.js, WORKERS `luigi`
// processes (default 8) at once on bench/pipelines/counted.ts (N leaves plus a root, default 10,000),
// `[worker] trust_scheduler_done` on and off, alternating: the complete() calls counted, their ratio to
// the steps (target: at most 1.1 with trust on), and wall seconds; medians of REPEATS (default 3).
// Run it under flock /tmp/bench.lock on a shared machine.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median, tempDir } from "./lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));

function runCase(workers, n, trust) {
  const dir = tempDir("luigi-ts-bench-checks-");
  const checks = path.join(dir, "checks.log");
  try {
    const out = execFileSync(
      process.execPath,
      [path.join(here, "luigid-e2e.js"), String(workers), String(n)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        timeout: 600_000,
        killSignal: "SIGTERM",
        env: {
          ...process.env,
          BENCH_PIPELINE: "bench/pipelines/counted.ts:Counted",
          BENCH_CHECKS: checks,
          BENCH_WORKER_CONFIG: `trust_scheduler_done = ${trust}\n`,
        },
      },
    );
    const result = JSON.parse(out.trim().split("\n").at(-1));
    const calls = readFileSync(checks, "utf8").length / 2; // "c\n" per call
    return { ...result, calls };
  } catch (err) {
    console.log(`  FAILED: ${workers} workers, trust ${trust}: ${err.message.split("\n")[0]}`);
    process.exitCode = 1;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fleetChecksSection({ repeats = 3, quick = false, workers = 8, n } = {}) {
  const leaves = n ?? (quick ? 2000 : 10000);
  const steps = leaves + 1;
  console.log(
    `\ncomplete() calls by a fleet: ${workers} luigi processes, one luigid, ${fmt(steps)} steps; trust_scheduler_done on vs off, alternating, median of ${repeats}:`,
  );
  console.log("trust   complete() calls   per step   seconds");
  const results = { true: [], false: [] };
  for (let r = 0; r < repeats; r++) {
    for (const trust of [true, false]) {
      const result = runCase(workers, leaves, trust);
      if (!result) return;
      results[trust].push(result);
    }
  }
  for (const trust of [true, false]) {
    const calls = median(results[trust].map((x) => x.calls));
    const seconds = median(results[trust].map((x) => x.seconds));
    console.log(
      `${(trust ? "on" : "off").padEnd(6)}  ${fmt(calls).padStart(16)}   ${fmt(calls / steps, 2).padStart(8)}   ${fmt(seconds, 1).padStart(7)}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [workers = "8", n = "10000", repeats = "3"] = process.argv.slice(2);
  fleetChecksSection({ workers: Number(workers), n: Number(n), repeats: Number(repeats) });
}
