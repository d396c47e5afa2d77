import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import {
  build,
  ExternalStep,
  LocalScheduler,
  LuigiConfig,
  MemoryTarget,
  NonRetryableError,
  param,
  setActiveConfig,
  Step,
  WrapperStep,
  Worker,
} from "../../src/index.js";

// Every test builds against a fresh in-memory store and an empty configuration.
beforeEach(() => {
  MemoryTarget.clearAll();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

const runs: string[] = [];
beforeEach(() => {
  runs.length = 0;
});

class Leaf extends Step.with({ n: param.int() }) {
  output() {
    return new MemoryTarget(`leaf-${this.n}`);
  }
  async run() {
    runs.push(`Leaf ${this.n}`);
    await this.output().write(`leaf ${this.n}\n`);
  }
}

class Sum extends Step.with({ width: param.int({ default: 3 }) }) {
  requires() {
    return Array.from({ length: this.width }, (_, n) => new Leaf({ n }));
  }
  output() {
    return new MemoryTarget(`sum-${this.width}`);
  }
  async run() {
    runs.push("Sum");
    const parts = await Promise.all(this.input().map((t) => t.read()));
    await this.output().write(parts.join(""));
  }
}

describe("build()", () => {
  it("runs every incomplete step once, dependencies first, and skips complete ones on the next build", async () => {
    const first = await build([new Sum()], { localScheduler: true });
    expect(first.status).toBe("SUCCESS");
    expect(first.exitCode).toBe(0);
    expect(runs).toHaveLength(4);
    expect(runs.at(-1)).toBe("Sum");
    expect(first.ids.completed).toHaveLength(4);
    expect(await new MemoryTarget("sum-3").read()).toBe("leaf 0\nleaf 1\nleaf 2\n");

    const second = await build([new Sum()], { localScheduler: true });
    expect(runs).toHaveLength(4);
    expect(second.ids.already_done).toEqual([new Sum().id]);
    expect(second.scheduled).toBe(1);
  });

  it("stops downstream of a failure and reports it with a non-zero exit code", async () => {
    class Fails extends Step.with({}) {
      output() {
        return new MemoryTarget("fails");
      }
      run(): void {
        runs.push("Fails");
        throw new Error("boom");
      }
    }
    class After extends Step.with({}) {
      requires() {
        return { fails: new Fails(), leaf: new Leaf({ n: 9 }) };
      }
      output() {
        return new MemoryTarget("after");
      }
      run(): void {
        runs.push("After");
      }
    }
    const summary = await build([new After()], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    expect(summary.exitCode).toBe(30);
    expect(summary.categories.failed).toEqual(["Fails()"]);
    expect(summary.categories.upstream_failure).toEqual(["After()"]);
    // The display names are computed on first use, and are part of the summary as data all the same.
    const asData = JSON.parse(JSON.stringify(summary)) as typeof summary;
    expect(asData.categories.failed).toEqual(["Fails()"]);
    expect(asData.ids.failed).toEqual(summary.ids.failed);
    expect(summary.errors["Fails()"]).toBe("boom");
    expect(runs.sort()).toEqual(["Fails", "Leaf 9"]);
  });

  it("reports missing external data and never runs it", async () => {
    class Drop extends ExternalStep.with({}) {
      output() {
        return new MemoryTarget("drop");
      }
    }
    class Reads extends Step.with({}) {
      requires() {
        return new Drop();
      }
      output() {
        return new MemoryTarget("reads");
      }
      run(): void {
        runs.push("Reads");
      }
    }
    const summary = await build([new Reads()], { localScheduler: true });
    expect(summary.status).toBe("MISSING_EXT");
    expect(summary.exitCode).toBe(20);
    expect(summary.categories.still_pending_ext).toEqual(["Drop()"]);
    expect(summary.categories.upstream_missing_dependency).toEqual(["Reads()"]);
    expect(runs).toEqual([]);
    await new MemoryTarget("drop").write("arrived");
    const again = await build([new Reads()], { localScheduler: true });
    expect(again.status).toBe("SUCCESS");
    expect(runs).toEqual(["Reads"]);
  });

  it("resumes a run() generator after its dynamic dependencies complete, with their outputs", async () => {
    let starts = 0;
    class Dynamic extends Step.with({}) {
      output() {
        return new MemoryTarget("dynamic");
      }
      async *run() {
        starts++;
        const first = (yield [new Leaf({ n: 40 }), new Leaf({ n: 41 })]) as MemoryTarget[];
        const second = (yield new Leaf({ n: 42 })) as MemoryTarget;
        const texts = await Promise.all([...first, second].map((t) => t.read()));
        await this.output().write(texts.join(""));
      }
    }
    const summary = await build([new Dynamic()], { localScheduler: true });
    expect(summary.status).toBe("SUCCESS");
    expect(starts).toBe(1);
    expect(await new MemoryTarget("dynamic").read()).toBe("leaf 40\nleaf 41\nleaf 42\n");
    expect(summary.ids.completed).toHaveLength(4);
  });

  it("retries with the step's policy, and not at all after a NonRetryableError", async () => {
    let attempts = 0;
    class Flaky extends Step.with({}) {
      override retry = { attempts: 3, initialDelay: 0.01, maxDelay: 0.02 };
      output() {
        return new MemoryTarget("flaky");
      }
      async run() {
        attempts++;
        if (attempts < 3) throw new Error(`transient ${attempts}`);
        await this.output().write("ok");
      }
    }
    const summary = await build([new Flaky()], { localScheduler: true });
    expect(attempts).toBe(3);
    expect(summary.status).toBe("SUCCESS_WITH_RETRY");
    expect(summary.exitCode).toBe(0);

    let permanent = 0;
    class Permanent extends Step.with({}) {
      override retry = { attempts: 5, initialDelay: 0.01 };
      output() {
        return new MemoryTarget("permanent");
      }
      run(): void {
        permanent++;
        throw new NonRetryableError("bad input");
      }
    }
    const failed = await build([new Permanent()], { localScheduler: true });
    expect(permanent).toBe(1);
    expect(failed.status).toBe("FAILED");
  });

  it("fails a step that runs past its workerTimeout and aborts its signal", async () => {
    let aborted = false;
    class Hangs extends Step.with({}) {
      override workerTimeout = 0.2;
      output() {
        return new MemoryTarget("hangs");
      }
      async run() {
        await sleep(10_000, undefined, { signal: this.signal }).catch(() => {
          aborted = true;
        });
      }
    }
    const summary = await build([new Hangs()], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    expect(summary.errors["Hangs()"]).toContain("timed out after 0.2 seconds");
    expect(aborted).toBe(true);
  });

  it("runs up to `workers` steps at once, and never two holding the same resource", async () => {
    let active = 0;
    let peak = 0;
    let dbActive = 0;
    let dbPeak = 0;
    class Busy extends Step.with({ n: param.int(), db: param.bool({ default: false }) }) {
      constructor(args: { n: number; db?: boolean }) {
        super(args);
        if (this.db) this.resources = { db: 1 };
      }
      output() {
        return new MemoryTarget(`busy-${this.n}-${this.db}`);
      }
      async run() {
        active++;
        peak = Math.max(peak, active);
        if (this.db) dbPeak = Math.max(dbPeak, ++dbActive);
        await sleep(30);
        if (this.db) dbActive--;
        active--;
        await this.output().write("x");
      }
    }
    class All extends WrapperStep.with({}) {
      requires() {
        return [
          ...Array.from({ length: 8 }, (_, n) => new Busy({ n })),
          ...Array.from({ length: 4 }, (_, n) => new Busy({ n, db: true })),
        ];
      }
    }
    const summary = await build([new All()], { localScheduler: true, workers: 4 });
    expect(summary.status).toBe("SUCCESS");
    expect(peak).toBe(4);
    expect(dbPeak).toBe(1);
  });

  it("runs higher-priority steps first", async () => {
    class Ranked extends Step.with({ n: param.int() }) {
      constructor(args: { n: number }) {
        super(args);
        this.priority = this.n;
      }
      output() {
        return new MemoryTarget(`ranked-${this.n}`);
      }
      async run() {
        runs.push(`Ranked ${this.n}`);
        await this.output().write("x");
      }
    }
    class Root extends WrapperStep.with({}) {
      requires() {
        return [1, 5, 3, 4, 2].map((n) => new Ranked({ n }));
      }
    }
    await build([new Root()], { localScheduler: true });
    expect(runs).toEqual(["Ranked 5", "Ranked 4", "Ranked 3", "Ranked 2", "Ranked 1"]);
  });

  it("sends status messages and progress to the scheduler, fires events and hooks", async () => {
    const scheduler = new LocalScheduler();
    const seen: string[] = [];
    class Reports extends Step.with({}) {
      output() {
        return new MemoryTarget("reports");
      }
      async run() {
        this.setStatusMessage("half way");
        this.setProgressPercentage(50);
        await sleep(5);
        const message = await scheduler.getTaskStatusMessage({ task_id: this.id });
        const progress = await scheduler.getTaskProgressPercentage({ task_id: this.id });
        seen.push(`${message.statusMessage} ${progress.progressPercentage}`);
        await this.output().write("x");
      }
      override onSuccess() {
        seen.push("onSuccess");
        return "all good";
      }
    }
    const off = Reports.on("start", (step) => {
      seen.push(`start ${step.family}`);
    });
    const offSuccess = Step.on("success", (step) => {
      if (step instanceof Reports) seen.push("success");
    });
    await build([new Reports()], { scheduler });
    off();
    offSuccess();
    expect(seen).toEqual(["start Reports", "half way 50", "onSuccess", "success"]);
  });

  it("reports a scheduling error when complete() throws", async () => {
    class Unsure extends Step.with({}) {
      override complete(): Promise<boolean> {
        throw new Error("cannot tell");
      }
    }
    const summary = await build([new Unsure()], { localScheduler: true });
    expect(summary.status).toBe("SCHEDULING_FAILED");
    expect(summary.exitCode).toBe(35);
    expect(summary.categories.scheduling_error).toEqual(["Unsure()"]);
  });
});

class CycleA extends Step.with({ n: param.int() }) {
  requires() {
    return new CycleB({ n: this.n });
  }
  output() {
    return new MemoryTarget(`cycle-a-${this.n}`);
  }
  async run() {
    runs.push("CycleA");
    await this.output().write("a");
  }
}

class CycleB extends Step.with({ n: param.int() }) {
  requires() {
    return [new Leaf({ n: 7 }), new CycleA({ n: this.n })];
  }
  output() {
    return new MemoryTarget(`cycle-b-${this.n}`);
  }
  async run() {
    runs.push("CycleB");
    await this.output().write("b");
  }
}

describe("dependency cycles", () => {
  it("are found by the scheduling walk, named step by step, and nothing runs", async () => {
    const summary = await build([new CycleA({ n: 1 })], { localScheduler: true });
    expect(runs).toEqual([]);
    expect(summary.status).toBe("SCHEDULING_FAILED");
    expect(summary.exitCode).toBe(35);
    expect(summary.categories.scheduling_error.sort()).toEqual(["CycleA(n=1)", "CycleB(n=1)"]);
    expect(summary.errors["CycleA(n=1)"]).toBe("dependency cycle: CycleA(n=1) -> CycleB(n=1) -> CycleA(n=1)");
    expect(summary.text).toContain("dependency cycle: CycleA(n=1) -> CycleB(n=1) -> CycleA(n=1)");
  });

  it("a step that requires itself is a cycle too", async () => {
    class Selfish extends Step.with({}) {
      requires() {
        return new Selfish({});
      }
      output() {
        return new MemoryTarget("selfish");
      }
    }
    const summary = await build([new Selfish({})], { localScheduler: true });
    expect(summary.exitCode).toBe(35);
    expect(summary.errors["Selfish()"]).toBe("dependency cycle: Selfish() -> Selfish()");
  });
});

describe("a step's retry policy", () => {
  it("with a bad value fails the step with an error naming the field, instead of being clamped", async () => {
    class Misconfigured extends Step.with({}) {
      override retry = { attempts: 0 };
      output() {
        return new MemoryTarget("misconfigured");
      }
      async run() {
        runs.push("Misconfigured");
      }
    }
    const summary = await build([new Misconfigured({})], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    expect(runs).toEqual([]);
    expect(summary.errors["Misconfigured()"]).toBe(
      "Misconfigured.retry.attempts = 0: expected an integer >= 1",
    );
  });
});

describe("a step whose requires() throws when it is about to run", () => {
  it("fails with that error instead of being left running (the re-check of its dependencies threw)", async () => {
    let calls = 0;
    class Flaky extends Step.with({}) {
      requires() {
        calls++;
        if (calls > 1) throw new Error("the dependency list is gone");
        return [];
      }
      output() {
        return new MemoryTarget("flaky");
      }
      async run() {
        runs.push("Flaky");
      }
    }
    const summary = await build([new Flaky({})], { localScheduler: true });
    expect(runs).toEqual([]);
    expect(summary.status).toBe("FAILED");
    expect(summary.exitCode).toBe(30);
    expect(summary.errors["Flaky()"]).toBe("the dependency list is gone");
  });
});

describe("a worker whose root step another worker is running", () => {
  it("waits for it and ends with the step done by the other worker, even with nothing else pending", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    class Root extends Step.with({}) {
      output() {
        return new MemoryTarget("shared-root");
      }
      async run() {
        runs.push("Root");
        await released;
        await this.output().write("root");
      }
    }
    const scheduler = new LocalScheduler();
    const other = new Worker({ scheduler, waitInterval: 0.02, waitJitter: 0 });
    await other.add([new Root({})]);
    const otherDone = other.run();
    for (let i = 0; i < 200 && runs.length === 0; i++) await sleep(5);
    expect(runs).toEqual(["Root"]);
    const mine = build([new Root({})], { scheduler, waitInterval: 0.02, waitJitter: 0 });
    await sleep(100);
    release();
    const summary = await mine;
    await otherDone;
    expect(runs).toEqual(["Root"]);
    expect(summary.categories.completed_by_other_worker).toEqual(["Root()"]);
    expect(summary.exitCode).toBe(0);
  });
});
