import { afterEach, describe, expect, test } from "vitest";
import { consistent, fixture, T0, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

describe("task_list (SPEC 3.3, 3.4)", () => {
  test("node shape: public params, display name sorted by key, no deps", () => {
    f = fixture();
    f.add("Report_x", {
      family: "Report",
      params: { region: "eu", date: "2024-01-15", token: "s3cret" },
      param_visibilities: { region: 0, date: 0, token: 1 },
      resources: { warehouse: 1 },
      priority: 10,
      deps: ["Extract_x"],
    });
    expect(f.s.taskList({ status: "PENDING", upstream_status: "", search: "" })).toEqual({
      Report_x: {
        display_name: "Report(date=2024-01-15, region=eu)",
        status: "PENDING",
        workers: ["W1"],
        worker_running: null,
        time_running: null,
        start_time: T0,
        last_updated: T0,
        params: { date: "2024-01-15", region: "eu" },
        name: "Report",
        priority: 10,
        resources: { warehouse: 1 },
        resources_running: null,
        tracking_url: null,
        status_message: null,
        progress_percentage: null,
      },
    });
  });

  test("a status bucket over the limit answers its size, or -1 with an upstream filter", () => {
    f = fixture();
    for (let i = 0; i < 5; i++) f.add(`S${i}`);
    f.add("Done", { status: "DONE" });
    expect(f.s.taskList({ status: "PENDING", max_shown_tasks: 4 })).toEqual({ num_tasks: 5 });
    expect(
      f.s.taskList({ status: "PENDING", max_shown_tasks: 4, upstream_status: "UPSTREAM_FAILED" }),
    ).toEqual({
      num_tasks: -1,
    });
    expect(f.s.taskList({ max_shown_tasks: 5 })).toEqual({ num_tasks: 6 });
    expect(Object.keys(f.s.taskList({ status: "PENDING", max_shown_tasks: 4, limit: false }))).toHaveLength(
      5,
    );
    expect(Object.keys(f.s.taskList({ status: "DONE", max_shown_tasks: 4 }))).toEqual(["Done"]);
    // With a search the bucket is filtered first, then counted.
    expect(f.s.taskList({ status: "PENDING", max_shown_tasks: 4, search: "s" })).toEqual({ num_tasks: 5 });
    expect(Object.keys(f.s.taskList({ status: "PENDING", max_shown_tasks: 4, search: "S3" }))).toEqual([
      "S3",
    ]);
    const small = fixture({ maxShownTasks: 2 });
    for (let i = 0; i < 3; i++) small.add(`S${i}`);
    expect(small.s.taskList({})).toEqual({ num_tasks: 3 });
  });

  test("search: whitespace-separated terms, each a case-insensitive substring of the display name", () => {
    f = fixture();
    f.add("R1", { family: "Report", params: { region: "EU" } });
    f.add("R2", { family: "Report", params: { region: "us" } });
    f.add("E1", { family: "Extract", params: { region: "eu" } });
    expect(Object.keys(f.s.taskList({ search: "report  eu" }))).toEqual(["R1"]);
    expect(Object.keys(f.s.taskList({ search: "REGION=" })).sort()).toEqual(["E1", "R1", "R2"]);
  });

  test("upstream_status filters PENDING steps only (SPEC 2.2)", () => {
    f = fixture();
    f.add("Failed", { status: "FAILED" });
    f.add("Running");
    f.add("Disabled", { status: "DISABLED" });
    f.add("DoneDep", { status: "DONE" });
    f.add("OnFailed", { deps: ["Failed", "Running"] });
    f.add("OnRunning", { deps: ["Running"] });
    f.add("OnPending", { deps: ["OnFailed"] });
    f.add("OnDisabled", { deps: ["Disabled", "Failed"] });
    f.add("NoDeps", { priority: -5 });
    f.add("AllDone", { deps: ["DoneDep"] });
    f.add("OnUnknown", { deps: ["Nowhere"] });
    expect(f.next()).toBe("Running");
    const pick = (upstream: string): string[] =>
      Object.keys(f.s.taskList({ status: "PENDING", upstream_status: upstream })).sort();
    expect(pick("UPSTREAM_FAILED")).toEqual(["OnFailed", "OnPending"]);
    expect(pick("UPSTREAM_RUNNING")).toEqual(["OnRunning"]);
    expect(pick("UPSTREAM_DISABLED")).toEqual(["OnDisabled"]);
    expect(pick("UPSTREAM_MISSING_INPUT")).toEqual(["NoDeps"]);
    expect(pick("")).toHaveLength(7);
    // Non-PENDING steps (the UNKNOWN placeholder too) pass any upstream filter.
    expect(Object.keys(f.s.taskList({ upstream_status: "UPSTREAM_RUNNING" })).sort()).toEqual(
      ["DoneDep", "Disabled", "Failed", "Nowhere", "OnRunning", "Running"].sort(),
    );
    // AllDone ("") and OnUnknown ("": an UNKNOWN dep maps to nothing) match no UPSTREAM_* filter.
  });

  test("task_search: case-sensitive id match, grouped by status", () => {
    f = fixture();
    f.add("Report_eu");
    f.add("Report_us", { status: "DONE" });
    f.add("report_x");
    const found = f.s.taskSearch({ task_str: "Report" });
    expect(Object.keys(found).sort()).toEqual(["DONE", "PENDING"]);
    expect(Object.keys(found["PENDING"] ?? {})).toEqual(["Report_eu"]);
  });
});

describe("graphs (SPEC 3.3)", () => {
  function diamond(fx: Fixture): void {
    fx.add("Top", { deps: ["Left", "Right"] });
    fx.add("Left", { deps: ["Base"] });
    fx.add("Right", { deps: ["Base"], status: "DONE" });
    fx.add("Base", { deps: ["Ghost_abc"] });
  }

  test("dep_graph: BFS over sorted deps, only the root keeps display_name, placeholders for unknowns", () => {
    f = fixture();
    diamond(f);
    const g = f.s.depGraph({ task_id: "Top" });
    expect(Object.keys(g)).toEqual(["Top", "Left", "Right", "Base", "Ghost_abc"]);
    expect(g["Top"]?.display_name).toBe("Top()");
    expect(g["Left"]?.display_name).toBeUndefined();
    expect(g["Top"]?.deps).toEqual(["Left", "Right"]);
    expect(g["Ghost_abc"]).toEqual({
      deps: [],
      status: "UNKNOWN",
      workers: [],
      start_time: "UNKNOWN",
      params: { task_id: "Ghost_abc" },
      name: "Ghost",
      priority: 0,
    });
    expect(f.s.depGraph({ task_id: "Nope" })).toEqual({});
  });

  test("dep_graph without DONE steps, and cut at max_graph_nodes", () => {
    f = fixture();
    diamond(f);
    const g = f.s.depGraph({ task_id: "Top", include_done: false });
    expect(Object.keys(g)).toEqual(["Top", "Left", "Base", "Ghost_abc"]);
    expect(g["Top"]?.deps).toEqual(["Left"]);
    const small = fixture({ maxGraphNodes: 2 });
    diamond(small);
    expect(Object.keys(small.s.depGraph({ task_id: "Top" }))).toEqual(["Top", "Left"]);
  });

  test("inverse_dep_graph walks dependants from the reverse index", () => {
    f = fixture();
    diamond(f);
    const g = f.s.inverseDepGraph({ task_id: "Base" });
    expect(Object.keys(g)).toEqual(["Base", "Left", "Right", "Top"]);
    expect(g["Base"]?.deps?.sort()).toEqual(["Left", "Right"]);
    expect(g["Base"]?.display_name).toBe("Base()");
    expect(Object.keys(f.s.inverseDepGraph({ task_id: "Base", include_done: false }))).toEqual([
      "Base",
      "Left",
      "Top",
    ]);
  });

  test("graph: every step once, with deps", () => {
    f = fixture();
    diamond(f);
    const g = f.s.graph();
    expect(Object.keys(g).sort()).toEqual(["Base", "Ghost_abc", "Left", "Right", "Top"]);
    expect(g["Left"]?.deps).toEqual(["Base"]);
  });
});

describe("worker_list, resource_list, fetch_error", () => {
  test("worker_list: newest first, info keys, running steps and pending counts", () => {
    f = fixture();
    f.s.addWorker({ worker: "W1", info: { host: "a", workers: 2, first_task: "A" } });
    f.add("A", { params: { n: "1" } });
    f.add("B");
    f.add("B", { worker: "W2" });
    f.clock.advance(1);
    f.s.ping({ worker: "W3" });
    expect(f.next()).toBe("A");
    f.s.setWorkerProcesses({ worker: "W1", n: 3 });
    const list = f.s.workerList();
    expect(list.map((w) => w.name)).toEqual(["W3", "W1", "W2"]);
    const w1 = list[1];
    expect(w1).toMatchObject({
      name: "W1",
      last_active: T0 + 1,
      started: T0,
      state: "active",
      first_task_display_name: "A(n=1)",
      num_unread_rpc_messages: 1,
      host: "a",
      workers: 2,
      first_task: "A",
      num_running: 1,
      num_pending: 1,
      num_uniques: 0,
    });
    expect(Object.keys(w1?.running ?? {})).toEqual(["A"]);
    expect(f.s.workerList({ include_running: false })[1]).not.toHaveProperty("running");
  });

  test("resource_list: one entry per configured resource with its running consumers", () => {
    f = fixture({ resources: { db: 3, gpu: 1 } });
    f.add("A", { resources: { db: 2 } });
    f.add("B", { resources: { db: 1, gpu: 0 } });
    f.add("C", { resources: { db: 1 } });
    f.next();
    f.next();
    const list = f.s.resourceList();
    expect(
      list.map(({ name, num_total, num_used, num_consumer }) => [name, num_total, num_used, num_consumer]),
    ).toEqual([
      ["db", 3, 3, 2],
      ["gpu", 1, 0, 1],
    ]);
    expect(Object.keys(list[0]?.running ?? {})).toEqual(["A", "B"]);
  });

  test("fetch_error: camelCase keys; unknown id gives an empty error", () => {
    f = fixture();
    f.add("A", { params: { a: "1" }, module: "m" });
    f.add("A", { status: "FAILED", expl: '"trace"' });
    expect(f.s.fetchError({ task_id: "A" })).toEqual({
      taskId: "A",
      error: '"trace"',
      displayName: "A(a=1)",
      taskParams: { a: "1" },
      taskModule: "m",
      taskFamily: "A",
    });
    expect(f.s.fetchError({ task_id: "B" })).toEqual({ taskId: "B", error: "" });
  });
});
