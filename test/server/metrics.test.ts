import path from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { StepMetrics } from "../../src/server/step-metrics.js";
import { consistent, fixture } from "../scheduler/helpers.js";
import { FIXTURES, runLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";

const BASIC = path.join(FIXTURES, "basic.ts");
const WORKER = "Worker(salt=1, workers=1, host=test, username=test, pid=1)";

/** `name{label="v"}` -> value, from Prometheus's text format (luigid's label values need no unescaping here). */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** Every sample of the step metrics (luigi_task_*, luigi_steps, luigi_workers_alive), sorted by name. */
function stepSamples(samples: Map<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries(
    [...samples].filter(([name]) => name.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

async function luigiAgainst(daemon: RunningLuigid, dir: string, args: string[]): Promise<number | null> {
  const result = await runLuigi(["--module", BASIC, ...args, "--scheduler-url", daemon.url, "--no-lock"], {
    cwd: dir,
    env: { OUT: path.join(dir, "out"), LOG: path.join(dir, "runs.log") },
  });
  return result.code;
}

describe("luigid /metrics: Luigi's step metrics", () => {
  it("counts starts and ends per family, keeps the last run's duration, and reads the gauges from the state", async () => {
    const w = workdir();
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], { cwd: w.dir });
    try {
      const empty = await scrape(daemon.url);
      expect(stepSamples(empty, "luigi_task_")).toEqual({});
      expect(empty.get('luigi_steps{status="PENDING"}')).toBe(0);
      expect(empty.get("luigi_workers_alive")).toBe(0);

      expect(await luigiAgainst(daemon, w.dir, ["Greetings", "--day", "2026-11-20"])).toBe(0);
      expect(await luigiAgainst(daemon, w.dir, ["NeedsBroken", "--day", "2026-11-20"])).not.toBe(0);
      expect(await luigiAgainst(daemon, w.dir, ["Slow", "--seconds", "0.3"])).toBe(0);
      // A step reported disabled by its worker never ran: counted, without a duration.
      await rpc(daemon.url, "add_task", {
        worker: WORKER,
        task_id: "Off_1",
        family: "Off",
        status: "DISABLED",
      });

      const after = await scrape(daemon.url);
      expect(countersOf(after)).toEqual({
        'luigi_task_disabled_total{family="Off"}': 1,
        'luigi_task_done_total{family="Greetings"}': 1,
        'luigi_task_done_total{family="Hello"}': 4,
        'luigi_task_done_total{family="Slow"}': 1,
        'luigi_task_failed_total{family="Broken"}': 1,
        'luigi_task_started_total{family="Broken"}': 1,
        'luigi_task_started_total{family="Greetings"}': 1,
        'luigi_task_started_total{family="Hello"}': 4,
        'luigi_task_started_total{family="Slow"}': 1,
      });
      const durations = stepSamples(after, "luigi_task_execution_time_seconds");
      expect(Object.keys(durations).sort()).toEqual([
        'luigi_task_execution_time_seconds{family="Broken"}',
        'luigi_task_execution_time_seconds{family="Greetings"}',
        'luigi_task_execution_time_seconds{family="Hello"}',
        'luigi_task_execution_time_seconds{family="Slow"}',
      ]);
      expect(durations['luigi_task_execution_time_seconds{family="Slow"}']).toBeGreaterThanOrEqual(0.3);
      for (const seconds of Object.values(durations)) expect(seconds).toBeGreaterThanOrEqual(0);
      expect(stepSamples(after, "luigi_steps")).toEqual({
        'luigi_steps{status="BATCH_RUNNING"}': 0,
        'luigi_steps{status="DISABLED"}': 1,
        'luigi_steps{status="DONE"}': 6,
        'luigi_steps{status="FAILED"}': 1,
        'luigi_steps{status="PENDING"}': 1,
        'luigi_steps{status="RUNNING"}': 0,
        'luigi_steps{status="UNKNOWN"}': 0,
      });
      // Three luigi processes and the hand-made worker, none silent for worker_disconnect_delay yet.
      expect(after.get("luigi_workers_alive")).toBe(4);

      // Run again: everything is complete, so nothing starts, ends or changes duration.
      expect(await luigiAgainst(daemon, w.dir, ["Greetings", "--day", "2026-11-20"])).toBe(0);
      const again = await scrape(daemon.url);
      expect(countersOf(again)).toEqual(countersOf(after));
      expect(stepSamples(again, "luigi_task_execution_time_seconds")).toEqual(durations);
    } finally {
      await daemon.stop();
    }
  });

  it("does not count the journal replay again after a restart (kill -9 and clean stop, several rounds)", async () => {
    const w = workdir();
    const statePath = path.join(w.dir, "state.json");
    for (let round = 0; round < 3; round++) {
      const daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir });
      try {
        // The state survived: every step run before is still DONE, yet nothing is counted at start.
        const start = await scrape(daemon.url);
        expect(countersOf(start)).toEqual({});
        expect(start.get('luigi_steps{status="DONE"}')).toBe(round);
        expect(await luigiAgainst(daemon, w.dir, ["Hello", "--name", `round${round}`])).toBe(0);
        const after = await scrape(daemon.url);
        expect(countersOf(after)).toEqual({
          'luigi_task_done_total{family="Hello"}': 1,
          'luigi_task_started_total{family="Hello"}': 1,
        });
        expect(after.get('luigi_steps{status="DONE"}')).toBe(round + 1);
      } finally {
        // Odd rounds stop cleanly (the journal is folded into the snapshot), even ones are killed (all replayed).
        await daemon.stop(round % 2 === 0 ? "SIGKILL" : "SIGTERM");
      }
    }
  });
});

