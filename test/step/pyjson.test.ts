import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  PyFloat,
  compareCodePoints,
  freezeJson,
  isPyFloatAt,
  pyFloatRepr,
  pyJsonDumps,
  pyJsonLoads,
  pyJsonString,
  pyKeys,
} from "../../src/step/pyjson.js";

/** Reference values computed by CPython (see fixtures/make-python-reference.py). */
interface PythonReference {
  floatRepr: [number, string][];
  jsonDumps: { json: string; dumps: string; compactSorted: string }[];
}
const reference = JSON.parse(
  readFileSync(new URL("./fixtures/python-reference.json", import.meta.url), "utf8"),
) as PythonReference;

describe("pyFloatRepr", () => {
  it.each([
    [1, "1.0"],
    [-0, "-0.0"],
    [0, "0.0"],
    [0.5, "0.5"],
    [1e-5, "1e-05"],
    [1e-4, "0.0001"],
    [1e16, "1e+16"],
    [1e15, "1000000000000000.0"],
    [123456789012345680, "1.2345678901234568e+17"],
    [5e-324, "5e-324"],
    [1e100, "1e+100"],
    [-1.5e-7, "-1.5e-07"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
  ])("repr(%s) is %s", (n, text) => {
    expect(pyFloatRepr(n)).toBe(text);
  });

  it(`matches CPython on ${reference.floatRepr.length} reference doubles`, () => {
    const mismatches = reference.floatRepr.filter(([n, text]) => pyFloatRepr(n) !== text);
    expect(mismatches).toEqual([]);
  });

  it("round-trips: the text parses back to the same double", () => {
    for (const [n] of reference.floatRepr) expect(Number(pyFloatRepr(n))).toBe(n);
  });
});

describe("pyJsonString (ensure_ascii)", () => {
  it("escapes like Python", () => {
    expect(pyJsonString("a/b")).toBe('"a/b"');
    expect(pyJsonString('"\\')).toBe('"\\"\\\\"');
    expect(pyJsonString("\n\r\t\b\f")).toBe('"\\n\\r\\t\\b\\f"');
    expect(pyJsonString("\x00\x01\x1f")).toBe('"\\u0000\\u0001\\u001f"');
    expect(pyJsonString("\x7f")).toBe('"\\u007f"');
    expect(pyJsonString("é")).toBe('"\\u00e9"');
    expect(pyJsonString("\uABCD")).toBe('"\\uabcd"');
    expect(pyJsonString("😀")).toBe('"\\ud83d\\ude00"');
    expect(pyJsonString(" ~")).toBe('" ~"');
  });
});

describe("compareCodePoints", () => {
  it("orders astral characters after the whole BMP, as Python sorts str", () => {
    const keys = ["😀", "\uff61", "a", "B", "", "ab"];
    expect([...keys].sort(compareCodePoints)).toEqual(["", "B", "a", "ab", "\uff61", "😀"]);
    // Plain JS sorting (UTF-16 units) would put the emoji first.
    expect([...keys].sort()).not.toEqual([...keys].sort(compareCodePoints));
  });
});

describe("pyJsonDumps", () => {
  it("uses Python's default separators, or compact ones", () => {
    const value = { a: [1, 2], b: { c: null } };
    expect(pyJsonDumps(value)).toBe('{"a": [1, 2], "b": {"c": null}}');
    expect(pyJsonDumps(value, { compact: true })).toBe('{"a":[1,2],"b":{"c":null}}');
  });

  it("keeps insertion order unless sortKeys", () => {
    expect(pyJsonDumps({ b: 1, a: 2 })).toBe('{"b": 1, "a": 2}');
    expect(pyJsonDumps({ b: 1, a: 2 }, { sortKeys: true })).toBe('{"a": 2, "b": 1}');
    expect(pyJsonDumps({ "😀": 1, "\uff61": 2 }, { sortKeys: true, compact: true })).toBe(
      '{"\\uff61":2,"\\ud83d\\ude00":1}',
    );
  });

  it("writes JS numbers as ints when integral, floats otherwise, and PyFloat always as floats", () => {
    expect(pyJsonDumps([1, 1.5, -0, 1e21, 2 ** 53 + 2, new PyFloat(1), new PyFloat(1e16)])).toBe(
      "[1, 1.5, -0.0, 1000000000000000000000, 9007199254740994, 1.0, 1e+16]",
    );
    expect(pyJsonDumps([NaN, Infinity, -Infinity])).toBe("[NaN, Infinity, -Infinity]");
    expect(pyJsonDumps(12345678901234567890n)).toBe("12345678901234567890");
    expect(pyJsonDumps([true, false, null, "x"])).toBe('[true, false, null, "x"]');
    expect(pyJsonDumps([[], {}])).toBe("[[], {}]");
  });

  it("refuses what Python's json cannot write", () => {
    expect(() => pyJsonDumps(undefined)).toThrow(/not JSON serializable/);
    expect(() => pyJsonDumps({ d: new Date(0) })).toThrow(/Date is not JSON serializable/);
    expect(() => pyJsonDumps(new Map())).toThrow(/Map is not JSON serializable/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => pyJsonDumps(cyclic)).toThrow(/Circular reference/);
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    expect(pyJsonDumps([shared, shared])).toBe('[{"x": 1}, {"x": 1}]');
  });
});

describe("pyJsonLoads", () => {
  it.each(reference.jsonDumps.map((c) => [c.json, c]))("load + dump of %s matches Python", (_text, c) => {
    const value = pyJsonLoads(c.json);
    expect(pyJsonDumps(value)).toBe(c.dumps);
    expect(pyJsonDumps(value, { compact: true, sortKeys: true })).toBe(c.compactSorted);
  });

  it("keeps 1.0 a float and 1 an int, through nested containers", () => {
    const value = pyJsonLoads('{"a": 1.0, "b": 1, "c": [2.0, 2, {"d": 3e0}]}');
    expect(value).toEqual({ a: 1, b: 1, c: [2, 2, { d: 3 }] });
    expect(pyJsonDumps(value)).toBe('{"a": 1.0, "b": 1, "c": [2.0, 2, {"d": 3.0}]}');
    expect(isPyFloatAt(value as object, "a")).toBe(true);
    expect(isPyFloatAt(value as object, "b")).toBe(false);
  });

  it("keeps Python's key order for integer-like keys, which JS objects would reorder", () => {
    const value = pyJsonLoads('{"b": 1, "10": 2, "2": 3}') as object;
    expect(Object.keys(value)).toEqual(["2", "10", "b"]);
    expect(pyKeys(value)).toEqual(["b", "10", "2"]);
    expect(pyJsonDumps(value)).toBe('{"b": 1, "10": 2, "2": 3}');
  });

  it("holds big integers exactly as bigint", () => {
    expect(pyJsonLoads("[12345678901234567890, -9007199254740993, 9007199254740991]")).toEqual([
      12345678901234567890n,
      -9007199254740993n,
      9007199254740991,
    ]);
  });

  it("returns deeply frozen values", () => {
    const value = pyJsonLoads('{"a": [1, {"b": 2}]}') as { a: [number, { b: number }] };
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[1])).toBe(true);
  });

  it("treats __proto__ as an ordinary key", () => {
    const value = pyJsonLoads('{"__proto__": {"x": 1}}') as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(pyJsonDumps(value)).toBe('{"__proto__": {"x": 1}}');
  });

  it("decodes escapes, including surrogate pairs", () => {
    expect(pyJsonLoads('"\\u00e9\\ud83d\\ude00\\/\\"\\\\"')).toBe('é😀/"\\');
    expect(pyJsonLoads(' \t\n"x"\r ')).toBe("x");
  });

  it.each([
    ["", /Expecting value/],
    ["[1,]", /Expecting value/],
    ["[1 2]", /Expecting ','/],
    ['{"a" 1}', /Expecting ':'/],
    ["{a: 1}", /property name/],
    ["01", /Extra data/],
    ["1.", /Extra data/],
    ['"abc', /Unterminated/],
    ['"a\nb"', /control character/],
    ['"\\x"', /escape/],
    ['"\\u12"', /escape/],
    ["[1] x", /Extra data/],
    ["nul", /Expecting value/],
  ])("rejects %j", (text, message) => {
    expect(() => pyJsonLoads(text)).toThrow(message);
  });
});

