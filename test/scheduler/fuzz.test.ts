/**
 * Random operation sequences (seeded, so reproducible). After every operation the incremental indexes
 * must equal a recomputation from scratch, and get_work / count_pending must agree with naive versions
 * computed from the exported records, the way Luigi computes them (scans and DFS).
 */
import { describe, expect, test } from "vitest";
import type { ClaimStatus } from "../../src/scheduler/api.js";
import { pack, unpack, unpackLazily } from "../../src/scheduler/persistence/pack.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import type { StateSnapshot, StepSnapshot } from "../../src/scheduler/snapshot.js";
import { FakeClock } from "./helpers.js";
import { seededRandom } from "../helpers/random.js";

const OPTIONS = {
  retryDelay: 50,
  removeDelay: 100,
  workerDisconnectDelay: 60,
  retryCount: 3,
  disableWindow: 200,
  disablePersist: 300,
} as const;

function naiveNext(snap: StateSnapshot, worker: string): string | null {
  const byId = new Map(snap.steps.map((s) => [s.id, s]));
  const ready = snap.steps.filter(
    (s) =>
      s.status === "PENDING" &&
      s.workers.includes(worker) &&
      s.deps.every((d) => d !== s.id && byId.get(d)?.status === "DONE"),
  );
  ready.sort((a, b) => b.priority - a.priority || a.time - b.time || a.seq - b.seq);
  return ready[0]?.id ?? null;
}

function naiveCounts(snap: StateSnapshot, worker: string): [number, number, number, string[]] {
  const byId = new Map(snap.steps.map((s) => [s.id, s]));
  const memo = new Map<string, boolean>();
  const blocked = (s: StepSnapshot): boolean => {
    if (s.status !== "PENDING") return false;
    const known = memo.get(s.id);
    if (known !== undefined) return known;
    memo.set(s.id, false);
    const result = s.deps.some((d) => {
      const dep = byId.get(d);
      return dep !== undefined && dep !== s && (dep.status === "DISABLED" || blocked(dep));
    });
    memo.set(s.id, result);
    return result;
  };
  let pending = 0;
  let unique = 0;
  let last = 0;
  const running: string[] = [];
  for (const s of snap.steps) {
    if (!s.workers.includes(worker)) continue;
    if (s.status === "RUNNING") running.push(s.id);
    if (s.status === "FAILED" || (s.status === "PENDING" && !blocked(s))) {
      pending++;
      if (s.workers.length === 1) unique++;
      if (s.workers[s.workers.length - 1] === worker) last++;
    }
  }
  return [pending, unique, last, running.sort()];
}

/**
 * step_page's categories (from the pendingBlocked index and the failure walk) must equal Luigi's own
 * upstream-status DFS as task_list applies it, and its counts the sizes of those lists.
 */
function checkStepPage(s: Scheduler): void {
  const ids = (r: ReturnType<Scheduler["taskList"]>): string[] => Object.keys(r).sort();
  const page = s.stepPage({ limit: 1000 });
  const byCat = (cat: string): string[] =>
    page.rows
      .filter((r) => r.category === cat)
      .map((r) => r.task_id)
      .sort();
  const failed = ids(s.taskList({ status: "PENDING", upstream_status: "UPSTREAM_FAILED" }));
  const disabled = ids(s.taskList({ status: "PENDING", upstream_status: "UPSTREAM_DISABLED" }));
  const pending = ids(s.taskList({ status: "PENDING" })).filter(
    (id) => !failed.includes(id) && !disabled.includes(id),
  );
  expect(byCat("UPSTREAM_FAILED")).toEqual(failed);
  expect(byCat("UPSTREAM_DISABLED")).toEqual(disabled);
  expect(byCat("PENDING")).toEqual(pending);
  for (const status of ["RUNNING", "DONE", "FAILED", "DISABLED", "BATCH_RUNNING"]) {
    expect(byCat(status)).toEqual(ids(s.taskList({ status })));
  }
  for (const [cat, n] of Object.entries(page.counts)) expect(byCat(cat).length).toBe(n);
  expect(page.total).toBe(page.rows.length);
}

