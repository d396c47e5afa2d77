/** RemoteScheduler with several URLs (luigids sharing one state_url), against real HTTP servers. */
import { afterEach, describe, expect, test } from "vitest";
import { ErrorCode, SchedulerError } from "../../src/errors.js";
import { RemoteScheduler } from "../../src/rpc/index.js";
import { freePort, startServer, type TestServer } from "./helpers.js";

const W = "Worker(salt=7, workers=1, host=h, username=u, pid=7)";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(options);
  cleanups.push(() => s.close());
  return s;
}

function client(options: ConstructorParameters<typeof RemoteScheduler>[0]): RemoteScheduler {
  const c = new RemoteScheduler({ retryWait: 0.01, ...options });
  cleanups.push(() => c.close());
  return c;
}

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
