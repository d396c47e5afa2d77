// The step history section of `npm run bench` (also runs alone: node bench/history.js).
// (a) End to end, the 10,000-step DAG through luigid with history off and on (SQLite, the default
//     db_connection), alternating, as a ratio (target: history costs under 15%). On a loaded machine
//     the wall-clock ratio is noisy; luigid's own CPU seconds are shown too.
// (b) Each history page's response time over HTTP with 1,000,000 event rows, on SQLite and (when
//     LUIGI_TEST_POSTGRES_URL is set) PostgreSQL (target: under 100 ms).
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const HISTORY_ON = "[scheduler]\nrecord_step_history = true\n";

function runCase(script, args, env = {}) {
  try {
    const out = execFileSync(process.execPath, [path.join(here, script), ...args.map(String)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 600_000,
      killSignal: "SIGTERM",
      env: { ...process.env, ...env },
    });
    return JSON.parse(out.trim().split("\n").at(-1));
  } catch (err) {
    console.log(`  FAILED: ${script} ${args.join(" ")}: ${err.message.split("\n")[0]}`);
    process.exitCode = 1;
    return undefined;
  }
}

export function historySection({ repeats, quick }) {
  const load = loadavg().map((l) => l.toFixed(1));
  console.log(`\nStep history (${availableParallelism()} cores, load average ${load.join(" ")}):`);
  const steps = quick ? 1000 : 10_000;
  const workers = 4;
  console.log(
    `\n(a) End to end, ${fmt(steps)} trivial steps, ${workers} luigi processes, one luigid; history off vs on (SQLite), alternating:`,
  );
  const off = [];
  const on = [];
  for (let r = 0; r < repeats; r++) {
    const a = runCase("luigid-e2e.js", [workers, steps]);
    const b = runCase("luigid-e2e.js", [workers, steps], { BENCH_LUIGID_CONFIG: HISTORY_ON });
    if (!a || !b) return;
    off.push(a);
    on.push(b);
  }
  const med = (list, key) => median(list.map((x) => x[key]));
  console.log("history   runs   seconds   steps/s   luigid CPU s");
  for (const [label, list] of [
    ["off", off],
    ["on", on],
  ]) {
    console.log(
      `${label.padEnd(7)} ${String(list.length).padStart(6)} ${fmt(med(list, "seconds"), 2).padStart(9)} ${fmt(med(list, "stepsPerSecond")).padStart(9)} ${fmt(med(list, "luigidCpuSeconds") ?? 0, 2).padStart(14)}`,
    );
  }
  const cost = med(on, "seconds") / med(off, "seconds") - 1;
  const cpuCost = med(on, "luigidCpuSeconds") / med(off, "luigidCpuSeconds") - 1;
  console.log(
    `history cost: ${fmt(cost * 100, 1)}% wall time (target < 15%), ${fmt(cpuCost * 100, 1)}% luigid CPU`,
  );

  const events = quick ? 100_000 : 1_000_000;
  console.log(
    `\n(b) History pages with ${fmt(events)} event rows (median of 7 requests after 2 warm-ups, ms; target < 100):`,
  );
  const backends = ["sqlite", ...(process.env.LUIGI_TEST_POSTGRES_URL ? ["postgres"] : [])];
  const results = backends.map((b) => [b, runCase("history-pages.js", [b, events])]);
  if (!process.env.LUIGI_TEST_POSTGRES_URL)
    console.log("(PostgreSQL skipped: LUIGI_TEST_POSTGRES_URL is not set)");
  const ok = results.filter(([, r]) => r);
  if (ok.length === 0) return;
  console.log(`${"page".padEnd(36)} ${ok.map(([b]) => b.padStart(10)).join(" ")}`);
  for (const page of Object.keys(ok[0][1].millis)) {
    console.log(`${page.padEnd(36)} ${ok.map(([, r]) => fmt(r.millis[page], 1).padStart(10)).join(" ")}`);
  }
  console.log(
    `${"(bulk load seconds)".padEnd(36)} ${ok.map(([, r]) => fmt(r.loadSeconds, 1).padStart(10)).join(" ")}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  historySection({
    repeats: Number(process.env.BENCH_REPEATS ?? "3"),
    quick: process.env.BENCH_QUICK === "1",
  });
}