function run(seed: number, steps: number, withResources: boolean): void {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const clock = new FakeClock();
  let s = new Scheduler({ clock: clock.now, ...OPTIONS, resources: { r: 2 } });
  const ids = Array.from({ length: 24 }, (_, i) => `S${i}`);
  const workers = ["W1", "W2", "W3"];
  const statuses: ClaimStatus[] = [
    "PENDING",
    "PENDING",
    "PENDING",
    "DONE",
    "DONE",
    "FAILED",
    "RUNNING",
    "DISABLED",
    "SUSPENDED",
  ];
  const lowerIds = (id: string): string[] => ids.slice(0, Number(id.slice(1)));
  const someDeps = (id: string): string[] => lowerIds(id).filter(() => rnd() < 0.15);

  for (let i = 0; i < steps; i++) {
    const op = rnd();
    const w = pick(workers);
    const id = pick(ids);
    if (op < 0.4) {
      s.addTask({
        worker: w,
        task_id: id,
        family: "F",
        status: pick(statuses),
        deps: rnd() < 0.5 ? someDeps(id) : null,
        new_deps: rnd() < 0.1 ? someDeps(id) : null,
        priority: Math.floor(rnd() * 4),
        runnable: rnd() < 0.9,
        assistant: rnd() < 0.05,
        resources: withResources && rnd() < 0.3 ? { r: 1 + Math.floor(rnd() * 2) } : null,
      });
    } else if (op < 0.65) {
      const snap = s.exportState();
      const expected = withResources ? undefined : naiveNext(snap, w);
      const disabled = snap.workers.find((x) => x.id === w)?.disabled ?? false;
      const reply = s.getWork({ worker: w, host: "h" });
      if (expected !== undefined) expect(reply.task_id).toBe(disabled ? null : expected);
      if (!disabled) {
        const [pending, unique, last, running] = naiveCounts(snap, w);
        expect([reply.n_pending_tasks, reply.n_unique_pending, reply.n_pending_last_scheduled]).toEqual([
          pending,
          unique,
          last,
        ]);
        expect(reply.running_tasks.map((r) => r.task_id).sort()).toEqual(running);
      }
    } else if (op < 0.75) {
      clock.advance(Math.floor(rnd() * 40));
      s.prune();
    } else if (op < 0.8) {
      s.ping({ worker: w });
    } else if (op < 0.84) {
      s.markAsDone({ task_id: id });
    } else if (op < 0.87) {
      s.forgiveFailures({ task_id: id });
    } else if (op < 0.9) {
      s.reEnableTask({ task_id: id });
    } else if (op < 0.91) {
      s.disableWorker({ worker: w });
    } else if (op < 0.94) {
      s.decreaseRunningTaskResources({ task_id: id, decrease_resources: { r: 1 } });
    } else if (op < 0.96) {
      s.getWork({ worker: w, assistant: true, current_tasks: rnd() < 0.5 ? [] : null });
    } else if (op < 0.97) {
      // Through the on-disk form (packed, as JSON), as a luigid restart reads it.
      const snap = s.exportState();
      const packed = JSON.parse(JSON.stringify(pack(snap))) as ReturnType<typeof pack>;
      expect(unpack(packed)).toEqual(snap);
      s = Scheduler.importState(unpackLazily(packed), {
        clock: clock.now,
        ...OPTIONS,
        resources: { r: 2 },
      });
      expect(s.exportState()).toEqual(snap);
    } else if (op < 0.985) {
      checkStepPage(s);
    } else {
      s.taskList({ upstream_status: "UPSTREAM_DISABLED" });
      s.depGraph({ task_id: id, include_done: rnd() < 0.5 });
      s.inverseDepGraph({ task_id: id });
    }
    s.checkConsistency();
  }
}

describe("fuzz: indexes never drift and answers match naive recomputation", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`seed ${seed}`, () => run(seed, 1500, false));
  }
  for (const seed of [11, 12, 13]) {
    test(`seed ${seed} with resources`, () => run(seed, 1500, true));
  }
});
