/** step_page and step_graph: the visualiser's bounded listings (luigi-ts extensions, SPEC 7.6). */
import { afterEach, describe, expect, test } from "vitest";
import { createDispatcher } from "../../src/rpc/dispatch.js";
import { LocalScheduler } from "../../src/scheduler/local.js";
import { consistent, fixture, type Fixture } from "./helpers.js";

let f: Fixture;
afterEach(() => consistent(f.s));

/** A -> B -> C chains: B fails, so A is upstream-failed; D is disabled, so E above it is upstream-disabled. */
function pipeline(): Fixture {
  const fx = fixture();
  fx.add("C_1", { family: "C", params: { day: "1" } });
  fx.add("B_1", { family: "B", params: { day: "1" }, deps: ["C_1"] });
  fx.add("A_1", { family: "A", params: { day: "1" }, deps: ["B_1"] });
  fx.add("D_1", { family: "ns.D", params: { day: "1" } });
  fx.add("E_1", { family: "ns.E", params: { day: "1" }, deps: ["D_1"] });
  fx.add("R_1", { family: "ns.R", params: { day: "1", who: "<img src=x>" } });
  for (let i = 0; i < 30; i++) fx.add(`Z_${i}`, { family: "Z", params: { n: String(i) }, status: "DONE" });
  fx.done("C_1");
  fx.fail("B_1");
  fx.add("D_1", { family: "ns.D", status: "DISABLED" });
  fx.add("R_1", { family: "ns.R", status: "RUNNING" });
  return fx;
}

describe("step_page", () => {
  test("counts per category, from the indexes, equal Luigi's task_list buckets", () => {
    f = pipeline();
    const page = f.s.stepPage({});
    expect(page.counts).toEqual({
      PENDING: 0,
      RUNNING: 1,
      BATCH_RUNNING: 0,
      DONE: 31,
      FAILED: 1,
      DISABLED: 1,
      UPSTREAM_FAILED: 1,
      UPSTREAM_DISABLED: 1,
    });
    expect(Object.keys(f.s.taskList({ status: "PENDING", upstream_status: "UPSTREAM_FAILED" }))).toEqual([
      "A_1",
    ]);
    expect(page.families.map((x) => [x.name, x.count])).toEqual([
      ["A", 1],
      ["B", 1],
      ["C", 1],
      ["Z", 30],
      ["ns.D", 1],
      ["ns.E", 1],
      ["ns.R", 1],
    ]);
  });

  test("default order puts what needs attention first; rows carry id and category", () => {
    f = pipeline();
    const page = f.s.stepPage({ limit: 6 });
    expect(page.total).toBe(36);
    expect(page.rows.map((r) => [r.task_id, r.category])).toEqual([
      ["B_1", "FAILED"],
      ["D_1", "DISABLED"],
      ["A_1", "UPSTREAM_FAILED"],
      ["E_1", "UPSTREAM_DISABLED"],
      ["R_1", "RUNNING"],
      ["Z_0", "DONE"],
    ]);
    expect(page.rows[0]).toMatchObject({ display_name: "B(day=1)", status: "FAILED", name: "B" });
  });

  test("paging with offset and limit, and the max_shown_tasks cap", () => {
    f = pipeline();
    const done = f.s.stepPage({ statuses: ["DONE"], offset: 10, limit: 5 });
    expect(done.total).toBe(31);
    expect(done.rows).toHaveLength(5);
    const all = f.s.stepPage({ statuses: ["DONE"], limit: 100 }).rows.map((r) => r.task_id);
    expect(done.rows.map((r) => r.task_id)).toEqual(all.slice(10, 15));
    const capped = f.s.stepPage({ statuses: ["DONE"], offset: 8, limit: 5, max_shown_tasks: 10 });
    expect(capped).toMatchObject({ total: 31, max_shown_tasks: 10, limit: 2 });
    expect(capped.rows).toHaveLength(2);
    expect(f.s.stepPage({ offset: 50 }).rows).toEqual([]);
  });

  test("several categories, a family, a search", () => {
    f = pipeline();
    const ids = (p: { rows: { task_id: string }[] }): string[] => p.rows.map((r) => r.task_id);
    expect(ids(f.s.stepPage({ statuses: ["UPSTREAM_DISABLED", "FAILED"] }))).toEqual(["B_1", "E_1"]);
    expect(ids(f.s.stepPage({ statuses: ["PENDING"] }))).toEqual([]);
    expect(ids(f.s.stepPage({ family: "ns.E" }))).toEqual(["E_1"]);
    expect(f.s.stepPage({ family: "Z", statuses: ["DONE"], limit: 3 })).toMatchObject({ total: 30 });
    expect(f.s.stepPage({ family: "Z", statuses: ["FAILED"] }).total).toBe(0);
    expect(f.s.stepPage({ family: "nope" }).total).toBe(0);
    // Terms are case-insensitive substrings of the display name or the id, all required.
    expect(ids(f.s.stepPage({ search: "z n=1" }))).toEqual(
      ["Z_1", "Z_10", "Z_11", "Z_12", "Z_13"].concat(["Z_14", "Z_15", "Z_16", "Z_17", "Z_18", "Z_19"]),
    );
    expect(ids(f.s.stepPage({ search: "<IMG" }))).toEqual(["R_1"]);
    expect(f.s.stepPage({ search: "z n=1", limit: 2 })).toMatchObject({ total: 11 });
  });

  test("sorting by name, time and priority, both ways", () => {
    f = fixture();
    f.add("X_b", { family: "X", priority: 5 });
    f.clock.advance(10);
    f.add("X_a", { family: "X", priority: 1 });
    f.clock.advance(10);
    f.add("X_c", { family: "X", priority: 9 });
    const ids = (sort: "name" | "started" | "priority", order: "asc" | "desc"): string[] =>
      f.s.stepPage({ sort, order }).rows.map((r) => r.task_id);
    expect(ids("name", "asc")).toEqual(["X_a", "X_b", "X_c"]);
    expect(ids("name", "desc")).toEqual(["X_c", "X_b", "X_a"]);
    expect(ids("started", "asc")).toEqual(["X_b", "X_a", "X_c"]);
    expect(ids("priority", "desc")).toEqual(["X_c", "X_b", "X_a"]);
  });

  test("placeholders for unknown dependencies are never listed", () => {
    f = fixture();
    f.add("A_1", { family: "A", deps: ["Missing_1"] });
    f.add("Missing_1", { family: "", status: "UNKNOWN" });
    expect(f.s.stepPage({}).rows.map((r) => r.task_id)).toEqual(["A_1"]);
  });
});

