// `npm run bench`: runs each case a few times in fresh processes and prints the medians.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { luigidSection } from "./luigid-section.js";
import { visualiserSection } from "./visualiser-section.js";
import { historySection } from "./history.js";
import { authSection } from "./luigid-auth-section.js";
import { logCaptureSection } from "./log-capture.js";
import { fleetChecksSection } from "./fleet-checks.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repeats = Number(process.env.BENCH_REPEATS ?? "3");
const quick = process.env.BENCH_QUICK === "1";

function runCase(script, args, nodeArgs = []) {
  const out = execFileSync(process.execPath, [...nodeArgs, path.join(here, script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split("\n").at(-1));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(n, digits = 0) {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

console.log(`luigi-ts benchmarks (node ${process.version}, median of ${repeats} runs)\n`);
console.log("Local scheduler, trivial steps (MemoryTarget outputs), 1 worker:");
console.log("case                 steps    seconds   steps/s   peak RSS MiB");
const cases = quick
  ? [
      ["fanin", 1000],
      ["chain", 1000],
    ]
  : [
      ["fanin", 1000],
      ["fanin", 10000],
      ["fanin", 100000],
      ["chain", 10000],
    ];
for (const [shape, n] of cases) {
  const results = Array.from({ length: repeats }, () => runCase("local-run.js", [shape, String(n), "1"]));
  const seconds = median(results.map((r) => r.seconds));
  const rate = median(results.map((r) => r.stepsPerSecond));
  const rss = median(results.map((r) => r.peakRssMiB));
  console.log(
    `${`${shape} ${fmt(n)}`.padEnd(20)} ${fmt(results[0].ran).padStart(6)} ${fmt(seconds, 2).padStart(10)} ${fmt(rate).padStart(9)} ${fmt(rss).padStart(14)}`,
  );
}

console.log("\nScheduler memory (pure core, fan-in registered as a worker would):");
for (const n of quick ? [10000] : [100000]) {
  const results = Array.from({ length: repeats }, () =>
    runCase("scheduler-memory.js", [String(n)], ["--expose-gc"]),
  );
  console.log(
    `${fmt(n)} steps: ${fmt(median(results.map((r) => r.bytesPerStep)))} bytes per step (target < 2048)`,
  );
}

luigidSection({ repeats, quick });
authSection({ repeats, quick });
visualiserSection({ repeats, quick });
historySection({ repeats, quick });
logCaptureSection({ repeats, quick });
fleetChecksSection({ repeats, quick });

console.log("");
const startupOut = execFileSync(
  process.execPath,
  [path.join(here, "worker-startup.js"), String(Math.max(5, repeats))],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
console.log(startupOut.trim().split("\n").slice(0, -1).join("\n"));

console.log("");
const rangeOut = execFileSync(process.execPath, [path.join(here, "range-complete.js")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
console.log(rangeOut.trim().split("\n").slice(0, -1).join("\n"));

console.log("");
const copyOut = execFileSync(
  process.execPath,
  [path.join(here, "copy-to-table.js"), quick ? "100000" : "1000000"],
  {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  },
);
console.log(copyOut.trim().split("\n").slice(0, -1).join("\n"));
