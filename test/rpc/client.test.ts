/** RemoteScheduler against a real HTTP server running src/rpc's handler over a LocalScheduler. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ErrorCode } from "../../src/errors.js";
import { RemoteScheduler } from "../../src/rpc/index.js";
import { freePort, perTest, recordingLogger, rejection, startServer, type TestServer } from "./helpers.js";

const W = "Worker(salt=7, workers=1, host=h, username=u, pid=7)";

const { cleanups, server, client } = perTest();

function dataOf(body: string): unknown {
  return JSON.parse(new URLSearchParams(body).get("data") ?? "null");
}

describe("RemoteScheduler", () => {
  test("runs a worker's sequence against the server", async () => {
    const s = await server();
    const c = client({ url: s.url });
    expect(
      await c.addTask({ worker: W, task_id: "Report_1", family: "Report", deps: ["Extract_1"] }),
    ).toBeNull();
    await c.addTask({
      worker: W,
      task_id: "Extract_1",
      family: "Extract",
      module: "pipeline",
      params: { d: "1" },
    });
    await c.addWorker({
      worker: W,
      info: [
        ["salt", "7"],
        ["workers", 1],
        ["host", "h"],
      ],
    });
    const first = await c.getWork({ worker: W, host: "h", assistant: false, current_tasks: [] });
    expect(first).toMatchObject({
      n_pending_tasks: 2,
      worker_state: "active",
      running_tasks: [],
      task_id: "Extract_1",
      task_family: "Extract",
      task_module: "pipeline",
      task_params: { d: "1" },
    });
    await c.addTask({ worker: W, task_id: "Extract_1", status: "DONE", runnable: null, new_deps: [] });
    expect((await c.getWork({ worker: W, host: "h", current_tasks: [] })).task_id).toBe("Report_1");
    await c.addTask({ worker: W, task_id: "Report_1", status: "DONE" });
    expect(await c.countPending({ worker: W })).toMatchObject({ n_pending_tasks: 0, n_unique_pending: 0 });
    expect(await c.ping({ worker: W })).toEqual({ rpc_messages: [] });
    expect((await c.taskList({ status: "DONE" })) as object).toHaveProperty("Report_1.status", "DONE");

    // Exactly Luigi's request form: POST /api/<method>, form field `data` holding the JSON arguments.
    const first_ = s.received[0];
    expect(first_).toMatchObject({ method: "POST", url: "/api/add_task" });
    expect(first_?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(dataOf(first_?.body ?? "")).toEqual({
      worker: W,
      task_id: "Report_1",
      family: "Report",
      deps: ["Extract_1"],
    });
    expect(s.received.map((r) => r.url)).toContain("/api/count_pending");
  });

  test("writes Python's Infinity token (Luigi's default max_batch_size)", async () => {
    const s = await server();
    const c = client({ url: s.url });
    await c.addTaskBatcher({
      worker: W,
      task_family: "B",
      batched_args: ["d"],
      max_batch_size: Number.POSITIVE_INFINITY,
    });
    const data = new URLSearchParams(s.received[0]?.body ?? "").get("data");
    expect(data).toBe(`{"worker":"${W}","task_family":"B","batched_args":["d"],"max_batch_size":Infinity}`);
  });

  test("host and port options, and fromConfig", async () => {
    const s = await server();
    const c = client({ host: "127.0.0.1", port: s.port });
    expect(c.url).toBe(`http://127.0.0.1:${s.port}/`);
    expect(await c.isPauseEnabled()).toEqual({ enabled: true });
    const fromConfig = RemoteScheduler.fromConfig({
      schedulerHost: "127.0.0.1",
      schedulerPort: s.port,
      schedulerUrl: "",
      rpcConnectTimeout: 5,
      rpcRetryAttempts: 1,
      rpcRetryWait: 0,
      rpcLogRetries: false,
    } as Parameters<typeof RemoteScheduler.fromConfig>[0]);
    cleanups.push(() => fromConfig.close());
    expect(await fromConfig.hasTaskHistory()).toBe(false);
  });

  test("credentials in the URL are sent as HTTP Basic auth and masked in messages", async () => {
    const s = await server();
    const c = client({ url: `http://ana:p%40ss@127.0.0.1:${s.port}/` });
    await c.ping({ worker: W });
    const expected = `Basic ${Buffer.from("ana:p@ss").toString("base64")}`;
    expect(s.received[0]?.headers.authorization).toBe(expected);
    expect(c.url).toBe(`http://ana:***@127.0.0.1:${s.port}/`);
  });

  test("a path prefix in the URL is kept", async () => {
    const s = await server();
    await client({ url: `http://127.0.0.1:${s.port}/luigi/` }).ping({ worker: W });
    await client({ url: `http://127.0.0.1:${s.port}/luigi` }).isPaused();
    expect(s.received.map((r) => r.url)).toEqual(["/luigi/api/ping", "/luigi/api/is_paused"]);
  });

  test("http+unix:// talks over a unix socket", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "luigi-rpc-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const socketPath = path.join(dir, "luigid.sock");
    const s = await server({ socketPath });
    const c = client({ url: `http+unix://${encodeURIComponent(socketPath)}/` });
    await c.addTask({ worker: W, task_id: "U_1", family: "U" });
    expect(await c.getTaskStatusMessage({ task_id: "U_1" })).toEqual({ taskId: "U_1", statusMessage: null });
    expect(s.received.map((r) => r.url)).toEqual(["/api/add_task", "/api/get_task_status_message"]);
  });

  test("waits a moment for a scheduler that is starting: refused at first contact, then up", async () => {
    const port = await freePort();
    const { logger, records } = recordingLogger();
    const c = client({ host: "127.0.0.1", port, retryWait: 30, logger });
    let started: TestServer | undefined;
    setTimeout(() => {
      void startServer({ port }).then((s) => {
        started = s;
        cleanups.push(() => s.close());
      });
    }, 600);
    expect(await c.isPaused()).toEqual({ paused: false });
    expect(started?.received.map((r) => r.url)).toEqual(["/api/is_paused"]);
    // Within the first-contact grace: no retry of the rpc_retry_* schedule (30 s here) was needed.
    expect(records).toHaveLength(0);
  });

  test("nothing listening at first contact: SCHEDULER_UNREACHABLE within seconds, not the retry schedule", async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await rejection(
      client({ host: "127.0.0.1", port, retryWait: 30, retryAttempts: 3 }).isPaused(),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err.code).toBe(ErrorCode.SCHEDULER_UNREACHABLE);
    expect(err.message).toBe(
      `no scheduler at http://127.0.0.1:${port}/ (connection refused). Start one with \`npx luigid\` (or point --scheduler-url at yours), or run without one: --local-scheduler`,
    );
  });

  test("a scheduler that answered and went away is retried, logging each retry, until it is back", async () => {
    const first = await startServer();
    const port = first.port;
    const { logger, records, onRecord } = recordingLogger();
    const c = client({ host: "127.0.0.1", port, retryWait: 0.5, logger });
    expect(await c.isPaused()).toEqual({ paused: false });
    c.close();
    await first.close();
    let started: TestServer | undefined;
    // Start the server again as soon as the first attempt has failed and been logged, before the second.
    onRecord(() => {
      void startServer({ port }).then((s) => {
        started = s;
        cleanups.push(() => s.close());
      });
    });
    expect(await c.isPaused()).toEqual({ paused: false });
    expect(started?.received.map((r) => r.url)).toEqual(["/api/is_paused"]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 40, attempt: 1, attempts: 3 });
    expect(String(records[0]?.cause)).toMatch(/ECONNREFUSED/);
  });

  test("retries a 500 answer", async () => {
    let failures = 1;
    const s = await server({
      intercept: (_req, res) => {
        if (failures-- <= 0) return false;
        res.writeHead(500, { "Content-Type": "text/html" }).end("<html>500: Internal Server Error</html>");
        return true;
      },
    });
    const c = client({ url: s.url });
    expect(await c.hasTaskHistory()).toBe(false);
    expect(s.received).toHaveLength(2);
  });

  test("a 4xx is not retried and keeps the server's code, message and field", async () => {
    const s = await server();
    const c = client({ url: s.url });
    const err = await rejection(c.call("add_task", { worker: W }));
    expect(err.code).toBe(ErrorCode.BAD_REQUEST);
    expect(err.message).toBe("add_task: task_id is required");
    expect(err.details).toMatchObject({ method: "add_task", field: "task_id", status: 400 });
    expect(s.received).toHaveLength(1);

    const unknown = await rejection(c.call("no_such_method"));
    expect(unknown.code).toBe(ErrorCode.UNKNOWN_METHOD);
    expect(s.received).toHaveLength(2);
  });

  test("a 404 HTML page (Luigi's) becomes UNKNOWN_METHOD", async () => {
    const s = await server({
      intercept: (_req, res) => {
        res.writeHead(404, { "Content-Type": "text/html" }).end("<html><title>404: Not Found</title></html>");
        return true;
      },
    });
    const err = await rejection(client({ url: s.url }).call("update_metrics_task_started"));
    expect(err.code).toBe(ErrorCode.UNKNOWN_METHOD);
    expect(err.message).toContain("404: Not Found");
  });

  test("add_tasks registers a batch in one round trip", async () => {
    const s = await server();
    const c = client({ url: s.url });
    await c.addTasks({
      worker: W,
      tasks: [
        { task_id: "B_1", family: "B", status: "PENDING", deps: ["B_2"] },
        { task_id: "B_2", family: "B", status: "DONE" },
      ],
    });
    expect(s.received.map((r) => r.url)).toEqual(["/api/add_tasks"]);
    const listed = (await c.taskList({ status: "PENDING" })) as Record<string, { name: string }>;
    expect(Object.keys(listed)).toEqual(["B_1"]);
    expect(Object.keys(await c.taskList({ status: "DONE" }))).toEqual(["B_2"]);
  });

  test("add_tasks falls back to one add_task per step against a scheduler without it (Luigi's)", async () => {
    const s = await server({
      intercept: (req, res) => {
        if (!req.url.startsWith("/api/add_tasks")) return false;
        res.writeHead(404, { "Content-Type": "text/html" }).end("<html><title>404: Not Found</title></html>");
        return true;
      },
    });
    const c = client({ url: s.url });
    const tasks = [
      { task_id: "L_1", family: "L" },
      { task_id: "L_2", family: "L" },
    ];
    await c.addTasks({ worker: W, tasks });
    await c.addTasks({ worker: W, tasks: [{ task_id: "L_3", family: "L" }] });
    expect(s.received.map((r) => r.url)).toEqual([
      "/api/add_tasks",
      "/api/add_task",
      "/api/add_task",
      "/api/add_task",
    ]);
    expect(Object.keys(await c.taskList({ status: "PENDING" })).sort()).toEqual(["L_1", "L_2", "L_3"]);
  });

  test("check_claims answers per id in one JSON round trip; against Luigi's scheduler every step is the caller's", async () => {
    const s = await server();
    const c = client({ url: s.url });
    await c.addTask({ worker: W, task_id: "C_1", family: "C", status: "DONE" });
    expect(await c.checkClaims({ worker: W, task_ids: ["C_1", "C_2"] })).toEqual({
      verdicts: ["done", "yours"],
    });
    expect(s.received.at(-1)?.headers["content-type"]).toBe("application/json");
    const luigi = await server({
      intercept: (req, res) => {
        if (!req.url.startsWith("/api/check_claims")) return false;
        res.writeHead(404, { "Content-Type": "text/html" }).end("<html><title>404: Not Found</title></html>");
        return true;
      },
    });
    const old = client({ url: luigi.url });
    const answer = { verdicts: ["yours", "yours"], unsupported: true };
    expect(await old.checkClaims({ worker: W, task_ids: ["A", "B"] })).toEqual(answer);
    expect(await old.checkClaims({ worker: W, task_ids: ["A", "B"] })).toEqual(answer);
    // Asked once: the client remembers that this scheduler has no check_claims.
    expect(luigi.received.filter((r) => r.url.startsWith("/api/check_claims"))).toHaveLength(1);
  });

  test("get_works carries reports and hands out several steps in one JSON round trip", async () => {
    const s = await server();
    const c = client({ url: s.url });
    await c.addTasks({ worker: W, tasks: [1, 2, 3].map((i) => ({ task_id: `G_${i}`, family: "G" })) });
    const first = await c.getWorks({ worker: W, host: "h", current_tasks: [], max_tasks: 2 });
    const ids = first.replies.map((r) => r.task_id);
    expect(ids).toHaveLength(2);
    const second = await c.getWorks({
      worker: W,
      host: "h",
      current_tasks: ids as string[],
      max_tasks: 2,
      reports: ids.map((id) => ({ task_id: id as string, status: "DONE" as const })),
    });
    expect(second.replies[0]?.task_id).toMatch(/^G_/);
    expect(Object.keys(await c.taskList({ status: "DONE" })).sort()).toEqual((ids as string[]).sort());
    const last = s.received.filter((r) => r.url === "/api/get_works").at(-1);
    expect(last?.url).toBe("/api/get_works");
    expect(last?.headers["content-type"]).toBe("application/json");
  });

  test("get_works falls back to add_task reports and one get_work against Luigi's scheduler", async () => {
    const s = await server({
      intercept: (req, res) => {
        if (!req.url.startsWith("/api/get_works")) return false;
        res.writeHead(404, { "Content-Type": "text/html" }).end("<html><title>404: Not Found</title></html>");
        return true;
      },
    });
    const c = client({ url: s.url });
    await c.addTask({ worker: W, task_id: "F_1", family: "F" });
    await c.addTask({ worker: W, task_id: "F_2", family: "F" });
    const first = await c.getWorks({ worker: W, current_tasks: [], max_tasks: 5 });
    expect(first.replies).toHaveLength(1);
    const id = first.replies[0]?.task_id as string;
    const second = await c.getWorks({
      worker: W,
      current_tasks: [id],
      max_tasks: 5,
      reports: [{ task_id: id, status: "DONE" }],
    });
    expect(second.replies.map((r) => r.task_id)).toEqual([id === "F_1" ? "F_2" : "F_1"]);
    expect(s.received.map((r) => r.url).slice(2)).toEqual([
      "/api/get_works",
      "/api/get_work",
      "/api/add_task",
      "/api/get_work",
    ]);
  });

  test("fails with RPC_FAILED naming the URL and the last cause after all attempts", async () => {
    const s = await server({
      intercept: (_req, res) => {
        res.writeHead(503, { "Content-Type": "text/plain" }).end("overloaded");
        return true;
      },
    });
    const err = await rejection(client({ url: s.url, retryAttempts: 3 }).prune());
    expect(err.code).toBe(ErrorCode.RPC_FAILED);
    expect(err.message).toBe(`${s.url}api/prune failed after 3 attempt(s): HTTP 503: overloaded`);
    expect(s.received).toHaveLength(3);

    const gone = await startServer();
    const port = gone.port;
    const c = client({ host: "127.0.0.1", port, retryAttempts: 2 });
    await c.isPaused();
    c.close();
    await gone.close();
    const refused = await rejection(c.isPaused());
    expect(refused.code).toBe(ErrorCode.RPC_FAILED);
    expect(refused.message).toMatch(
      new RegExp(`^http://127.0.0.1:${port}/api/is_paused failed after 2 attempt\\(s\\): .*ECONNREFUSED`),
    );
  });

  test("the timeout covers an answer that never comes", async () => {
    const s = await server({ intercept: () => true });
    const err = await rejection(client({ url: s.url, connectTimeout: 0.2, retryAttempts: 2 }).isPaused());
    expect(err.code).toBe(ErrorCode.RPC_FAILED);
    expect(err.message).toContain("timed out after 0.2s");
    expect(s.received).toHaveLength(2);
  });

  test("get_work answering null is asked again, 3 times in all, as Luigi does", async () => {
    let nulls = 2;
    const s = await server({
      intercept: (req, res) => {
        if (!req.url.endsWith("/get_work") || nulls-- <= 0) return false;
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"response": null}');
        return true;
      },
    });
    const c = client({ url: s.url });
    expect(await c.getWork({ worker: W })).toMatchObject({ task_id: null, worker_state: "active" });
    expect(s.received).toHaveLength(3);

    nulls = 10;
    const err = await rejection(c.getWork({ worker: W }));
    expect(err.code).toBe(ErrorCode.RPC_FAILED);
    expect(err.message).toContain("returned null 3 times");
    // Other methods take null as the answer it is.
    expect(await c.prune()).toBeNull();
  });

  test("an invalid scheduler URL is a configuration error", () => {
    expect(() => new RemoteScheduler({ url: "ftp://u:secret@h/" })).toThrow(
      /scheme must be http, https or http\+unix/,
    );
    expect(() => new RemoteScheduler({ url: "ftp://u:secret@h/" })).not.toThrow(/secret/);
  });
});
