import { describe, expect, test } from "vitest";
import { LocalScheduler } from "../../src/scheduler/local.js";
import type { SchedulerApi } from "../../src/scheduler/api.js";
import { SCHEDULER_METHODS } from "../../src/scheduler/methods.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { callSample, SAMPLE_ORDER } from "../helpers/scheduler-calls.js";
import { FakeClock } from "./helpers.js";

describe("LocalScheduler", () => {
  test("answers every SchedulerApi call asynchronously from the core", async () => {
    const clock = new FakeClock();
    const api: SchedulerApi = new LocalScheduler({ clock: clock.now, options: { retryDelay: 5 } });
    await api.addWorker({ worker: "W", info: [["workers", 1]] });
    await api.addTask({ worker: "W", task_id: "B", family: "B", deps: ["A"] });
    await api.addTask({ worker: "W", task_id: "A", family: "A" });
    const first = await api.getWork({ worker: "W", host: "h" });
    expect(first).toMatchObject({ task_id: "A", n_pending_tasks: 2 });
    await api.addTask({ worker: "W", task_id: "A", status: "FAILED", runnable: null });
    expect((await api.getWork({ worker: "W" })).task_id).toBeNull();
    // prune_on_get_work is on by default here: the retry delay is honoured by get_work alone.
    clock.advance(6);
    expect((await api.getWork({ worker: "W" })).task_id).toBe("A");
    expect(await api.markAsDone({ task_id: "A" })).toEqual({ task_id: "A", status: "DONE" });
    expect((await api.getWork({ worker: "W" })).task_id).toBe("B");
    expect(await api.ping({ worker: "W" })).toEqual({ rpc_messages: [] });
    expect(await api.isPauseEnabled()).toEqual({ enabled: true });
    expect(await api.hasTaskHistory()).toBe(false);
    expect(Object.keys(await api.depGraph({ task_id: "B" }))).toEqual(["B", "A"]);
  });

  test("uses the real clock by default", async () => {
    const api = new LocalScheduler();
    await api.addTask({ worker: "W", task_id: "A" });
    const node = (await api.taskList({}))["A" as never] as { start_time: number };
    expect(Math.abs(node.start_time - Date.now() / 1000)).toBeLessThan(5);
    expect(api.scheduler.options.pruneOnGetWork).toBe(true);
  });

  test("exposes every SchedulerApi member, each answering with the core's member of that name", async () => {
    const clock = new FakeClock();
    const core = new Scheduler({ clock: clock.now });
    const calls: { member: string; answer: unknown }[] = [];
    // The core, watched: which of its members each call reaches, and what it answered.
    const watched = new Proxy(core, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof prop !== "string" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const answer: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          calls.push({ member: prop, answer });
          return answer;
        };
      },
    });
    const api = new LocalScheduler({ scheduler: watched });
    for (const member of SAMPLE_ORDER) {
      calls.length = 0;
      const pending = callSample(api, member);
      expect(pending, member).toBeInstanceOf(Promise);
      const answer = await pending;
      expect(
        calls.map((c) => c.member),
        member,
      ).toEqual([member]);
      expect(answer, member).toBe(calls[0]?.answer);
    }
    expect(new Set(SAMPLE_ORDER)).toEqual(new Set(Object.keys(SCHEDULER_METHODS)));
  });

  test("an error of the core is a rejected promise, as a remote call's would be", async () => {
    const api = new LocalScheduler();
    let thrown: unknown;
    let pending: Promise<null> | undefined;
    try {
      pending = api.disableWorker({ worker: "" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeUndefined();
    await expect(pending).rejects.toThrow("missing required argument: worker");
  });
});
