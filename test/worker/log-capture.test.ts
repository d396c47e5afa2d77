// Log capture in a worker used as a library (the real Worker and LocalScheduler, in this process):
// several steps at once each get their own log, `this.logger` goes to it, secrets are masked, a failed
// step's last lines reach the summary, and log_capture = false captures nothing.
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import {
  build,
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

class Speaker extends Step.with({
  who: param.str(),
  key: param.str({ default: "k3y-private-value", visibility: "private" }),
}) {
  output() {
    return new MemoryTarget(`speaker-${this.who}`);
  }
  async run() {
    for (let i = 0; i < 20; i++) {
      console.log(`${this.who} ${i}`);
      await sleep(1);
    }
    this.logger.info("%s used %s", this.who, this.key);
    if (this.who.startsWith("fail")) throw new Error(`${this.who} gave up (key ${this.key})`);
    await this.output().write("x");
  }
}

class Panel extends Step.with({ tag: param.str() }) {
  requires() {
    return ["a", "b", "c"].map((who) => new Speaker({ who: `${who}-${this.tag}` }));
  }
  output() {
    return new MemoryTarget(`panel-${this.tag}`);
  }
  async run() {
    await this.output().write("x");
  }
}

describe("log capture in a library worker", () => {
  it("gives steps running at once their own logs, masked, this.logger included", async () => {
    const scheduler = new LocalScheduler();
    const worker = new Worker({ scheduler, processes: 3 });
    await worker.add([new Panel({ tag: "p" })]);
    expect(await worker.run()).toBe(true);
    for (const who of ["a-p", "b-p", "c-p"]) {
      const id = new Speaker({ who }).id;
      const log = await scheduler.stepLog({ task_id: id });
      const lines = log?.text.split("\n").filter(Boolean) ?? [];
      expect(lines.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `${who} ${i}`));
      expect(lines[20]).toMatch(new RegExp(`INFO: ${who} used \\*\\*\\*$`));
      expect(log?.running).toBe(false);
    }
  });

  it("puts a failed step's last lines in the summary, masked", async () => {
    const summary = await build([new Speaker({ who: "fail-1" })], { localScheduler: true });
    expect(summary.status).toBe("FAILED");
    const tail = summary.logTails["Speaker(who=fail-1)"];
    expect(tail?.of).toBe(21);
    expect(tail?.lines.at(-1)).toMatch(/INFO: fail-1 used \*\*\*$/);
    expect(summary.errors["Speaker(who=fail-1)"]).toBe("fail-1 gave up (key ***)");
    expect(summary.text).toContain("the last 20 of the 21 lines of its log:");
    expect(summary.text).not.toContain("k3y-private-value");
  });

  it("captures nothing with log_capture = false", async () => {
    const scheduler = new LocalScheduler();
    const worker = new Worker({ scheduler, logCapture: false });
    await worker.add([new Speaker({ who: "fail-2" })]);
    expect(await worker.run()).toBe(false);
    expect(await scheduler.stepLog({ task_id: new Speaker({ who: "fail-2" }).id })).toBeNull();
  });

  it("reserves the name logger for the step's logger", () => {
    expect(() => Step.with({ logger: param.str() })).toThrow(/parameter name 'logger' is reserved/);
  });
});
