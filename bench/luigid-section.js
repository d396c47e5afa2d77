// The "luigid over loopback" section of `npm run bench` (also runs alone: node bench/luigid-section.js).
// Each case runs in a fresh child process (bench/luigid-*.js, which start their own luigid and workers);
// a case that fails prints FAILED and makes the exit code 1, and the section goes on.
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Runs a case `repeats` times (fewer when another run would overrun `budgetSeconds`) and returns the parsed
 * JSON lines, or undefined if a run failed (its stderr is shown).
 */
function runCase(script, args, { repeats, budgetSeconds = Infinity, env = {} }) {
  const results = [];
  const started = performance.now();
  for (let r = 0; r < repeats; r++) {
    const spent = (performance.now() - started) / 1000;
    if (r > 0 && spent + spent / r > budgetSeconds) break;
    try {
      const out = execFileSync(process.execPath, [path.join(here, script), ...args.map(String)], {
        encoding: "utf8",
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "inherit"],
        timeout: 300_000,
        killSignal: "SIGTERM",
      });
      results.push(JSON.parse(out.trim().split("\n").at(-1)));
    } catch (err) {
      console.log(`  FAILED: ${script} ${args.join(" ")}: ${err.message.split("\n")[0]}`);
      process.exitCode = 1;
      return undefined;
    }
  }
  return results;
}

const med = (results, key) => median(results.map((r) => r[key]));

export function luigidSection({ repeats, quick }) {
  const load = loadavg().map((l) => l.toFixed(1));
  console.log(
    `\nluigid over loopback (a luigid child process per case; ${availableParallelism()} cores, load average ${load.join(" ")}):`,
  );

  console.log("\nRegistration throughput (registrations/s; a worker's add_task arguments):");
  console.log("steps held   (a) add_task, 1 per request   (b) add_tasks of 500   (b)/(a)");
  for (const held of quick ? [10_000] : [10_000, 100_000]) {
    const single = runCase("luigid-register.js", ["single", held, quick ? 2000 : 5000], { repeats });
    const batch = runCase("luigid-register.js", ["batch", held, quick ? 20_000 : 50_000], { repeats });
    if (!single || !batch) continue;
    const a = med(single, "perSecond");
    const b = med(batch, "perSecond");
    console.log(
      `${fmt(held).padStart(10)} ${fmt(a).padStart(31)} ${fmt(b).padStart(22)} ${fmt(b / a, 1).padStart(9)}`,
    );
  }

  console.log("\nget_work latency, one worker, PENDING ready steps (ms; target: HTTP p99 < 2 at 100k):");
  const echo = runCase("luigid-getwork.js", ["echo", 0, 2000], { repeats });
  if (echo) {
    console.log(
      `(loopback floor: the same client against a bare node:http server: p50 ${fmt(med(echo, "p50"), 3)}, p99 ${fmt(med(echo, "p99"), 3)})`,
    );
  }
  console.log("pending   calls   HTTP p50   HTTP p99   core p50   core p99");
  for (const n of quick ? [1000, 10_000] : [1000, 10_000, 100_000]) {
    const calls = n === 1000 || quick ? 500 : 2000;
    const http = runCase("luigid-getwork.js", ["http", n, calls], { repeats });
    const core = runCase("luigid-getwork.js", ["core", n, calls], { repeats });
    if (!http || !core) continue;
    const cells = [med(http, "p50"), med(http, "p99"), med(core, "p50"), med(core, "p99")];
    console.log(
      `${fmt(n).padStart(7)} ${fmt(calls).padStart(7)} ${cells.map((c) => fmt(c, 3).padStart(10)).join(" ")}`,
    );
  }

  const steps = quick ? 1000 : 10_000;
  console.log(
    `\nEnd to end: ${fmt(steps)} trivial steps (LocalTarget files), N luigi processes, one luigid` +
      " (target: >= 2,000 steps/s with 8):",
  );
  console.log(
    "workers   outputs   runs   seconds   steps/s   CPU s: luigid  workers   steps run per worker (last run)",
  );
  // Outputs on tmpfs measure luigi-ts; the 8-worker case is also run with them on disk, whose file
  // creation cost varies widely on a VM (see bench/luigid-e2e.js).
  const cases = [...(quick ? [1, 8] : [1, 4, 8]).map((w) => [w, {}]), [8, { BENCH_OUT_ROOT: tmpdir() }]];
  for (const [workers, env] of cases) {
    // At most ~60 s (quick: 10 s) of runs per case, so that the section stays bounded when slow.
    const results = runCase("luigid-e2e.js", [workers, steps], {
      repeats,
      budgetSeconds: quick ? 10 : 60,
      env,
    });
    if (!results) continue;
    console.log(
      `${String(workers).padStart(7)} ${results[0].outputs.padStart(9)} ${String(results.length).padStart(6)} ${fmt(med(results, "seconds"), 2).padStart(9)} ${fmt(med(results, "stepsPerSecond")).padStart(9)} ${fmt(med(results, "luigidCpuSeconds"), 2).padStart(14)} ${fmt(med(results, "workerCpuSeconds"), 2).padStart(8)}   ${results.at(-1).ran.join(" ")}`,
    );
  }

  const burst = quick ? 60_000 : 150_000;
  console.log(
    `\nadd_task latency under 64 connections during a burst of ${fmt(burst)} registrations (ms; compactions at 50,000):`,
  );
  console.log("compaction               p50       p99       max");
  for (const [mode, label] of [
    ["thread", "in a worker thread"],
    ["inline", "on the event loop"],
  ]) {
    const results = runCase("luigid-burst.js", [mode, burst, 64], { repeats });
    if (!results) continue;
    console.log(
      `${label.padEnd(20)} ${fmt(med(results, "p50")).padStart(8)} ${fmt(med(results, "p99")).padStart(9)} ${fmt(med(results, "max")).padStart(9)}`,
    );
  }

  const held = quick ? 10_000 : 100_000;
  console.log(`\nRestart with ${fmt(held)} steps (fan-in), spawn to "listening" (target: < 2 s):`);
  console.log("how                                   seconds   state load ms");
  for (const [mode, label] of [
    ["kill9", "kill -9, restart (journal replay)"],
    ["sigterm", "SIGTERM, restart (snapshot load)"],
  ]) {
    const results = runCase("luigid-restart.js", [mode, held], { repeats });
    if (!results) continue;
    console.log(
      `${label.padEnd(36)} ${fmt(med(results, "seconds"), 2).padStart(8)} ${fmt(med(results, "loadMillis")).padStart(15)}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  luigidSection({
    repeats: Number(process.env.BENCH_REPEATS ?? "3"),
    quick: process.env.BENCH_QUICK === "1",
  });
}
