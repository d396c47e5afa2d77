/**
 * `[worker] trust_scheduler_done` seen from one worker over HTTP: against a luigi-ts scheduler the walk
 * asks check_claims and trusts its DONE; against one without check_claims (Luigi's luigid: 404) it checks
 * every step, and each run checks its dependencies again, as Luigi's workers do.
 */
import { afterEach, describe, expect, it } from "vitest";
import { build, LuigiConfig, MemoryTarget, param, setActiveConfig, Step } from "../../src/index.js";
import { startServer, type TestServer } from "../rpc/helpers.js";

const checks: string[] = [];

class Part extends Step.with({ tag: param.str(), n: param.int() }) {
  output() {
    return new MemoryTarget(`trust-part-${this.tag}-${this.n}`);
  }
  override async complete() {
    checks.push(this.id);
    return super.complete();
  }
  async run() {
    await this.output().write("x");
  }
}

class Whole extends Step.with({ tag: param.str() }) {
  requires() {
    return [0, 1, 2].map((n) => new Part({ tag: this.tag, n }));
  }
  output() {
    return new MemoryTarget(`trust-whole-${this.tag}`);
  }
  override async complete() {
    checks.push(this.id);
    return super.complete();
  }
  async run() {
    await this.output().write("x");
  }
}

const config = (trust: boolean): LuigiConfig =>
  LuigiConfig.fromString(
    `[core]\nrpc_retry_wait = 0.2\n[worker]\nwait_interval = 0.1\ntrust_scheduler_done = ${trust}\n`,
    "cfg",
  );

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  checks.length = 0;
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

const claimCalls = (s: TestServer): number =>
  s.received.filter((r) => r.url.startsWith("/api/check_claims")).length;

describe("trust_scheduler_done", () => {
  it("against a luigi-ts scheduler: each step checked once, runs without re-checking; next time the root alone is checked", async () => {
    server = await startServer();
    const summary = await build([new Whole({ tag: "a" })], {
      schedulerUrl: server.url,
      config: config(true),
    });
    expect(summary.status, summary.text).toBe("SUCCESS");
    // The walk's four checks; the runs do not check their dependencies again (luigid held them DONE).
    expect(checks).toHaveLength(4);
    expect(claimCalls(server)).toBeGreaterThan(0);
    checks.length = 0;
    // Next time: the step asked for is checked (complete: nothing below it is visited).
    const again = await build([new Whole({ tag: "a" })], { schedulerUrl: server.url, config: config(true) });
    expect(again.status, again.text).toBe("SUCCESS");
    expect(checks).toEqual([new Whole({ tag: "a" }).id]);
  });

  it("a step asked for whose output was deleted right after its run runs again (not ignored as a stale report)", async () => {
    server = await startServer();
    const whole = new Whole({ tag: "redo" });
    const first = await build([whole], { schedulerUrl: server.url, config: config(true) });
    expect(first.status, first.text).toBe("SUCCESS");
    // Within stable_done_cooldown_secs (10 s) of its DONE: luigid would ignore a stale PENDING report.
    await whole.output().remove();
    const again = await build([whole], { schedulerUrl: server.url, config: config(true) });
    expect(again.status, again.text).toBe("SUCCESS");
    expect(again.ids.completed).toEqual([whole.id]);
    expect(again.ids.completed_by_other_worker).toEqual([]);
    expect(await whole.output().exists()).toBe(true);
  });

  it("off: Luigi's behaviour, no check_claims, every step checked and the dependencies again before the run", async () => {
    server = await startServer();
    const summary = await build([new Whole({ tag: "b" })], {
      schedulerUrl: server.url,
      config: config(false),
    });
    expect(summary.status, summary.text).toBe("SUCCESS");
    expect(checks).toHaveLength(4 + 3);
    expect(claimCalls(server)).toBe(0);
    checks.length = 0;
    await build([new Whole({ tag: "b" })], { schedulerUrl: server.url, config: config(false) });
    expect(checks).toEqual([new Whole({ tag: "b" }).id]);
  });

  it("against a scheduler without check_claims (Luigi's luigid) it falls back to Luigi's behaviour", async () => {
    server = await startServer({
      intercept: (req, res) => {
        if (!req.url.startsWith("/api/check_claims")) return false;
        res.writeHead(404, { "Content-Type": "text/html" }).end("<html><title>404: Not Found</title></html>");
        return true;
      },
    });
    const summary = await build([new Whole({ tag: "c" })], {
      schedulerUrl: server.url,
      config: config(true),
    });
    expect(summary.status, summary.text).toBe("SUCCESS");
    expect(checks).toHaveLength(4 + 3);
    expect(claimCalls(server)).toBe(1);
  });
});
