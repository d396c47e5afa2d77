// The Timeline's pure parts: bars from either source, the critical path, rows and extent, short spans.
import { describe, expect, test } from "vitest";
import { formatSpan } from "../../web/src/state/format.js";
import { barText } from "../../web/src/timeline/gantt-option.js";
import {
  criticalPath,
  extentOf,
  fromHistory,
  fromLive,
  rowsOf,
  type Bar,
} from "../../web/src/timeline/model.js";

function bar(id: string, start: number, end: number, deps: string[] = []): Bar {
  return {
    id,
    family: id.split("_")[0] ?? id,
    status: "DONE",
    start,
    end,
    running: false,
    worker: "W",
    host: null,
    deps,
    run: null,
    error: null,
  };
}

describe("critical path", () => {
  test("ends at the bar that finished last; each link is the dependency that finished last", () => {
    const bars = [
      bar("A", 0, 10),
      bar("Slow", 10, 50, ["A"]),
      bar("Fast", 10, 20, ["A"]),
      bar("Mid", 50, 60, ["Slow", "Fast"]),
      bar("Top", 60, 70, ["Mid"]),
      bar("Other", 0, 65),
    ];
    expect(criticalPath(bars)).toEqual(["A", "Slow", "Mid", "Top"]);
  });

  test("a running bar finishes now; no bars, no path; a cycle ends the walk", () => {
    const running = { ...bar("R", 5, 100), running: true };
    expect(criticalPath([bar("A", 0, 10), running])).toEqual(["R"]);
    expect(criticalPath([])).toEqual([]);
    expect(criticalPath([bar("X", 0, 10, ["Y"]), bar("Y", 0, 20, ["X"])])).toEqual(["X", "Y"]);
  });

  test("a dependency that is not a bar is skipped", () => {
    expect(criticalPath([bar("B", 10, 20, ["Gone"]), bar("A", 0, 5)])).toEqual(["B"]);
  });
});

describe("sources", () => {
  test("the scheduler's bars: seconds to milliseconds, a running bar drawn to now", () => {
    const data = fromLive({
      bars: [
        { id: "A", family: "A", status: "DONE", start: 100, end: 103.5, worker: "W", deps: [] },
        { id: "B", family: "B", status: "RUNNING", start: 101, end: null, worker: "W", deps: ["A"] },
      ],
      total: 2,
      limit: 10,
      now: 110,
      workers: [{ worker: "W", runs: 2 }],
    });
    expect(data.bars.map((b) => [b.id, b.start, b.end, b.running])).toEqual([
      ["A", 100_000, 103_500, false],
      ["B", 101_000, 110_000, true],
    ]);
    expect(data.hasDeps).toBe(true);
  });

  test("the history's bars: a worker filter, the workers counted over the whole answer", () => {
    const data = fromHistory(
      {
        bars: [
          {
            run: 1,
            id: "A",
            family: "A",
            status: "FAILED",
            startMs: 5,
            endMs: 9,
            host: "h",
            worker: "W1",
            error: "boom",
          },
          {
            run: 2,
            id: "B",
            family: "B",
            status: "RUNNING",
            startMs: 6,
            endMs: null,
            host: "h",
            worker: "W2",
            error: null,
          },
        ],
        cut: false,
        limit: 10,
      },
      20,
      "W2",
    );
    expect(data.bars).toHaveLength(1);
    expect(data.bars[0]).toMatchObject({ id: "B", run: 2, end: 20, running: true, deps: [] });
    expect(data.workers.map((w) => w.worker)).toEqual(["W1", "W2"]);
    expect(data.hasDeps).toBe(false);
  });

  test("rows by start, then id; the extent covers every bar and is never empty", () => {
    expect(rowsOf([bar("B", 5, 6), bar("A", 5, 7), bar("C", 1, 2)]).map((b) => b.id)).toEqual([
      "C",
      "A",
      "B",
    ]);
    expect(extentOf([bar("A", 1000, 5000), bar("B", 0, 3000)])).toEqual([0, 5000]);
    expect(extentOf([bar("A", 7, 7)])).toEqual([7, 1007]);
    expect(extentOf([])).toEqual([0, 1000]);
  });
});

describe("text", () => {
  test("short spans keep their precision", () => {
    expect(formatSpan(0.052)).toBe("52 ms");
    expect(formatSpan(4.25)).toBe("4.3 s");
    expect(formatSpan(75)).toBe("1 min 15 s");
    expect(formatSpan(-1)).toBe("-");
  });

  test("a bar's tooltip names the step, family, worker, times and duration", () => {
    const text = barText({ ...bar("Load_1", 0, 2500), error: "boom" });
    expect(text.split("\n")).toEqual([
      "Load_1",
      "Load · Done",
      "worker: W",
      expect.stringMatching(/^start: \d{4}-/),
      expect.stringMatching(/^end: \d{4}-/),
      "took: 2.5 s",
      "error: boom",
    ]);
  });
});
