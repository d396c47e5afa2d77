// Worker start-up CPU: the user+sys CPU seconds of a whole `luigi` process that runs a one-step pipeline
// (one Step with a MemoryTarget output), as a `.ts` and as a `.mjs` module, with --local-scheduler and
// against a running luigid (started here on an ephemeral loopback port). Baselines in the same run: bare
// `node -e 0`, and a process that only imports luigi-ts (dist/index.js). CPU time of each child is
// read from /usr/bin/time (its own cost is outside the child's figures); medians of N runs, the cases
// interleaved so that a change in the machine's load touches them all alike.
// Usage: node bench/worker-startup.js [runs=7]; the last line is JSON (for bench/run.js).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fmt, LUIGI_BIN, median, ROOT, startLuigid, tempDir } from "./lib.js";

const TIME = "/usr/bin/time";
const runs = Number(process.argv[2] ?? "7");

// \`--n\` makes each run's step a new one for luigid (a DONE step would not be run again).
const TS_PIPELINE = `import { MemoryTarget, param, Step } from "luigi-ts";

export class One extends Step.with({ n: param.int({ default: 0 }) }) {
  output(): MemoryTarget {
    return new MemoryTarget("one");
  }
  async run(): Promise<void> {
    await this.output().write("x");
  }
}
`;
const JS_PIPELINE = TS_PIPELINE.replace(": MemoryTarget", "").replace(": Promise<void>", "");

/** A project directory with both pipelines and luigi-ts installed (a link to this checkout). */
function project() {
  const dir = tempDir("luigi-ts-startup-");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "startup", type: "module" }));
  writeFileSync(path.join(dir, "one.ts"), TS_PIPELINE);
  writeFileSync(path.join(dir, "one.mjs"), JS_PIPELINE);
  writeFileSync(path.join(dir, "luigi.cfg"), "");
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(ROOT, path.join(dir, "node_modules", "luigi-ts"), "dir");
  return dir;
}

/** Runs node with `args` in `cwd` under /usr/bin/time; returns its user+sys CPU seconds. */
function cpuSeconds(args, cwd, env) {
  const out = path.join(cwd, "time.out");
  const r = spawnSync(TIME, ["-f", "%U %S", "-o", out, process.execPath, ...args], {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.status !== 0) {
    throw new Error(`node ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  const [user, sys] = readFileSync(out, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
  return user + sys;
}

if (!existsSync(TIME)) {
  console.error(`${TIME} is needed to read a child's CPU time (apt-get install time)`);
  process.exit(1);
}
const dir = project();
const env = { ...process.env, LUIGI_CONFIG_PATH: path.join(dir, "luigi.cfg"), NO_COLOR: "1" };
const luigid = await startLuigid(path.join(dir, "state.json"));
let counter = 0;
const luigi =
  (module, ...more) =>
  () => [LUIGI_BIN, "--module", module, "One", "--n", String(++counter), "--no-lock", ...more];
const cases = [
  ["node -e 0", () => ["-e", "0"]],
  ["import luigi-ts", () => ["--input-type=module", "-e", 'import "luigi-ts";']],
  [".ts  --local-scheduler", luigi("one.ts", "--local-scheduler")],
  [".mjs --local-scheduler", luigi("one.mjs", "--local-scheduler")],
  [".ts  luigid", luigi("one.ts", "--scheduler-url", luigid.url)],
  [".mjs luigid", luigi("one.mjs", "--scheduler-url", luigid.url)],
];
// Warm the file cache (and check each case runs) before measuring.
for (const [, args] of cases) cpuSeconds(args(), dir, env);
const samples = cases.map(() => []);
for (let r = 0; r < runs; r++) cases.forEach(([, args], i) => samples[i].push(cpuSeconds(args(), dir, env)));
await luigid.stop();

const commit = (() => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
})();
console.log(
  `Worker start-up CPU seconds (user+sys), one-step pipeline, median of ${runs} (commit ${commit}):`,
);
console.log("case                        CPU s     min     max");
const result = {};
cases.forEach(([label], i) => {
  const s = samples[i];
  result[label.replace(/\s+/g, " ")] = Math.round(median(s) * 1000) / 1000;
  console.log(
    `${label.padEnd(24)} ${fmt(median(s), 3).padStart(8)} ${fmt(Math.min(...s), 3).padStart(7)} ${fmt(Math.max(...s), 3).padStart(7)}`,
  );
});
console.log(JSON.stringify(result));
