/** The visualiser's pure parts, without a browser: URL state, text formatting, the provisional layout. */
import { describe, expect, test } from "vitest";
import { kebab } from "../../src/cli/flags.js";
import type {
  FamilyParamSpec,
  RunnableFamily,
  StepGraph,
  StepGraphNode,
  TriggerInfo,
} from "../../src/scheduler/api.js";
import { schedulerUrlOf } from "../../web/src/api/client.js";
import { buildModel, nodeLines, nodeSize, paramLine } from "../../web/src/graph/model.js";
import { quickLayout } from "../../web/src/graph/quick-layout.js";
import {
  clip,
  decodeError,
  flagName,
  formatCount,
  paramText,
  rerunCommand,
  shellQuote,
} from "../../web/src/state/format.js";
import {
  fieldOf,
  initialValues,
  missingValues,
  paramsToSend,
  triggerText,
} from "../../web/src/state/runs.js";
import { DEFAULT_VIEW, formatHash, parseHash } from "../../web/src/state/url.js";
import { CATEGORIES, GRAPH_STATUSES, STATUS_COLOURS, statusLabel } from "../../web/src/status.js";

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
  test("counts and double-encoded errors", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(decodeError('"Traceback\\nline"')).toBe("Traceback\nline");
    expect(decodeError("plain")).toBe("plain");
  });

  test("shell quoting leaves plain words alone and quotes everything else", () => {
    expect(shellQuote("2026-11-20")).toBe("2026-11-20");
    expect(shellQuote("http://127.0.0.1:8082")).toBe("http://127.0.0.1:8082");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote("")).toBe("''");
    for (const risky of ["a b", "$HOME", "`id`", "a;b", "x|y", "*", "~/x", "a\nb", '"q"', "(x)", "!x"]) {
      expect(shellQuote(risky)).toBe(`'${risky}'`);
    }
  });

  test("parameter flags are named as the luigi command line names them", () => {
    for (const name of ["day", "the_region", "theRegion", "maxRows2", "HTTPPort", "a_b_c", "x"]) {
      expect(flagName(name)).toBe(kebab(name));
    }
  });

  test("the command to re-run is one a user can paste: npx, --param=value, the scheduler URL", () => {
    const line = rerunCommand({
      module: "pipelines/etl.ts",
      family: "etl.Load",
      params: {
        day: "2026-11-20",
        theRegion: "eu west",
        flag: "True",
        label: "-x",
        note: "it's",
        tags: ["a", "b"],
      },
      schedulerUrl: "http://127.0.0.1:8082",
    });
    expect(line).toBe(
      "npx luigi --module pipelines/etl.ts etl.Load --day=2026-11-20 --the-region='eu west' --flag=True " +
        `--label=-x --note='it'"'"'s' --tags=a,b --scheduler-url http://127.0.0.1:8082`,
    );
    expect(rerunCommand({ module: null, family: "X", params: {}, schedulerUrl: "http://h:1/p" })).toBe(
      "npx luigi X --scheduler-url http://h:1/p",
    );
  });

  test("the scheduler URL is the root of the luigid that served the page", () => {
    expect(schedulerUrlOf("http://127.0.0.1:8082/static/visualiser/index.html#tab=steps&detail=X")).toBe(
      "http://127.0.0.1:8082",
    );
    // Behind a reverse proxy that mounts luigid under a prefix; credentials are never copied.
    expect(schedulerUrlOf("https://user:pw@example.org/luigi/static/visualiser/index.html?x=1")).toBe(
      "https://example.org/luigi",
    );
  });

  test("parameter text: as the list shows it, values cut on request", () => {
    expect(paramText({ day: "2026-11-20", source: "api" })).toBe("day=2026-11-20, source=api");
    expect(paramText({ a: ["x", "y"], b: "0123456789" }, 5)).toBe("a=x,y, b=0123…");
    expect(paramText(undefined)).toBe("");
  });
});

