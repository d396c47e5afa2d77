/** The pure parts: wire JSON both ways and the argument schemas' messages. */
import { describe, expect, test } from "vitest";
import {
  decodeArgs,
  encodeResponse,
  encodeWireJson,
  parseWireJson,
  RPC_METHODS,
  validateArgs,
} from "../../src/rpc/index.js";

describe("wire JSON", () => {
  test("parses Python's non-finite tokens into plain, mutable values", () => {
    const value = parseWireJson('{"a": Infinity, "b": [-Infinity, NaN], "big": 12345678901234567890}') as {
      a: number;
      b: number[];
      big: number;
    };
    expect(value.a).toBe(Number.POSITIVE_INFINITY);
    expect(value.b[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(value.b[1])).toBe(true);
    expect(typeof value.big).toBe("number");
    expect(Object.isFrozen(value)).toBe(false);
  });

  test("a __proto__ key stays a plain key on both paths", () => {
    for (const text of ['{"__proto__": {"x": 1}}', '{"__proto__": {"x": 1}, "n": NaN}']) {
      const value = parseWireJson(text) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toContain("__proto__");
    }
  });

  test("invalid JSON throws the parser's error", () => {
    expect(() => parseWireJson("{broken")).toThrow();
    expect(() => parseWireJson("{Infinity")).toThrow();
  });

  test("encodes like JSON.stringify, with Python's tokens for non-finite numbers", () => {
    const value = { a: 1, skip: undefined, list: [undefined, Number.NaN], when: new Date(0), inf: -Infinity };
    expect(encodeWireJson(value)).toBe(
      '{"a":1,"list":[null,NaN],"when":"1970-01-01T00:00:00.000Z","inf":-Infinity}',
    );
    expect(encodeWireJson({ a: [1, "x"] })).toBe(JSON.stringify({ a: [1, "x"] }));
    expect(parseWireJson(encodeWireJson({ m: Infinity }))).toEqual({ m: Infinity });
  });

  test("finds non-finite numbers at any depth, also behind toJSON, and refuses cycles as JSON.stringify does", () => {
    const deep: Record<string, unknown> = { leaf: [1, { x: Infinity }] };
    let nested: Record<string, unknown> = deep;
    for (let k = 0; k < 100; k++) nested = { next: nested };
    expect(encodeWireJson(nested)).toBe(
      `${'{"next":'.repeat(100)}{"leaf":[1,{"x":Infinity}]}${"}".repeat(100)}`,
    );
    expect(encodeWireJson({ a: { toJSON: () => ({ n: Number.NaN }) } })).toBe('{"a":{"n":NaN}}');
    expect(encodeWireJson([{ tasks: [{ resources: { slots: -Infinity } }] }])).toBe(
      '[{"tasks":[{"resources":{"slots":-Infinity}}]}]',
    );
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => encodeWireJson(cyclic)).toThrow(TypeError);
  });

  test("responses escape </ and keep standard JSON", () => {
    expect(encodeResponse({ s: "</script>", n: Infinity })).toBe('{"response":{"s":"<\\/script>","n":null}}');
    expect(encodeResponse(undefined)).toBe('{"response":null}');
  });
});

describe("decodeArgs", () => {
  test("the last data field wins, query before form body (Tornado)", () => {
    const args = decodeArgs({
      httpMethod: "POST",
      url: "/api/ping?data=%7B%22worker%22%3A%22q%22%7D",
      contentType: "application/x-www-form-urlencoded",
      body: Buffer.from("data=%7B%22worker%22%3A%22b%22%7D"),
    });
    expect(args).toEqual({ worker: "b" });
  });
});

describe("argument schemas", () => {
  test("every method's schema accepts what Luigi's client sends by default", () => {
    const addTask = RPC_METHODS.get("add_task")?.args;
    expect(addTask).toBeDefined();
    const luigiDefaults = {
      task_id: "T",
      status: "PENDING",
      runnable: true,
      deps: null,
      new_deps: null,
      expl: null,
      resources: null,
      priority: 0,
      family: "",
      module: null,
      params: null,
      param_visibilities: null,
      accepts_messages: false,
      assistant: false,
      tracking_url: null,
      worker: "W",
      batchable: null,
      batch_id: null,
      retry_policy_dict: null,
      owners: null,
    };
    expect(validateArgs(addTask!, luigiDefaults)).toBeNull();
    expect(validateArgs(addTask!, { ...luigiDefaults, params: { d: ["1", "2"] } })).toBeNull();
    expect(validateArgs(addTask!, { ...luigiDefaults, params: { d: 1 } })?.field).toBe("params.d");
  });
});
