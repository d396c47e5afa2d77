import { beforeEach, describe, expect, it } from "vitest";
import { MemoryTarget, param, Step } from "../../src/index.js";
import { InlineExecutor } from "../../src/worker/execute.js";
import type { StepReporter } from "../../src/step/step.js";

beforeEach(() => MemoryTarget.clearAll());

const starts: string[] = [];
beforeEach(() => {
  starts.length = 0;
});

class Yielded extends Step.with({ n: param.int() }) {
  output() {
    return new MemoryTarget(`yielded-${this.n}`);
  }
}

class Generating extends Step.with({}) {
  output() {
    return new MemoryTarget("generating");
  }
  async *run() {
    starts.push("run");
    const target = (yield new Yielded({ n: 1 })) as MemoryTarget;
    await this.output().write(`read ${await target.read()}`);
  }
}

function reporter(): StepReporter {
  return {
    signal: new AbortController().signal,
    setStatusMessage: () => undefined,
    setProgressPercentage: () => undefined,
    setTrackingUrl: () => undefined,
    decreaseRunningResources: () => undefined,
  };
}

describe("InlineExecutor and dynamic dependencies", () => {
  it("suspends on an incomplete yield, and a step handed out again before it is done waits again instead of resuming", async () => {
    const executor = new InlineExecutor();
    const step = new Generating({});
    const first = await executor.execute(step, reporter(), new AbortController(), 0);
    expect(first.kind).toBe("suspended");
    expect(first.kind === "suspended" && first.newDeps.map((d) => d.id)).toEqual([new Yielded({ n: 1 }).id]);
    // Handed out again while the yielded step is still missing: no resume (it would read a missing output).
    const again = await executor.execute(step, reporter(), new AbortController(), 0);
    expect(again.kind).toBe("suspended");
    expect(await new MemoryTarget("generating").exists()).toBe(false);
    // Once it exists, the paused generator goes on where it stopped (run() is not started over).
    await new MemoryTarget("yielded-1").write("one");
    const done = await executor.execute(step, reporter(), new AbortController(), 0);
    expect(done.kind).toBe("done");
    expect(await new MemoryTarget("generating").read()).toBe("read one");
    expect(starts).toEqual(["run"]);
  });
});