describe("statuses", () => {
  test("one palette and label for every status the list or the graph shows", () => {
    expect(GRAPH_STATUSES.slice(0, CATEGORIES.length)).toEqual(CATEGORIES);
    expect(GRAPH_STATUSES).toEqual(
      expect.arrayContaining(["UPSTREAM_FAILED", "UPSTREAM_DISABLED", "UNKNOWN"]),
    );
    for (const s of GRAPH_STATUSES) {
      expect(STATUS_COLOURS[s]).toMatch(/^#[0-9A-F]{6}$/);
      expect(statusLabel(s)).not.toBe(s);
    }
    expect(new Set(GRAPH_STATUSES.map((s) => STATUS_COLOURS[s])).size).toBe(GRAPH_STATUSES.length);
    expect(statusLabel("UPSTREAM_FAILED")).toBe("Upstream failed");
  });
});

describe("graph model and provisional layout", () => {
  const node = (name: string, deps: string[], category = "PENDING", params = {}): StepGraphNode =>
    ({
      name,
      deps,
      status: category,
      category,
      params,
      display_name: `${name}()`,
    }) as unknown as StepGraphNode;

  test("a node shows its family and its parameters, cut to fit; the full name is its tooltip", () => {
    const graph: StepGraph = {
      root: "L",
      nodes: {
        L: node("Load", ["E1", "E2"], "UPSTREAM_FAILED", { day: "2026-11-20" }),
        E1: {
          ...node("Extract", [], "FAILED", { day: "2026-11-20", source: "api" }),
          display_name: "Extract(a)",
        },
        E2: node("Extract", [], "DONE", { day: "2026-11-20", source: "ftp" }),
      },
      left_out: 0,
      max_nodes: 10,
    };
    const model = buildModel(graph, false);
    const byId = new Map(model.nodes.map((n) => [n.id, n]));
    expect(byId.get("E1")).toMatchObject({
      label: "Extract",
      detail: "day=2026-11-20, source=api",
      status: "FAILED",
    });
    expect(byId.get("E2")?.detail).toBe("day=2026-11-20, source=ftp");
    expect(byId.get("E1")?.title).toBe("Extract(a)\nFailed");
    // The colour comes from the list's category, not the raw status.
    expect(byId.get("L")).toMatchObject({ status: "UPSTREAM_FAILED", title: "Load()\nUpstream failed" });
    // Two lines make a taller node; a node without parameters keeps one line.
    expect(byId.get("E1")?.height).toBeGreaterThan(nodeSize("Extract", "").height);

    const long = paramLine({ path: "/data/very/long/path/to/the/input/file.csv", day: "2026-11-20" });
    expect(long).toBe("path=/data/very/long/pat…, day=2026-11-20");
    const lines = nodeLines("A".repeat(100), "b".repeat(100));
    expect(lines.label.endsWith("…")).toBe(true);
    expect(lines.detail.endsWith("…")).toBe(true);
    expect(nodeSize(lines.label, lines.detail).width).toBeLessThanOrEqual(280);
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("abcd", 3)).toBe("ab…");
  });

  test("a dependency nobody registered, and a cut id, show their id as the second line", () => {
    const graph: StepGraph = {
      root: "C",
      nodes: {
        C: node("C", ["X_1_abc", "Cut_2_def"]),
        X_1_abc: node("X", [], "UNKNOWN", { task_id: "X_1_abc" }),
      },
      left_out: 1,
      max_nodes: 2,
    };
    const byId = new Map(buildModel(graph, false).nodes.map((n) => [n.id, n]));
    expect(byId.get("X_1_abc")).toMatchObject({ label: "X", detail: "X_1_abc", status: "UNKNOWN" });
    expect(byId.get("Cut_2_def")).toMatchObject({ label: "Cut", detail: "Cut_2_def", status: "TRUNCATED" });
  });

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

describe("the Runs tab's form and texts", () => {
  const spec = (name: string, kind: string, extra: Partial<FamilyParamSpec> = {}): FamilyParamSpec => ({
    name,
    kind,
    expected: "",
    default: null,
    has_default: false,
    description: null,
    choices: null,
    optional: false,
    significant: true,
    ...extra,
  });
  const family: RunnableFamily = {
    name: "Report",
    module: null,
    assistants: 1,
    params: [
      spec("day", "date"),
      spec("region", "choice", { choices: ["eu", "us"], default: "eu", has_default: true }),
      spec("copies", "int", { default: "1", has_default: true }),
      spec("draft", "bool", { default: "False", has_default: true }),
      spec("note", "str", { default: "", has_default: true, optional: true }),
    ],
  };

  test("an input per kind: pickers for dates and months, numbers, a checkbox, a list of choices, else text", () => {
    expect(family.params.map((p) => fieldOf(p).kind)).toEqual([
      "date",
      "select",
      "number",
      "checkbox",
      "text",
    ]);
    expect(fieldOf(spec("f", "float"))).toEqual({ kind: "number", step: "any" });
    expect(fieldOf(spec("y", "year"))).toEqual({ kind: "number", step: "1", min: 1, max: 9999 });
    expect(fieldOf(spec("m", "month")).kind).toBe("month");
    expect(fieldOf(spec("e", "enum", { choices: ["Red"] })).kind).toBe("select");
    expect(fieldOf(spec("h", "dateHour")).kind).toBe("text");
  });

  test("sends the parameters without a default and those changed, so the assistant's settings apply to the rest", () => {
    const values = initialValues(family);
    expect(values).toEqual({ day: "", region: "eu", copies: "1", draft: "False", note: "" });
    expect(missingValues(family, values)).toEqual(["day"]);
    expect(paramsToSend(family, { ...values, day: "2026-01-02" })).toEqual({ day: "2026-01-02" });
    expect(paramsToSend(family, { ...values, day: "2026-01-02", draft: "True", region: "us" })).toEqual({
      day: "2026-01-02",
      region: "us",
      draft: "True",
    });
  });

  test("says where a run is", () => {
    const t = (extra: Partial<TriggerInfo>): TriggerInfo => ({
      trigger_id: 1,
      family: "Report",
      params: {},
      requested_by: null,
      requested_at: 0,
      status: "queued",
      worker: null,
      taken_at: null,
      task_id: null,
      run_worker: null,
      finished_at: null,
      result: null,
      exit_code: null,
      message: null,
      root_status: null,
      assistants: 0,
      ...extra,
    });
    expect(triggerText(t({}))).toBe("waiting for an assistant that can load Report");
    expect(triggerText(t({ assistants: 2 }))).toBe("waiting: 2 assistants can run it");
    expect(triggerText(t({ status: "done", exit_code: 0 }))).toBe("done (exit code 0)");
    expect(triggerText(t({ status: "failed", result: "SCHEDULING_FAILED", exit_code: 35 }))).toBe(
      "scheduling failed (exit code 35)",
    );
    expect(triggerText(t({ status: "refused", message: "Report: missing parameter 'day'" }))).toBe(
      "Report: missing parameter 'day'",
    );
  });

  test("the open form is part of the URL", () => {
    const view = { ...DEFAULT_VIEW, tab: "runs" as const, run: "etl.Report" };
    expect(formatHash(view)).toBe("#tab=runs&run=etl.Report");
    expect(parseHash(formatHash(view))).toEqual(view);
  });
});
