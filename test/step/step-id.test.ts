import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { pyJsonDumps } from "../../src/step/pyjson.js";
import { seededRandom } from "../helpers/random.js";
import { stepId } from "../../src/step/step-id.js";

interface PythonReference {
  stepIds: { family: string; params: Record<string, string>; id: string }[];
}
const reference = JSON.parse(
  readFileSync(new URL("./fixtures/python-reference.json", import.meta.url), "utf8"),
) as PythonReference;

describe("stepId", () => {
  it.each<[string, Record<string, string>, string]>([
    // SPEC Appendix A.1
    ["my_namespace.MyTask", { my_param: "hello" }, "my_namespace.MyTask_hello_890907e7ce"],
    ["Hello", {}, "Hello__99914b932b"],
    ["MyStep", { x: "123", y: "456" }, "MyStep_123_456_a0963984a7"],
    ["Report", { date: "2024-01-15", region: "eu" }, "Report_2024_01_15_eu_7351f387be"],
    ["Extract", { date: "2024-01-14", region: "eu" }, "Extract_2024_01_14_eu_5ca213e53c"],
    [
      "Report",
      {
        a_very_long_parameter: "abcdefghijklmnopqrstuvwxyz",
        date: "2024-01-15",
        region: "eu-west/1",
        z: "9",
      },
      "Report_abcdefghijklmnop_2024_01_15_eu_west_1_825e327318",
    ],
    // Real ids from Luigi 3.8.1 traffic (/work/shared/wire)
    ["Root", { w: "3", f: "0.5" }, "Root_0_5_3_2f1728cf7e"],
    ["Leaf", { n: "0", tag: "x" }, "Leaf_0_x_a823935aee"],
    ["Leaf", { n: "1", tag: "x" }, "Leaf_1_x_49f93efad8"],
    ["Leaf", { n: "2", tag: "x" }, "Leaf_2_x_fcef477ebc"],
    ["Leaf", { n: "99", tag: "dyn" }, "Leaf_99_dyn_935bed6a9e"],
    ["Bad", { d: "2026-11-20" }, "Bad_2026_11_20_bbd3cc47ce"],
    ["Dyn", {}, "Dyn__99914b932b"],
  ])("%s %j -> %s", (family, params, id) => {
    expect(stepId(family, params)).toBe(id);
  });

  // Computed by CPython: non-ASCII, emoji (surrogate pairs in the hash, one code point in the summary),
  // DEL and control characters, long values (16 code points kept), code-point key order, >3 params.
  it.each(reference.stepIds.map((c) => [c.family, c]))("matches Python for %s", (_family, c) => {
    expect(stepId(c.family, c.params)).toBe(c.id);
  });

  it("cuts long values at 16 code points, not UTF-16 units", () => {
    const id = stepId("E", { a: "😀".repeat(20) });
    expect(id.startsWith(`E_${"_".repeat(16)}_`)).toBe(true);
  });

  it("does not depend on the order the params are given in", () => {
    expect(stepId("F", { b: "2", a: "1" })).toBe(stepId("F", { a: "1", b: "2" }));
  });

  it("does not sanitise the family", () => {
    expect(stepId("ns.My-Step", {})).toBe("ns.My-Step__99914b932b");
  });

  it("hashes exactly pyJsonDumps' sorted compact text of the parameters (its own encoder of them)", () => {
    // Keys and values with what JSON escapes: quotes, backslashes, control and non-ASCII characters,
    // surrogate pairs, and keys that sort differently by code point than by UTF-16 unit.
    const pieces = ['"', "\\", "\n", "\u0001", "é", "😀", "\uffff", "a", "Z", "_", " ", "\u007f", "</"];
    const random = seededRandom(7);
    const next = (): number => Math.floor(random() * 2 ** 31);
    const text = (): string =>
      Array.from({ length: next() % 5 }, () => pieces[next() % pieces.length] ?? "").join("");
    for (let round = 0; round < 300; round++) {
      const params: Record<string, string> = {};
      for (let k = next() % 4; k > 0; k--) params[text() || `k${k}`] = text();
      const canonical = pyJsonDumps(params, { sortKeys: true, compact: true });
      const hash = createHash("md5").update(canonical).digest("hex").slice(0, 10);
      expect(stepId("P", params).endsWith(`_${hash}`)).toBe(true);
    }
  });
});
