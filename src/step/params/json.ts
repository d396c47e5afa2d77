/**
 * JSON kinds: list, tuple, dict (SPEC 1.2). Values are deeply frozen (Luigi freezes them so steps stay
 * hashable; here it also keeps the float marks of pyjson valid) and serialised with Python's `json.dumps`
 * default separators, so `{"a": [1, 2]}` appears in step ids exactly as a Python worker writes it.
 *
 * The element types are for the author's convenience only: the content is not checked against them
 * (Luigi's optional JSON-Schema validation is not implemented).
 */
import {
  freezeJson,
  isFrozenJson,
  pyJsonDumps,
  pyJsonLoads,
  pyKeys,
  registerFrozen,
  type JsonArray,
  type JsonObject,
  type JsonValue,
} from "../pyjson.js";
import { Param } from "./param.js";
import { parsePyLiteral } from "./pyliteral.js";

/**
 * Python's `list(x)` / `tuple(x)` on a JSON value: arrays as they are, strings by code point, objects by
 * key. Luigi calls these on parsed JSON, so `"ab"` as a list value means `["a", "b"]`.
 */
function pyIter(value: JsonValue): JsonArray {
  if (Array.isArray(value)) return value as JsonArray;
  if (typeof value === "string") return registerFrozen(Array.from(value), new Set());
  if (typeof value === "object" && value !== null) {
    return registerFrozen([...pyKeys(value)], new Set());
  }
  throw new TypeError(`a JSON ${value === null ? "null" : typeof value} is not a sequence`);
}

/** A code-given array or plain object, frozen; refuses anything else with the kind's own words. */
function freezeAs(value: unknown, want: "array" | "object"): JsonValue {
  const isArray = Array.isArray(value);
  const proto: unknown =
    typeof value === "object" && value !== null ? Object.getPrototypeOf(value) : undefined;
  const isObject = !isArray && (proto === Object.prototype || proto === null);
  if (want === "array" ? !isArray : !isObject)
    throw new Error(`not ${want === "array" ? "an array" : "an object"}`);
  return isFrozenJson(value) ? (value as JsonValue) : freezeJson(value);
}

export class ListParam<T extends JsonValue = JsonValue, D extends boolean = boolean> extends Param<
  readonly T[],
  D
> {
  readonly kind: string = "list";
  readonly expected: string = 'a JSON array, e.g. [1, "a"]';
  protected parseText(text: string): readonly T[] {
    return pyIter(pyJsonLoads(text)) as readonly T[];
  }
  serialize(value: readonly T[]): string {
    return pyJsonDumps(value);
  }
  protected normalizeValue(value: unknown): readonly T[] {
    return freezeAs(value, "array") as readonly T[];
  }
}

/**
 * Luigi's TupleParameter: a JSON array whose items are turned into tuples (`[[1, 2], [3, 4]]`), or, when
 * that fails, a Python literal (`((1,2),(3,4))`, `(1, 2)`, `[1, 2]`). Tuples are frozen arrays.
 */
export class TupleParam<T extends JsonValue = JsonValue, D extends boolean = boolean> extends ListParam<
  T,
  D
> {
  override readonly kind: string = "tuple";
  override readonly expected: string =
    "a JSON array of arrays, e.g. [[1, 2], [3, 4]], or a Python tuple like ((1, 2), (3, 4))";

  protected override parseText(text: string): readonly T[] {
    try {
      const items = pyIter(pyJsonLoads(text)).map(pyIter);
      return registerFrozen(items, new Set()) as readonly JsonValue[] as readonly T[];
    } catch {
      // Not JSON, or items that are not sequences: Luigi then tries literal_eval.
    }
    return pyIter(parsePyLiteral(text)) as readonly T[];
  }
}

export class DictParam<T extends JsonValue = JsonValue, D extends boolean = boolean> extends Param<
  Readonly<Record<string, T>>,
  D
> {
  readonly kind = "dict";
  readonly expected = 'a JSON object, e.g. {"a": 1}';
  protected parseText(text: string): Readonly<Record<string, T>> {
    const value = pyJsonLoads(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("not a JSON object");
    }
    return value as Readonly<Record<string, T>>;
  }
  serialize(value: Readonly<Record<string, T>>): string {
    return pyJsonDumps(value);
  }
  protected normalizeValue(value: unknown): Readonly<Record<string, T>> {
    return freezeAs(value, "object") as JsonObject as Readonly<Record<string, T>>;
  }
}