describe("freezeJson", () => {
  it("copies and deeply freezes, leaving the caller's object alone", () => {
    const input = { a: [1, { b: 2 }] };
    const frozen = freezeJson(input) as typeof input;
    expect(frozen).toEqual(input);
    expect(frozen).not.toBe(input);
    expect(Object.isFrozen(frozen) && Object.isFrozen(frozen.a) && Object.isFrozen(frozen.a[1])).toBe(true);
    expect(Object.isFrozen(input)).toBe(false);
  });

  it("turns PyFloat into a plain number that still dumps as a float", () => {
    const frozen = freezeJson({ x: new PyFloat(2), y: [new PyFloat(3)] }) as { x: number; y: number[] };
    expect(frozen.x).toBe(2);
    expect(pyJsonDumps(frozen)).toBe('{"x": 2.0, "y": [3.0]}');
  });

  it("returns already frozen values unchanged, keeping their float marks", () => {
    const loaded = pyJsonLoads("[1.0]");
    expect(freezeJson(loaded)).toBe(loaded);
    const nested = freezeJson({ inner: loaded });
    expect(pyJsonDumps(nested)).toBe('{"inner": [1.0]}');
  });

  it("refuses non-JSON values", () => {
    expect(() => freezeJson({ a: undefined })).toThrow(/undefined/);
    expect(() => freezeJson([() => 1])).toThrow(/function/);
    expect(() => freezeJson(new Set())).toThrow(/Set/);
    const sparse: unknown[] = [];
    sparse[1] = 1;
    expect(() => freezeJson(sparse)).toThrow(/undefined/);
  });
});
