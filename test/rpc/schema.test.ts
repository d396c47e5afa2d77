import { describe, expect, it } from "vitest";
import { RPC_METHODS } from "../../src/rpc/methods.js";
import { explainArgs, validateArgs, type ArgSchema, type JsonType } from "../../src/rpc/schema.js";
import { seededRandom } from "../helpers/random.js";

const ODD_VALUES: unknown[] = [null, true, 0, -1, 1.5, Infinity, "", "x", [], ["a", 1], {}, { k: "v" }];

/** A value for `schema`: usually a conforming one, sometimes a near miss, sometimes anything. */
function sample(schema: ArgSchema, random: () => number, depth = 0): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  if (random() < 0.08 || depth > 4) return pick(ODD_VALUES);
  if (schema.enum) return random() < 0.9 ? pick(schema.enum) : "NOT_A_CHOICE";
  if (schema.anyOf) return sample(pick(schema.anyOf), random, depth + 1);
  const types: readonly JsonType[] =
    schema.type === undefined ? ["string"] : typeof schema.type === "string" ? [schema.type] : schema.type;
  switch (pick(types)) {
    case "null":
      return null;
    case "boolean":
      return random() < 0.5;
    case "string":
      return random() < 0.1 ? "" : `s${Math.floor(random() * 100)}`;
    case "integer":
    case "number": {
      const lo = schema.minimum ?? -5;
      const hi = schema.maximum ?? 500;
      const n = lo + Math.floor(random() * (hi - lo + 3)) - 1;
      return random() < 0.1 ? n + 0.5 : n;
    }
    case "array": {
      const length = Math.floor(random() * 4) + (random() < 0.05 ? (schema.maxItems ?? 0) : 0);
      return Array.from({ length }, () => (schema.items ? sample(schema.items, random, depth + 1) : "x"));
    }
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        const required = schema.required?.includes(name) ?? false;
        if (random() < (required ? 0.97 : 0.6)) out[name] = sample(prop, random, depth + 1);
      }
      if (random() < 0.1) out[`extra_${Math.floor(random() * 3)}`] = pick(ODD_VALUES);
      return out;
    }
  }
}

describe("RPC argument validation", () => {
  it("the compiled check agrees with the schema walk on every method, for valid and invalid arguments", () => {
    const random = seededRandom(20261125);
    let valid = 0;
    let invalid = 0;
    for (const method of RPC_METHODS.values()) {
      for (let k = 0; k < 400; k++) {
        const args = sample(method.args, random);
        const expected = explainArgs(method.args, args);
        expect(validateArgs(method.args, args), `${method.name} ${JSON.stringify(args)}`).toEqual(expected);
        if (expected === null) valid++;
        else invalid++;
      }
    }
    // Both outcomes must really have been exercised.
    expect(valid).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(1000);
  });

  it("names the first bad member of a batch's step", () => {
    const addTasks = RPC_METHODS.get("add_tasks");
    if (!addTasks) throw new Error("add_tasks is not in the method table");
    const problem = validateArgs(addTasks.args, {
      worker: "w",
      tasks: [
        { task_id: "A_1", status: "PENDING" },
        { task_id: "B_1", priority: "high" },
      ],
    });
    expect(problem?.field).toBe("tasks");
    expect(problem?.message).toMatch(/^tasks must be an array of /);
  });
});
