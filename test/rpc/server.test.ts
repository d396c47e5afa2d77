/** The server side (decode + dispatch) over real HTTP: encodings, validation and error bodies. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MUTATING_METHODS, RPC_METHODS } from "../../src/rpc/index.js";
import type { SchedulerApi } from "../../src/scheduler/api.js";
import { form, send, startServer } from "./helpers.js";
import type { TestServer } from "./helpers.js";

const W = "Worker(salt=1, workers=1, host=h, username=u, pid=1)";
const FORM = "application/x-www-form-urlencoded";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const post = (method: string, args: unknown) =>
  send(server.url, `/api/${method}`, { contentType: FORM, body: form(args) });

describe("add_tasks (luigi-ts extension)", () => {
  test("validates every item and names the bad one", async () => {
    const r = await post("add_tasks", { worker: W, tasks: [{ task_id: "T_1" }, { family: "no id" }] });
    expect(r.status).toBe(400);
    expect(r.text).toContain("tasks");
    const ok = await post("add_tasks", { worker: W, tasks: [{ task_id: "T_1", family: "T" }] });
    expect(ok.status).toBe(200);
  });
});

describe("request encodings", () => {
  test("form-encoded POST (Luigi's client)", async () => {
    const r = await post("add_task", { worker: W, task_id: "A_1", family: "A", params: { n: "1" } });
    expect(r).toMatchObject({ status: 200, contentType: "application/json; charset=UTF-8" });
    expect(r.text).toBe('{"response":null}');
    expect((await post("get_task_status_message", { task_id: "A_1" })).json).toEqual({
      response: { taskId: "A_1", statusMessage: null },
    });
  });

  test("GET with ?data= (the visualiser) and POST behave alike", async () => {
    await post("add_task", { worker: W, task_id: "G_1", family: "G" });
    const query = `?data=${encodeURIComponent(JSON.stringify({ task_str: "G_1" }))}`;
    const r = await send(server.url, `/api/task_search${query}`, { method: "GET" });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ response: { PENDING: { G_1: { name: "G", status: "PENDING" } } } });
  });

  test("a plain JSON body is the arguments object (luigi-ts extension)", async () => {
    const r = await send(server.url, "/api/add_task", {
      contentType: "application/json; charset=utf-8",
      body: JSON.stringify({ worker: W, task_id: "J_1", family: "J" }),
    });
    expect(r.status).toBe(200);
    expect((await post("task_search", { task_str: "J_1" })).json).toMatchObject({
      response: { PENDING: { J_1: { name: "J" } } },
    });
  });

  test("no data at all means no arguments", async () => {
    const r = await send(server.url, "/api/is_paused", { method: "GET" });
    expect(r).toMatchObject({ status: 200, json: { response: { paused: false } } });
    expect((await send(server.url, "/api/has_task_history", { method: "POST" })).json).toEqual({
      response: false,
    });
  });

  test("Python's Infinity token in add_task_batcher is accepted", async () => {
    const data = `{"worker": "${W}", "task_family": "B", "batched_args": ["d"], "max_batch_size": Infinity}`;
    const r = await send(server.url, "/api/add_task_batcher", {
      contentType: FORM,
      body: new URLSearchParams({ data }).toString(),
    });
    expect(r).toMatchObject({ status: 200, json: { response: null } });
  });

  test("`</` in a response is escaped as `<\\/`", async () => {
    await post("add_task", { worker: W, task_id: "S_1", family: "S" });
    await post("set_task_status_message", { task_id: "S_1", status_message: "</script><b>hi</b>" });
    const r = await post("get_task_status_message", { task_id: "S_1" });
    expect(r.text).toContain("<\\/script><b>hi<\\/b>");
    expect(r.text).not.toContain("</");
    expect(r.json).toEqual({ response: { taskId: "S_1", statusMessage: "</script><b>hi</b>" } });
  });

  test("Luigi's defaults are filled in for omitted arguments", async () => {
    expect((await post("mark_as_done", {})).json).toEqual({ response: { task_id: null, status: null } });
  });

  test("OPTIONS answers 204", async () => {
    expect((await send(server.url, "/api/ping", { method: "OPTIONS" })).status).toBe(204);
  });
});

describe("error answers", () => {
  test("unknown method -> 404 JSON", async () => {
    const r = await send(server.url, "/api/no_such_method", { method: "POST" });
    expect(r.status).toBe(404);
    expect(r.contentType).toBe("application/json; charset=UTF-8");
    expect(r.json).toEqual({
      error: {
        code: "UNKNOWN_METHOD",
        message: "unknown RPC method: no_such_method",
        method: "no_such_method",
      },
    });
  });

  test("malformed JSON -> 400 naming data", async () => {
    const r = await send(server.url, "/api/add_task", { contentType: FORM, body: "data={broken" });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: "BAD_REQUEST", method: "add_task", field: "data" } });
    expect((r.json as { error: { message: string } }).error.message).toMatch(
      /^add_task: data is not valid JSON: /,
    );
  });

  test("data that is not an object -> 400", async () => {
    const r = await send(server.url, "/api/ping", { contentType: FORM, body: "data=%5B1%5D" });
    expect(r.json).toMatchObject({ error: { code: "BAD_REQUEST", field: "data" } });
    expect((r.json as { error: { message: string } }).error.message).toContain("must be a JSON object");
  });

  test("malformed JSON body -> 400 naming body", async () => {
    const r = await send(server.url, "/api/ping", { contentType: "application/json", body: "{nope" });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: "BAD_REQUEST", field: "body" } });
  });

  test("unsupported content type -> 400", async () => {
    const r = await send(server.url, "/api/ping", { contentType: "text/plain", body: "hello" });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { field: "content-type" } });
  });

  test.each([
    ["add_task", { worker: W }, "add_task: task_id is required", "task_id"],
    ["add_task", { task_id: "X" }, "add_task: worker is required", "worker"],
    [
      "add_task",
      { task_id: "X", worker: "" },
      "add_task: worker must be a worker id (a non-empty string)",
      "worker",
    ],
    ["add_task", { task_id: "X", worker: W, status: "BOGUS" }, "add_task: status must be one of", "status"],
    [
      "add_task",
      { task_id: "X", worker: W, deps: "A" },
      "add_task: deps must be an array of strings or null",
      "deps",
    ],
    [
      "add_task",
      { task_id: "X", worker: W, retry_policy_dict: { retry_count: "3" } },
      "add_task: retry_policy_dict.retry_count must be a number or null",
      "retry_policy_dict.retry_count",
    ],
    [
      "get_work",
      { worker: W, current_tasks: ["a", 1] },
      "get_work: current_tasks must be an array of strings or null",
      "current_tasks",
    ],
    ["ping", {}, "ping: worker is required", "worker"],
    ["count_pending", { worker: W, extra: 1 }, "count_pending: unexpected argument extra", "extra"],
    ["set_worker_processes", { worker: W, n: 1.5 }, "set_worker_processes: n must be an integer", "n"],
    ["update_resources", { cpu: "many" }, "update_resources: cpu must be an integer", "cpu"],
    [
      "add_worker",
      { worker: W, info: "x" },
      "add_worker: info must be an object or a list of [key, value] pairs",
      "info",
    ],
  ])("%s %j -> 400", async (method, args, message, field) => {
    const r = await post(method, args);
    expect(r.status).toBe(400);
    const error = (r.json as { error: { code: string; message: string; method: string; field: string } })
      .error;
    expect(error).toMatchObject({ code: "BAD_REQUEST", method, field });
    expect(error.message.startsWith(message)).toBe(true);
  });

  test("+extra methods tolerate unknown keys; update_resource answers false for a bad amount", async () => {
    expect((await post("get_work", { worker: W, host: "h", something_new: 1 })).status).toBe(200);
    expect((await post("update_resource", { resource: "db", amount: -1 })).json).toEqual({ response: false });
    expect((await post("update_resources", { db: 2, cpu: 4 })).json).toEqual({ response: null });
    const resources = (await post("resource_list", {})).json as {
      response: { name: string; num_total: number }[];
    };
    expect(resources.response.map((r) => [r.name, r.num_total]).sort()).toEqual([
      ["cpu", 4],
      ["db", 2],
    ]);
  });

  test("an exception in the scheduler -> 500 INTERNAL without a stack", async () => {
    const broken = { ping: () => Promise.reject(new Error("disk on fire")) } as unknown as SchedulerApi;
    const other = await startServer({ api: broken });
    try {
      const r = await send(other.url, "/api/ping", { contentType: FORM, body: form({ worker: W }) });
      expect(r.status).toBe(500);
      expect(r.json).toEqual({
        error: { code: "INTERNAL", message: "ping failed: disk on fire", method: "ping" },
      });
      expect(r.text).not.toContain("    at ");
      // A partial implementation: a clear error rather than a crash.
      const missing = await send(other.url, "/api/prune", { method: "POST" });
      expect(missing.json).toMatchObject({ error: { code: "UNKNOWN_METHOD", method: "prune" } });
    } finally {
      await other.close();
    }
  });
});

describe("method table", () => {
  test("covers every endpoint of SPEC 3.3 and marks the mutating ones", () => {
    // Luigi's 38 methods plus luigi-ts's add_tasks, get_works, step_page, step_graph, step_timeline, the
    // four of triggered runs (trigger_step, take_trigger, report_trigger, trigger_list), the two of
    // captured step logs (add_step_logs, step_log), and the fleet's check_claims (not journaled: its
    // claims are soft state).
    expect(RPC_METHODS.size).toBe(50);
    expect(MUTATING_METHODS.has("check_claims")).toBe(false);
    for (const name of [
      "add_task",
      "get_work",
      "mark_as_done",
      "update_resources",
      "prune",
      "trigger_step",
      "add_step_logs",
    ]) {
      expect(MUTATING_METHODS.has(name)).toBe(true);
    }
    for (const name of [
      "task_list",
      "graph",
      "fetch_error",
      "is_paused",
      "has_task_history",
      "trigger_list",
      "step_timeline",
      "step_log",
    ]) {
      expect(MUTATING_METHODS.has(name)).toBe(false);
    }
  });
});
