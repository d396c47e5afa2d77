/** RemoteScheduler with several URLs (luigids sharing one state_url), against real HTTP servers. */
import { describe, expect, test } from "vitest";
import { ErrorCode, SchedulerError } from "../../src/errors.js";
import { RemoteScheduler } from "../../src/rpc/index.js";
import { LocalScheduler } from "../../src/scheduler/local.js";
import { freePort, perTest, rejection, startServer, type TestServer } from "./helpers.js";

const W = "Worker(salt=7, workers=1, host=h, username=u, pid=7)";

const { cleanups, server, client } = perTest();

/** A server answering every call as a standby naming `active`. */
function standby(active: () => string): Parameters<typeof startServer>[0] {
  return {
    intercept: (_req, res) => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { code: "STANDBY", message: "this luigid is a standby", active: active() } }),
      );
      return true;
    },
  };
}

describe("RemoteScheduler with several scheduler URLs", () => {
  test("goes past one that refuses connections and one that is a standby, and stays with the active one", async () => {
    const dead = await freePort();
    let activeUrl = "";
    const b = await server(standby(() => activeUrl));
    const c0 = await server();
    activeUrl = c0.url.replace(/\/$/, "");
    const c = client({ url: `http://127.0.0.1:${dead}/,${b.url},${c0.url}`, retryAttempts: 1 });
    expect(c.urls.join(",")).toBe(`http://127.0.0.1:${dead}/,${b.url},${c0.url}`);
    await c.addTask({ worker: W, task_id: "A", status: "PENDING" });
    await c.addTask({ worker: W, task_id: "B", status: "PENDING" });
    // The second call went straight to the one that answered.
    expect(b.received).toHaveLength(1);
    expect(c0.received.map((r) => r.url)).toEqual(["/api/add_task", "/api/add_task"]);
  });

  test("follows the active one a standby names before trying the others in order", async () => {
    const other = await server();
    const active = await server();
    const b = await server(standby(() => active.url));
    const c = client({ url: `${b.url},${other.url},${active.url}`, retryAttempts: 1 });
    await c.ping({ worker: W });
    expect(other.received).toHaveLength(0);
    expect(active.received).toHaveLength(1);
  });

  test("counts an attempt only once every URL failed, and then says so with the last cause", async () => {
    const s1 = await server(standby(() => ""));
    const s2 = await server(standby(() => ""));
    const c = client({ url: `${s1.url},${s2.url}`, retryAttempts: 2 });
    const err = await c.ping({ worker: W }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SchedulerError);
    expect((err as SchedulerError).code).toBe(ErrorCode.RPC_FAILED);
    expect((err as SchedulerError).message).toMatch(
      /failed after 2 attempt\(s\): HTTP 503: this luigid is a standby/,
    );
    expect(s1.received).toHaveLength(2);
    expect(s2.received).toHaveLength(2);
  });
});

describe("RemoteScheduler with several scheduler URLs (an active luigid and its standbys)", () => {
  /** A standby as the RPC handler answers for one: every call throws STANDBY (503, code kept). */
  const standbyAnswer: Parameters<typeof startServer>[0] = {
    api: new Proxy(new LocalScheduler(), {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        return () => {
          throw new SchedulerError(ErrorCode.STANDBY, "standby: the active luigid is elsewhere");
        };
      },
    }),
  };

  test("moves past a URL where nothing listens, and stays with the one that answered", async () => {
    const down = await freePort();
    const s = await server();
    const c = client({ url: `http://127.0.0.1:${down}/,${s.url}`, retryWait: 30 });
    expect(c.urls).toEqual([`http://127.0.0.1:${down}/`, s.url]);
    expect(await c.isPaused()).toEqual({ paused: false });
    expect(c.url).toBe(s.url);
    expect(await c.isPaused()).toEqual({ paused: false });
    expect(s.received.map((r) => r.url)).toEqual(["/api/is_paused", "/api/is_paused"]);
  });

  test("moves past a standby's STANDBY refusal at once, without the retry wait", async () => {
    const standby = await server(standbyAnswer);
    const active = await server();
    const c = client({ url: `${standby.url},${active.url}`, retryWait: 30 });
    const started = Date.now();
    await c.addTask({ worker: W, task_id: "A_1", family: "A" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(standby.received).toHaveLength(1);
    expect(active.received.map((r) => r.url)).toEqual(["/api/add_task"]);
    expect(Object.keys(await active.api.taskList({}))).toEqual(["A_1"]);
  });

  test("follows the active one when it moves (the old one down, a standby takes over)", async () => {
    const a = await startServer();
    const standby = await startServer(standbyAnswer);
    const bPort = standby.port;
    const c = client({ url: `${a.url},http://127.0.0.1:${bPort}/`, retryWait: 0.2, retryAttempts: 10 });
    expect(await c.isPaused()).toEqual({ paused: false });
    expect(c.url).toBe(a.url);
    await a.close();
    // b refuses until it has taken the lock: the client waits a round and tries again.
    const tookOver = new Promise<TestServer>((resolve) => {
      setTimeout(() => {
        void standby
          .close()
          .then(() => startServer({ port: bPort }))
          .then((s) => {
            cleanups.push(() => s.close());
            resolve(s);
          });
      }, 300);
    });
    expect(await c.isPaused()).toEqual({ paused: false });
    expect(c.url).toBe(`http://127.0.0.1:${bPort}/`);
    expect((await tookOver).received.map((r) => r.url)).toEqual(["/api/is_paused"]);
    expect(standby.received.length).toBeGreaterThan(0);
  });

  test("every URL refusing: the standby's message after the retries; none there: unreachable naming all", async () => {
    const standby = await server(standbyAnswer);
    const err = await rejection(
      client({ url: `${standby.url},${standby.url}x/`, retryAttempts: 2 }).isPaused(),
    );
    expect(err.code).toBe(ErrorCode.RPC_FAILED);
    expect(err.message).toMatch(/failed after 2 attempt\(s\): .*standby: the active luigid is elsewhere/);
    const p1 = await freePort();
    const p2 = await freePort();
    const none = await rejection(
      client({ url: `http://127.0.0.1:${p1}/,http://127.0.0.1:${p2}/` }).isPaused(),
    );
    expect(none.code).toBe(ErrorCode.SCHEDULER_UNREACHABLE);
    expect(none.message).toContain(`no scheduler at http://127.0.0.1:${p1}/ nor at http://127.0.0.1:${p2}/`);
  });

  test("refuses a list with an empty or repeated URL, naming it", () => {
    expect(() => new RemoteScheduler({ url: "http://a:8082/,," })).toThrow(/an empty URL in the comma list/);
    expect(() => new RemoteScheduler({ url: "http://a:8082/,http://a:8082" })).toThrow(
      /http:\/\/a:8082\/ is named twice/,
    );
  });
});