describe("step_graph", () => {
  function chainOf(n: number): Fixture {
    const fx = fixture({ maxGraphNodes: 50 });
    for (let i = 0; i < n; i++) fx.add(`S_${i}`, { family: "S", deps: i + 1 < n ? [`S_${i + 1}`] : [] });
    return fx;
  }

  test("bounded BFS that says how many reachable steps were left out", () => {
    f = chainOf(20);
    const g = f.s.stepGraph({ task_id: "S_0", max_nodes: 5 });
    expect(Object.keys(g.nodes)).toEqual(["S_0", "S_1", "S_2", "S_3", "S_4"]);
    expect(g).toMatchObject({ root: "S_0", left_out: 15, max_nodes: 5 });
    expect(g.nodes.S_3).toMatchObject({ display_name: "S()", deps: ["S_4"], status: "PENDING" });
  });

  test("clamped to max_graph_nodes; dependents direction; unknown root", () => {
    f = chainOf(80);
    const g = f.s.stepGraph({ task_id: "S_0", max_nodes: 1000 });
    expect(g.max_nodes).toBe(50);
    expect(g.left_out).toBe(30);
    const up = f.s.stepGraph({ task_id: "S_5", direction: "dependents" });
    expect(Object.keys(up.nodes).sort()).toEqual(["S_0", "S_1", "S_2", "S_3", "S_4", "S_5"]);
    expect(up.nodes.S_5?.deps).toEqual(["S_4"]);
    expect(f.s.stepGraph({ task_id: "nope" })).toMatchObject({ nodes: {}, left_out: 0 });
  });

  test("nodes carry the step list's category: upstream-failed and upstream-disabled as the list says", () => {
    f = pipeline();
    f.add("A_1", { family: "A", params: { day: "1" }, deps: ["B_1", "X_missing"] });
    const up = f.s.stepGraph({ task_id: "A_1" });
    expect(up.nodes.A_1).toMatchObject({ status: "PENDING", category: "UPSTREAM_FAILED" });
    expect(up.nodes.B_1?.category).toBe("FAILED");
    expect(up.nodes.C_1?.category).toBe("DONE");
    expect(up.nodes.X_missing?.category).toBe("UNKNOWN");
    const rows = new Map(f.s.stepPage({}).rows.map((r) => [r.task_id, r.category]));
    for (const id of ["A_1", "B_1", "C_1"]) expect(up.nodes[id]?.category).toBe(rows.get(id));
    const down = f.s.stepGraph({ task_id: "D_1", direction: "dependents" });
    expect(down.nodes.D_1?.category).toBe("DISABLED");
    expect(down.nodes.E_1).toMatchObject({ status: "PENDING", category: "UPSTREAM_DISABLED" });
  });

  test("without done steps", () => {
    f = chainOf(4);
    f.done("S_2");
    const g = f.s.stepGraph({ task_id: "S_0", include_done: false });
    expect(Object.keys(g.nodes)).toEqual(["S_0", "S_1"]);
    expect(g.nodes.S_1?.deps).toEqual([]);
  });
});

describe("step_page over the wire: arguments are validated", () => {
  test("bad fields answer 400 naming them", async () => {
    f = fixture();
    const dispatch = createDispatcher(new LocalScheduler({ scheduler: f.s }));
    const bad = async (args: Record<string, unknown>): Promise<unknown> => {
      const r = await dispatch("step_page", args);
      expect(r.status).toBe(400);
      return JSON.parse(r.body);
    };
    expect(await bad({ statuses: ["NOPE"] })).toMatchObject({ error: { field: "statuses" } });
    expect(await bad({ limit: 5000 })).toMatchObject({
      error: { field: "limit", message: "step_page: limit must be an integer from 0 to 1000" },
    });
    expect(await bad({ offset: -1 })).toMatchObject({ error: { field: "offset" } });
    expect(await bad({ sort: "size" })).toMatchObject({ error: { field: "sort" } });
    expect(await bad({ extra: 1 })).toMatchObject({ error: { field: "extra" } });
    const g = await dispatch("step_graph", { task_id: "x", max_nodes: 0 });
    expect(g.status).toBe(400);
    const ok = await dispatch("step_page", { statuses: ["FAILED"], limit: 10 });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ response: { total: 0, rows: [] } });
  });
});
