/**
 * A worker with two processes whose only running step ends while a request for work is on its way: the
 * answer was made before the outcome was known (nothing ready), so the worker must ask again instead of
 * stopping with the dependent step "not granted run permission". The scheduler is a real LocalScheduler
 * whose answers are held back until the step's run has ended, which makes the race happen every time.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import {
  LocalScheduler,
  LuigiConfig,
  MemoryTarget,
  setActiveConfig,
  Step,
  Worker,
  type SchedulerApi,
} from "../../src/index.js";

beforeEach(() => {
  MemoryTarget.clearAll();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

let slowEnded: Promise<void> = Promise.resolve();
let endSlow: () => void = () => undefined;

class Slow extends Step {
  output() {
    return new MemoryTarget("slow");
  }
  async run() {
    await sleep(30);
    await this.output().write("x");
    endSlow();
  }
}

class Root extends Step {
  requires() {
    return new Slow();
  }
  output() {
    return new MemoryTarget("root");
  }
  async run() {
    await this.output().write("y");
  }
}

/** Answers with no step in them are held until Slow's run has ended (and the worker has seen it end). */
function delayingEmptyAnswers(local: LocalScheduler): SchedulerApi {
  return new Proxy(local, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || (prop !== "getWork" && prop !== "getWorks")) return value;
      return async (...args: unknown[]) => {
        const answer = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as
          { task_id: string | null } | { replies: { task_id: string | null }[] };
        const empty =
          "replies" in answer ? answer.replies.every((r) => r.task_id === null) : answer.task_id === null;
        if (empty) {
          await slowEnded;
          await sleep(20);
        }
        return answer;
      };
    },
  });
}

describe("a run that ends while a request for work is on its way", () => {
  for (const workBatchSize of [1, 8]) {
    it(`asks again and runs the dependent step (work_batch_size ${workBatchSize})`, async () => {
      slowEnded = new Promise((resolve) => (endSlow = resolve));
      const local = new LocalScheduler();
      const worker = new Worker({
        scheduler: delayingEmptyAnswers(local),
        processes: 2,
        workBatchSize,
        pingInterval: 0,
      });
      await worker.add([new Root()]);
      expect(await worker.run()).toBe(true);
      expect(await new MemoryTarget("root").exists()).toBe(true);
      expect(Object.keys(await local.taskList({ status: "DONE" })).sort()).toEqual(
        [new Root().id, new Slow().id].sort(),
      );
    });
  }
});
