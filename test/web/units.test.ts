/** The visualiser's pure parts, without a browser: URL state, text formatting, the provisional layout. */
import { describe, expect, test } from "vitest";
import { decodeError, formatCount, rerunCommand, shellQuote } from "../../web/src/state/format.js";
import { DEFAULT_VIEW, formatHash, parseHash } from "../../web/src/state/url.js";
import { quickLayout } from "../../web/src/graph/quick-layout.js";
import { buildModel } from "../../web/src/graph/model.js";
import type { StepGraph, StepGraphNode } from "../../src/scheduler/api.js";

describe("URL state", () => {
  test("round trip, defaults left out", () => {
    const view = {
      ...DEFAULT_VIEW,
      tab: "graph" as const,
      statuses: ["FAILED" as const, "UPSTREAM_FAILED" as const],
      family: "etl.Load",
      search: "a b&c",
      page: 3,
      taskId: "Load_1_abc",
      invert: true,
      detail: "X_1",
    };
    const hash = formatHash(view);
    expect(hash).not.toContain("length=");
    expect(parseHash(hash)).toEqual(view);
    expect(formatHash(DEFAULT_VIEW)).toBe("#tab=steps");
  });

  test("reads Luigi's keys and ignores junk", () => {
    const v = parseHash('#tab=tasks&search__search=x&statuses=["FAILED","BOGUS"]&page=-2&length=abc');
    expect(v).toMatchObject({ tab: "steps", search: "x", statuses: ["FAILED"], page: 1, length: 50 });
    expect(parseHash("#tab=nope").tab).toBe("steps");
  });
});

describe("text", () => {
  test("counts, quoting, the command to re-run, double-encoded errors", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(rerunCommand("pipe", "Load", { day: "2026-11-20", the_region: "eu west" })).toBe(
      "luigi --module pipe Load --day 2026-11-20 --the-region 'eu west'",
    );
    expect(decodeError('"Traceback\\nline"')).toBe("Traceback\nline");
    expect(decodeError("plain")).toBe("plain");
  });
});

describe("graph model and provisional layout", () => {
  const node = (name: string, deps: string[], status = "PENDING"): StepGraphNode =>
    ({ name, deps, status, category: status, display_name: `${name}()` }) as unknown as StepGraphNode;

  test("edges run from a dependency to its dependent; cut ids become TRUNCATED nodes", () => {
    const graph: StepGraph = {
      root: "C",
      nodes: { C: node("C", ["B"]), B: node("B", ["A", "Z"]) },
      left_out: 2,
      max_nodes: 2,
    };
    const model = buildModel(graph, false);
    expect(model.edges).toEqual([
      ["B", "C"],
      ["A", "B"],
      ["Z", "B"],
    ]);
    expect(model.nodes.filter((n) => n.status === "TRUNCATED").map((n) => n.id)).toEqual(["A", "Z"]);
  });

  test("layers left to right by longest path, every node placed", () => {
    const nodes = ["A", "B", "C", "D"].map((id) => ({ id, width: 50, height: 20 }));
    const r = quickLayout({
      nodes,
      edges: [
        ["A", "B"],
        ["B", "C"],
        ["A", "C"],
        ["D", "C"],
      ],
    });
    const x = (id: string): number => r.positions[id]?.x ?? NaN;
    expect(x("A")).toBeLessThan(x("B"));
    expect(x("B")).toBeLessThan(x("C"));
    expect(x("D")).toBe(x("A"));
    expect(r.edgePoints.every((p) => p.length === 2)).toBe(true);
  });
});
