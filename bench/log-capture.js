// The captured step logs section of `npm run bench` (also runs alone: node bench/log-capture.js).
// End to end through one luigid, the DAG of bench/pipelines/printing.ts (trivial.ts's shape), with
// `[worker] log_capture` off and on, alternating, for steps that print nothing and steps that print 100
// lines each: steps per second and the workers' CPU seconds, and the ratios on/off (target: capture
// costs under 10% on steps that print nothing). Two luigi processes of one worker each (capture then
// needs no AsyncLocalStorage), and one luigi process with --workers 2 (it does). Wall time on a shared
// 2-core machine is noisy; the workers' CPU seconds are the steadier figure.
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const CAPTURE_OFF = "log_capture = false\n";

function runCase(args, env) {
  try {
    const out = execFileSync(process.execPath, [path.join(here, "luigid-e2e.js"), ...args.map(String)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 600_000,
      killSignal: "SIGTERM",
      env: { ...process.env, BENCH_PIPELINE: "bench/pipelines/printing.ts:Printing", ...env },
    });
    return JSON.parse(out.trim().split("\n").at(-1));
  } catch (err) {
    console.log(`  FAILED: luigid-e2e.js ${args.join(" ")}: ${err.message.split("\n")[0]}`);
    process.exitCode = 1;
    return undefined;
  }
}

export function logCaptureSection({ repeats, quick }) {
  const load = loadavg().map((l) => l.toFixed(1));
  const steps = quick ? 1000 : 5000;
  console.log(
    `\nCaptured step logs (${availableParallelism()} cores, load average ${load.join(" ")}): ${fmt(steps)} steps through one luigid; capture off vs on, alternating:`,
  );
  console.log("lines/step  luigi processes  capture  runs   seconds   steps/s   worker CPU s   luigid CPU s");
  const ratios = [];
  const cases = [
    { lines: 0, processes: 2, label: "2 x 1 worker" },
    { lines: 100, processes: 2, label: "2 x 1 worker" },
    { lines: 0, processes: 1, label: "1 x --workers 2", args: "--workers 2" },
  ];
  for (const { lines, processes, label, args } of cases) {
    const off = [];
    const on = [];
    for (let r = 0; r < repeats; r++) {
      const env = { BENCH_LINES: String(lines), ...(args ? { BENCH_WORKER_ARGS: args } : {}) };
      const a = runCase([processes, steps], { ...env, BENCH_WORKER_CONFIG: CAPTURE_OFF });
      const b = runCase([processes, steps], env);
      if (!a || !b) return;
      off.push(a);
      on.push(b);
    }
    const med = (list, key) => median(list.map((x) => x[key]));
    for (const [capture, list] of [
      ["off", off],
      ["on", on],
    ]) {
      console.log(
        `${String(lines).padStart(10)}  ${label.padEnd(15)}  ${capture.padEnd(7)} ${String(list.length).padStart(5)} ${fmt(med(list, "seconds"), 2).padStart(9)} ${fmt(med(list, "stepsPerSecond")).padStart(9)} ${fmt(med(list, "workerCpuSeconds"), 2).padStart(14)} ${fmt(med(list, "luigidCpuSeconds") ?? 0, 2).padStart(14)}`,
      );
    }
    ratios.push({
      lines,
      label,
      rate: med(on, "stepsPerSecond") / med(off, "stepsPerSecond"),
      cpu: med(on, "workerCpuSeconds") / med(off, "workerCpuSeconds"),
    });
  }
  for (const { lines, label, rate, cpu } of ratios) {
    const target = lines === 0 ? " (target: cost under 10%, i.e. steps/s ratio >= 0.90)" : "";
    console.log(
      `${lines} lines/step, ${label}: steps/s on/off ${fmt(rate, 3)}, worker CPU on/off ${fmt(cpu, 3)}${target}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  logCaptureSection({
    repeats: Number(process.env.BENCH_REPEATS ?? "3"),
    quick: process.env.BENCH_QUICK === "1",
  });
}
