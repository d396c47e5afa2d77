/**
 * Fleet help seen from one worker over HTTP (src/worker/walk.ts, scheduler/fleet-help.ts): a step another
 * live worker registered is left to that worker's walk; when that worker goes away before the graph is
 * done, this one walks it after all. The other worker is a real peer of the scheduler that registers the
 * root and then falls silent, as a worker killed mid-walk does.
 */
import { getPriority } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { build, LuigiConfig, MemoryTarget, param, setActiveConfig, Step } from "../../src/index.js";
import { RemoteScheduler } from "../../src/rpc/client.js";
import { LocalScheduler } from "../../src/scheduler/local.js";
import type { TriggerInfo } from "../../src/scheduler/api.js";
import { Worker } from "../../src/worker/worker.js";
import { until } from "../helpers/wait.js";
import { startServer, type TestServer } from "../rpc/helpers.js";

const checks: string[] = [];
const runs: string[] = [];

/** Records its completeness checks and its runs. */
class Recorded extends Step {
  output() {
    return new MemoryTarget(`fleet-help-${this.id}`);
  }
  override async complete() {
    checks.push(this.id);
    return super.complete();
  }
  async run() {
    runs.push(this.id);
    await this.output().write("x");
  }
}

class Piece extends Recorded.with({ tag: param.str(), n: param.int() }) {}

class Assembly extends Recorded.with({ tag: param.str() }) {
  requires() {
    return [0, 1, 2].map((n) => new Piece({ tag: this.tag, n }));
  }
}

/** A family with a private parameter: luigid never holds its value, so nobody else can rebuild it. */
class Sealed extends Assembly.with({ token: param.str({ default: "t", visibility: "private" }) }) {}

const CONFIG_TEXT = "[core]\nrpc_retry_wait = 0.2\n[worker]\nwait_interval = 0.1\nwait_jitter = 0\n";
const config = LuigiConfig.fromString(CONFIG_TEXT, "cfg");

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  checks.length = 0;
  runs.length = 0;
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

/** The silent peer's registration of `root`: PENDING with its requirements, then nothing more. */
async function registeredBySilentPeer(api: TestServer["api"], root: Assembly): Promise<void> {
  await api.addTask({
    worker: "silent-peer",
    task_id: root.id,
    status: "PENDING",
    family: root.family,
    params: root.wireParams().params,
    deps: root.dependencies().map((d) => d.id),
  });
}

const bodiesOf = (s: TestServer, method: string): Record<string, unknown>[] =>
  s.received
    .filter((r) => r.url.startsWith(`/api/${method}`))
    // luigi-ts's own methods take a JSON body, Luigi's a form with the JSON as `data`.
    .map(
      (r) =>
        JSON.parse(
          r.body.startsWith("{") ? r.body : (new URLSearchParams(r.body).get("data") ?? "{}"),
        ) as Record<string, unknown>,
    );

describe("fleet help in the walk", () => {
  it("leaves a step another worker walks to it, and walks it here once that worker is gone", async () => {
    server = await startServer({ api: new LocalScheduler({ options: { workerDisconnectDelay: 1 } }) });
    const root = new Assembly({ tag: "gone" });
    await registeredBySilentPeer(server.api, root);
    const started = Date.now();
    const niceBefore = getPriority();
    const summary = await build([root], { schedulerUrl: server.url, config });
    expect(summary.status, summary.text).toBe("SUCCESS");
    // It only helped at first, but build() runs inside this program: its priority is left alone
    // ([worker] helper_nice is the luigi command's).
    expect(getPriority()).toBe(niceBefore);
    expect(runs.sort()).toEqual([root.id, ...root.dependencies().map((d) => d.id)].sort());
    // It helped first (the peer looked alive and still walking), and took over once the peer was gone.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const helped = bodiesOf(server, "get_work").filter((b) => b["help"] != null);
    expect(helped.length).toBeGreaterThan(0);
    expect(helped[0]?.["help"]).toMatchObject({ workers: ["silent-peer"] });
    // Each step checked once here: the root only after the peer was gone (it was "walked" until then).
    expect(checks.filter((id) => id === root.id)).toHaveLength(1);
    expect(checks).toHaveLength(4);
  });

  it("with fleet_help = false, walks and registers what another worker walks, as Luigi's workers do", async () => {
    server = await startServer({ api: new LocalScheduler({ options: { workerDisconnectDelay: 60 } }) });
    const root = new Assembly({ tag: "alone" });
    await registeredBySilentPeer(server.api, root);
    const summary = await build([root], {
      schedulerUrl: server.url,
      config: LuigiConfig.fromString(`${CONFIG_TEXT}fleet_help = false\n`, "cfg"),
    });
    expect(summary.status, summary.text).toBe("SUCCESS");
    expect(runs).toHaveLength(4);
    expect(bodiesOf(server, "check_claims").some((b) => b["help"] === true)).toBe(false);
    expect(bodiesOf(server, "get_work").some((b) => b["help"] != null)).toBe(false);
  });

  it("walks a family with a private parameter itself: nobody else could rebuild its steps", async () => {
    server = await startServer({ api: new LocalScheduler({ options: { workerDisconnectDelay: 60 } }) });
    const root = new Sealed({ tag: "sealed" });
    await registeredBySilentPeer(server.api, root);
    const summary = await build([root], { schedulerUrl: server.url, config });
    expect(summary.status, summary.text).toBe("SUCCESS");
    expect(runs).toContain(root.id);
    expect(runs).toHaveLength(4);
    // The peer never asked for work, and its "walked" root was not left to it.
    expect(bodiesOf(server, "get_work").some((b) => b["help"] != null)).toBe(false);
  });
});

