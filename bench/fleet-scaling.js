// Issue 16's figure: does adding workers make a run faster? End to end through one luigid
// (bench/luigid-e2e.js: the steps of bench/pipelines/trivial.ts, outputs on tmpfs), with 1, 2, 4 and 8
// `luigi` processes started at once, on the 20,000-step tree and the 100,000-step one with trivial steps,
// and on 2,000 steps of 10 ms each; on both state backends, files (`state_path`) and PostgreSQL
// (`state_url`, when BENCH_POSTGRES_URL or LUIGI_TEST_POSTGRES_URL is set). The case "assist" is the
// 20,000-step tree run by one `luigi` beside a long-lived fleet: W - 1 `luigi --assistant` processes
// started before the clock starts (their start-up paid once, as a fleet that stays up pays it). The
// cases are interleaved round by round, so that a change in the machine's load touches them all alike;
// medians of the rounds.
// Prints a table per case with the ratio of each fleet's wall time to one worker's (below 1: faster),
// then one JSON line. Usage: node bench/fleet-scaling.js [rounds=3] [cases=20000,100000,10ms,assist]
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_POSTGRES_URL, fmt, median } from "./lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const [roundsText = "3", casesText = "20000,100000,10ms,assist"] = process.argv.slice(2);
const rounds = Number(roundsText);
const FLEETS = [1, 2, 4, 8];
const CASES = {
  20000: { n: 20000, stepMs: 0, label: "20,000 trivial steps" },
  100000: { n: 100000, stepMs: 0, label: "100,000 trivial steps" },
  "10ms": { n: 2000, stepMs: 10, label: "2,000 steps of 10 ms" },
  assist: {
    n: 20000,
    stepMs: 0,
    assistants: true,
    label: "20,000 trivial steps, one luigi and W - 1 assistants started beforehand",
  },
};
const cases = casesText.split(",").map((c) => {
  const found = CASES[c];
  if (!found) throw new Error(`unknown case ${c} (known: ${Object.keys(CASES).join(", ")})`);
  return { key: c, ...found };
});
const states = BENCH_POSTGRES_URL === "" ? ["path"] : ["path", "url"];

function runOnce(state, c, workers) {
  const out = execFileSync(
    process.execPath,
    [path.join(here, "luigid-e2e.js"), String(c.assistants ? 1 : workers), String(c.n)],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        BENCH_STATE: state,
        BENCH_STEP_MS: String(c.stepMs),
        BENCH_ASSISTANTS: String(c.assistants ? workers - 1 : 0),
      },
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 600_000,
    },
  );
  return JSON.parse(out.trim().split("\n").at(-1));
}

const results = new Map();
for (let round = 0; round < rounds; round++) {
  for (const state of states)
    for (const c of cases)
      for (const workers of FLEETS) {
        const key = `${state} ${c.key} ${workers}`;
        const r = runOnce(state, c, workers);
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(r);
        console.error(`round ${round + 1}: ${key}: ${r.seconds.toFixed(2)} s`);
      }
}

const summary = [];
for (const state of states) {
  for (const c of cases) {
    console.log(
      `\n${c.label}, ${state === "path" ? "state_path (files)" : "state_url (PostgreSQL)"}, medians of ${rounds}`,
    );
    console.log("workers   seconds   vs 1 worker   luigid CPU s   workers' CPU s");
    const one = median(results.get(`${state} ${c.key} 1`).map((r) => r.seconds));
    for (const workers of FLEETS) {
      const rs = results.get(`${state} ${c.key} ${workers}`);
      const seconds = median(rs.map((r) => r.seconds));
      const row = {
        state,
        case: c.key,
        workers,
        seconds,
        ratio: seconds / one,
        luigidCpuSeconds: median(rs.map((r) => r.luigidCpuSeconds ?? 0)),
        // With assistants: theirs too, their start-up and their wait before the clock included.
        workerCpuSeconds: median(rs.map((r) => r.workerCpuSeconds + (r.assistantCpuSeconds ?? 0))),
      };
      summary.push(row);
      console.log(
        `${String(workers).padStart(7)}   ${fmt(seconds, 2).padStart(7)}   ${fmt(row.ratio, 2).padStart(11)}   ${fmt(row.luigidCpuSeconds, 2).padStart(12)}   ${fmt(row.workerCpuSeconds, 2).padStart(14)}`,
      );
    }
  }
}
console.log(JSON.stringify(summary));
