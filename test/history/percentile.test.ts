// The percentiles of /tasklist: linear interpolation between the closest ranks (percentile_cont).
import { describe, expect, test } from "vitest";
import { percentile, percentileOfSorted } from "../../src/history/percentile.js";
import { durationFigures } from "../../src/history/trend-queries.js";

describe("percentile", () => {
  test("interpolates between the closest ranks, as PostgreSQL's percentile_cont", () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(ten, 50)).toBe(5.5);
    expect(percentile(ten, 95)).toBeCloseTo(9.55, 10);
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile(ten, 100)).toBe(10);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 95)).toBeCloseTo(95.05, 10);
    expect(percentile(hundred, 50)).toBe(50.5);
  });

  test("one value is every percentile; none has none; the input is not reordered", () => {
    expect(percentile([42], 50)).toBe(42);
    expect(percentile([42], 95)).toBe(42);
    expect(percentile([], 50)).toBeNull();
    const values = [3, 1, 2];
    expect(percentile(values, 50)).toBe(2);
    expect(values).toEqual([3, 1, 2]);
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2.5);
  });

  test("refuses a percentile outside 0..100", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  test("duration figures count failures and take percentiles of the successful runs only", () => {
    const figures = durationFigures([
      { status: "DONE", durationMs: 10 },
      { status: "DONE", durationMs: 30 },
      { status: "FAILED", durationMs: 1 },
      { status: "DISABLED", durationMs: 2 },
      { status: "RUNNING", durationMs: null },
    ]);
    expect(figures).toEqual({ runs: 5, done: 2, failed: 2, p50Ms: 20, p95Ms: 29, maxMs: 30 });
  });
});
