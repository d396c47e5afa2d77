/**
 * Steps another worker registered and this one is handed (an assistant's work, a helper's): rebuilt from
 * the family and parameters the scheduler holds, all of one answer together, and run. A family this
 * process cannot build is reported FAILED with the reason, and the steps handed with it still run.
 * The real Worker and LocalScheduler, in this process.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  LocalScheduler,
  LuigiConfig,
  MemoryTarget,
  param,
  setActiveConfig,
  Step,
  Worker,
} from "../../src/index.js";

beforeEach(() => {
  MemoryTarget.clearAll();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

const ran: number[] = [];

class Handed extends Step.with({ n: param.int() }) {
  output() {
    return new MemoryTarget(`handed-${this.n}`);
  }
  async run() {
    ran.push(this.n);
    await this.output().write("x");
  }
}

describe("steps handed to a worker that did not register them", () => {
  it("are rebuilt and run; one of a family it cannot build is reported FAILED, naming the family", async () => {
    const scheduler = new LocalScheduler();
    const register = (family: string, params: Record<string, string>, id: string) =>
      scheduler.addTask({ worker: "other", task_id: id, status: "PENDING", runnable: true, family, params });
    const steps = [0, 1, 2].map((n) => new Handed({ n }));
    await register("NoSuchFamily", { n: "9" }, "NoSuchFamily_9_0123456789");
    for (const step of steps) await register("Handed", { n: String(step.n) }, step.id);
    const assistant = new Worker({ scheduler, assistant: true, workBatchSize: 8 });
    await assistant.run();
    expect(ran.sort()).toEqual([0, 1, 2]);
    const failed = await scheduler.taskList({ status: "FAILED" });
    expect(Object.keys(failed)).toEqual(["NoSuchFamily_9_0123456789"]);
    const { error } = await scheduler.fetchError({ task_id: "NoSuchFamily_9_0123456789" });
    expect(error).toContain("no step family 'NoSuchFamily'");
    const done = await scheduler.taskList({ status: "DONE" });
    expect(Object.keys(done).sort()).toEqual(steps.map((s) => s.id).sort());
  });
});