describe("an assistant's triggered run that only helps", () => {
  it("leaves the assistant's CPU priority alone, whatever its helperNice", async () => {
    server = await startServer({ api: new LocalScheduler({ options: { workerDisconnectDelay: 1 } }) });
    const root = new Assembly({ tag: "triggered" });
    await registeredBySilentPeer(server.api, root);
    const scheduler = new RemoteScheduler({ url: server.url, retryWait: 0.2 });
    const assistant = new Worker({
      scheduler,
      assistant: true,
      keepAlive: true,
      waitInterval: 0.05,
      waitJitter: 0,
      pingInterval: 0,
      // What `luigi --assistant` passes by default ([worker] helper_nice).
      helperNice: 10,
    });
    const niceBefore = getPriority();
    const running = assistant.run();
    try {
      const { trigger_id } = await server.api.triggerStep({
        family: "Assembly",
        params: { tag: "triggered" },
      });
      const ended = await until("the trigger to end", async () => {
        const [t] = (await server?.api.triggerList({ trigger_id }))?.triggers ?? [];
        return t && !["queued", "taken", "running"].includes(t.status) ? t : null;
      });
      expect(ended).toMatchObject<Partial<TriggerInfo>>({ status: "done", result: "SUCCESS" });
      // The run helped the silent peer's walk first (its get_work offered help), then walked it itself.
      expect(bodiesOf(server, "get_work").some((b) => b["help"] != null)).toBe(true);
      expect(getPriority()).toBe(niceBefore);
    } finally {
      assistant.phaseOut();
      await running;
      scheduler.close();
    }
  }, 30_000);
});

describe("waiting on steps other workers run", () => {
  it("asks again after 50 ms, doubling up to wait_interval, rather than after wait_interval at once", async () => {
    server = await startServer();
    const root = new Assembly({ tag: "wait" });
    const pieces = root.dependencies();
    // A peer registered the pieces and runs them all; it reports them DONE 400 ms after this worker starts.
    for (const piece of pieces) {
      await server.api.addTask({
        worker: "peer",
        task_id: piece.id,
        family: piece.family,
        status: "PENDING",
      });
    }
    for (const _ of pieces) await server.api.getWork({ worker: "peer" });
    const peerDone = new Promise<void>((resolve) =>
      setTimeout(() => {
        void (async () => {
          for (const piece of pieces) {
            await (piece as Piece).output().write("x");
            await server?.api.addTask({ worker: "peer", task_id: piece.id, status: "DONE" });
          }
          resolve();
        })();
      }, 400),
    );
    const started = Date.now();
    const summary = await build([root], {
      schedulerUrl: server.url,
      config: LuigiConfig.fromString(
        `${CONFIG_TEXT.replace("wait_interval = 0.1", "wait_interval = 30")}`,
        "cfg",
      ),
    });
    await peerDone;
    expect(summary.status, summary.text).toBe("SUCCESS");
    expect(runs).toEqual([root.id]);
    // Not the 30 s of wait_interval: 50, 100, 200, 400 ms... after the peer's steps ended.
    expect(Date.now() - started).toBeLessThan(5_000);
    const asks = server.received.filter((r) => r.url.startsWith("/api/get_work")).length;
    expect(asks).toBeGreaterThanOrEqual(3);
    expect(asks).toBeLessThan(12);
  });
});