describe("StepMetrics on the scheduler core (hand-driven clock)", () => {
  async function samplesOf(registry: Registry): Promise<Map<string, number>> {
    const samples = new Map<string, number>();
    for (const metric of await registry.getMetricsAsJSON()) {
      for (const v of metric.values) {
        const labels = Object.entries(v.labels).map(([k, l]) => `${k}="${String(l)}"`);
        samples.set(`${metric.name}${labels.length ? `{${labels.join(",")}}` : ""}`, v.value);
      }
    }
    return samples;
  }

  it("times each run from hand-out to its end, and counts a disabling failure as disabled only", async () => {
    const registry = new Registry();
    const metrics = new StepMetrics(registry);
    const f = fixture({ hooks: metrics.hooks(), retryCount: 2, retryDelay: 0 });
    // Before start(): nothing is counted (the journal replay), and the gauges have no source yet.
    f.add("Load_1");
    expect(f.next()).toBe("Load_1");
    f.done("Load_1");
    expect(countersOf(await samplesOf(registry))).toEqual({});
    metrics.start(() => f.s.census());

    f.add("Load_2");
    expect(f.next()).toBe("Load_2");
    const started = await samplesOf(registry);
    expect(started.get('luigi_task_execution_time_seconds{family="Load"}')).toBe(0);
    f.clock.advance(7.5);
    f.done("Load_2");
    f.add("Load_3", { status: "DONE" }); // found complete: done, but no run to time
    let samples = await samplesOf(registry);
    expect(samples.get('luigi_task_execution_time_seconds{family="Load"}')).toBe(7.5);
    expect(samples.get('luigi_task_done_total{family="Load"}')).toBe(2);
    expect(samples.get('luigi_task_started_total{family="Load"}')).toBe(1);

    // retry_count 2: the first failure is FAILED, the second DISABLED (not counted as failed too).
    f.add("Flaky_1");
    expect(f.next()).toBe("Flaky_1");
    f.clock.advance(2);
    f.fail("Flaky_1");
    f.clock.advance(1);
    f.s.prune();
    expect(f.next()).toBe("Flaky_1");
    f.clock.advance(3);
    f.fail("Flaky_1");
    expect(f.status("Flaky_1")).toBe("DISABLED");
    samples = await samplesOf(registry);
    expect(countersOf(samples)).toEqual({
      'luigi_task_disabled_total{family="Flaky"}': 1,
      'luigi_task_done_total{family="Load"}': 2,
      'luigi_task_failed_total{family="Flaky"}': 1,
      'luigi_task_started_total{family="Flaky"}': 2,
      'luigi_task_started_total{family="Load"}': 1,
    });
    expect(samples.get('luigi_task_execution_time_seconds{family="Flaky"}')).toBe(3);
    expect(samples.get('luigi_steps{status="DONE"}')).toBe(3);
    expect(samples.get('luigi_steps{status="DISABLED"}')).toBe(1);
    expect(samples.get("luigi_workers_alive")).toBe(1);
    consistent(f.s);
  });
});

function countersOf(samples: Map<string, number>): Record<string, number> {
  return Object.fromEntries(
    [...samples]
      .filter(([name]) => /^luigi_task_\w+_total\{/.test(name))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}
