/**
 * The worker's batched hand-outs (get_works): fast steps travel several per request with their outcomes
 * reported on the next request; a worker set to one step per request speaks plain get_work / add_task.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import {
  LocalScheduler,
  LuigiConfig,
  MemoryTarget,
  param,
  setActiveConfig,
  Step,
  Worker,
  type SchedulerApi,
} from "../../src/index.js";

beforeEach(() => {
  MemoryTarget.clearAll();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

const runs: number[] = [];
beforeEach(() => {
  runs.length = 0;
});

/** Leaf i > 0 needs leaf floor(i / 2); leaf 3 sleeps `slowMs`. */
let slowMs = 0;
class Node extends Step.with({ i: param.int() }) {
  requires() {
    return this.i > 0 ? [new Node({ i: Math.floor(this.i / 2) })] : [];
  }
  output() {
    return new MemoryTarget(`node-${this.i}`);
  }
  async run() {
    runs.push(this.i);
    if (this.i === 3 && slowMs > 0) await sleep(slowMs);
    await this.output().write("x");
  }
}

/** A real LocalScheduler that notes which methods the worker called, in order. */
function recording(): { api: SchedulerApi; calls: string[]; local: LocalScheduler } {
  const local = new LocalScheduler();
  const calls: string[] = [];
  const api = new Proxy(local, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        calls.push(prop);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { api, calls, local };
}

async function runAll(api: SchedulerApi, n: number, workBatchSize?: number): Promise<Worker> {
  const worker = new Worker({ scheduler: api, ...(workBatchSize ? { workBatchSize } : {}), pingInterval: 0 });
  await worker.add(Array.from({ length: n }, (_, i) => new Node({ i })));
  expect(await worker.run()).toBe(true);
  return worker;
}

describe("batched hand-outs", () => {
  it("runs every step once with fewer requests than steps, and reports every outcome", async () => {
    slowMs = 0;
    const { api, calls, local } = recording();
    await runAll(api, 64);
    expect([...runs].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    const requests = calls.filter((c) => c === "getWorks").length;
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThan(64);
    expect(calls).not.toContain("getWork");
    expect(Object.keys(await local.taskList({ status: "DONE" }))).toHaveLength(64);
  });

  it("with workBatchSize 1 asks get_work once per step and reports each outcome with add_task", async () => {
    slowMs = 0;
    const { api, calls, local } = recording();
    await runAll(api, 8, 1);
    expect(runs).toHaveLength(8);
    expect(calls).not.toContain("getWorks");
    expect(calls.filter((c) => c === "addTask")).toHaveLength(8);
    expect(Object.keys(await local.taskList({ status: "DONE" }))).toHaveLength(8);
  });

  it("reports a finished step within a moment even while a slow step of the same batch runs", async () => {
    slowMs = 600;
    const { api, local } = recording();
    const worker = new Worker({ scheduler: api, pingInterval: 0 });
    await worker.add([0, 1, 2, 3].map((i) => new Node({ i })));
    const running = worker.run();
    // Leaf 3 sleeps 600 ms; the others are done long before, and must be DONE in the scheduler then.
    await sleep(400);
    expect(runs).toContain(3);
    const done = Object.keys(await local.taskList({ status: "DONE" }));
    expect(done.length).toBeGreaterThanOrEqual(3);
    expect(await running).toBe(true);
    expect(Object.keys(await local.taskList({ status: "DONE" }))).toHaveLength(4);
  });
});

/** A step with every add_task field away from its default. */
class Loaded extends Step.with({
  day: param.str(),
  secret: param.str({ default: "s", visibility: "hidden" }),
}) {
  override priority = 7;
  override resources = { db: 2 };
  override retryCount = 3;
  override owners = ["ops@example.com"];
  output() {
    return new MemoryTarget(`loaded-${this.day}`);
  }
  async run() {
    await this.output().write("x");
  }
}

describe("registrations in a batch", () => {
  it("leave out what only repeats the scheduler's defaults, and keep every other value", async () => {
    const sent: Record<string, unknown>[] = [];
    const local = new LocalScheduler();
    const api = new Proxy(local, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "addTasks" || typeof value !== "function") return value;
        return (args: { tasks: Record<string, unknown>[] }) => {
          sent.push(...args.tasks);
          return (value as (a: unknown) => unknown).call(target, args);
        };
      },
    });
    const worker = new Worker({ scheduler: api, pingInterval: 0 });
    await worker.add([new Node({ i: 1 }), new Loaded({ day: "mon" })]);
    const plain = sent.find((t) => t.family === "Node" && (t.params as { i: string }).i === "1");
    const loaded = sent.find((t) => t.family === "Loaded");
    // Defaults (null, false, 0, {} and all-null retry policies) are not sent ...
    expect(Object.keys(plain ?? {}).sort()).toEqual([
      "deps",
      "family",
      "params",
      "runnable",
      "status",
      "task_id",
    ]);
    // ... and everything else is, unchanged.
    expect(loaded).toMatchObject({
      priority: 7,
      resources: { db: 2 },
      retry_policy_dict: { retry_count: 3, disable_hard_timeout: null, disable_window: null },
      owners: ["ops@example.com"],
      param_visibilities: { day: 0, secret: 1 },
    });
    const record = local.scheduler.inspectStep(String(loaded?.task_id));
    expect(record?.priority).toBe(7);
    expect(record?.resources).toEqual({ db: 2 });
  });
});
