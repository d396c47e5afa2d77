/**
 * The argument schemas of the RPC methods: a small subset of JSON Schema (draft 2020-12 keywords, so the
 * table can be published or handed to any validator as is) and the validator for exactly that subset.
 * Hand-written rather than ajv because the subset is tiny and the messages must name the argument the way
 * a Luigi user reads it ("get_work: current_tasks must be an array of strings"), which generic validators
 * do not phrase well.
 */

export type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";

export interface ArgSchema {
  type?: JsonType | readonly JsonType[];
  /** Schema of every element when the value is an array. */
  items?: ArgSchema;
  /** Alternatives (used for `add_worker`'s `info`: an object or a list of pairs). */
  anyOf?: readonly ArgSchema[];
  enum?: readonly (string | number | boolean | null)[];
  minLength?: number;
  /** Bounds of a number (inclusive). */
  minimum?: number;
  maximum?: number;
  /** Largest number of items of an array. */
  maxItems?: number;
  properties?: Readonly<Record<string, ArgSchema>>;
  required?: readonly string[];
  /** false: unknown keys are rejected; a schema: every unknown key's value must match it. */
  additionalProperties?: boolean | ArgSchema;
  /** Luigi's default for an omitted keyword argument; the dispatcher fills it in, as Python would. */
  default?: unknown;
  /** Replaces the generated "must be ..." text. */
  description?: string;
}

/** An arguments object: what every method's schema is at top level. */
export interface ObjectSchema extends ArgSchema {
  type: "object";
  properties: Readonly<Record<string, ArgSchema>>;
  required: readonly string[];
  additionalProperties: boolean | ArgSchema;
}

/** A failed check: `field` is the argument's path (`retry_policy_dict.retry_count`), `message` says why. */
export interface ArgProblem {
  field: string;
  message: string;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first problem of `value` against `schema`, or null. Arguments are checked in schema order. */
export function validateArgs(schema: ObjectSchema, value: unknown): ArgProblem | null {
  if (!isPlainObject(value)) return { field: "data", message: "data must be a JSON object" };
  // Valid arguments (nearly every call) are confirmed by the compiled check; only a failure walks the
  // schema again to name the argument and phrase the message.
  if (compiled(schema)(value)) return null;
  return explainArgs(schema, value);
}

/**
 * The same answer as validateArgs, found by walking the schema (what validateArgs does only to explain a
 * failure). Exported so that the tests can hold the compiled check to it.
 */
export function explainArgs(schema: ObjectSchema, value: unknown): ArgProblem | null {
  if (!isPlainObject(value)) return { field: "data", message: "data must be a JSON object" };
  return checkObject(schema, value, "");
}

type Valid = (value: unknown) => boolean;

const compiledSchemas = new WeakMap<ArgSchema, Valid>();

function compiled(schema: ArgSchema): Valid {
  let valid = compiledSchemas.get(schema);
  if (!valid) compiledSchemas.set(schema, (valid = compile(schema)));
  return valid;
}

/**
 * A predicate equal to `check(schema, value) === null`, with the schema's lists and nested schemas
 * resolved once: an add_tasks call checks the same nineteen members of hundreds of steps.
 */
function compile(schema: ArgSchema): Valid {
  const checks: Valid[] = [];
  const { anyOf, type, enum: choices, minLength, minimum, maximum, maxItems, items } = schema;
  if (anyOf) {
    const alternatives = anyOf.map(compile);
    checks.push((v) => alternatives.some((alt) => alt(v)));
  }
  if (type !== undefined) {
    const types: readonly JsonType[] = typeof type === "string" ? [type] : type;
    checks.push((v) => types.some((t) => isOfType(t, v)));
  }
  if (choices) checks.push((v) => choices.includes(v as string));
  if (minLength !== undefined) checks.push((v) => typeof v !== "string" || v.length >= minLength);
  if (minimum !== undefined) checks.push((v) => typeof v !== "number" || v >= minimum);
  if (maximum !== undefined) checks.push((v) => typeof v !== "number" || v <= maximum);
  if (maxItems !== undefined) checks.push((v) => !Array.isArray(v) || v.length <= maxItems);
  if (items) {
    const item = compile(items);
    checks.push((v) => !Array.isArray(v) || v.every(item));
  }
  if (schema.properties || schema.required || schema.additionalProperties) {
    const object = compileObject(schema);
    checks.push((v) => !isPlainObject(v) || object(v));
  }
  if (checks.length === 1) return checks[0] as Valid;
  return (v) => {
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

function compileObject(schema: ArgSchema): (value: Record<string, unknown>) => boolean {
  const props = schema.properties ?? {};
  const required = schema.required ?? [];
  const members = Object.entries(props).map(([name, prop]) => [name, compile(prop)] as const);
  const extra = schema.additionalProperties ?? true;
  const extraValid = typeof extra === "object" ? compile(extra) : undefined;
  return (value) => {
    for (const name of required) if (!Object.hasOwn(value, name)) return false;
    for (const [name, valid] of members) {
      if (Object.hasOwn(value, name) && !valid(value[name])) return false;
    }
    if (extra === true) return true;
    for (const name in value) {
      if (!Object.hasOwn(value, name) || Object.hasOwn(props, name)) continue;
      if (extraValid === undefined || !extraValid(value[name])) return false;
    }
    return true;
  };
}

function checkObject(schema: ArgSchema, value: Record<string, unknown>, prefix: string): ArgProblem | null {
  const props = schema.properties ?? {};
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(value, name)) {
      const field = prefix + name;
      return { field, message: `${field} is required` };
    }
  }
  for (const [name, propSchema] of Object.entries(props)) {
    if (!Object.hasOwn(value, name)) continue;
    const problem = check(propSchema, value[name], prefix + name);
    if (problem) return problem;
  }
  const extra = schema.additionalProperties ?? true;
  if (extra === true) return null;
  for (const name of Object.keys(value)) {
    if (Object.hasOwn(props, name)) continue;
    const field = prefix + name;
    if (extra === false) return { field, message: `unexpected argument ${field}` };
    const problem = check(extra, value[name], field);
    if (problem) return problem;
  }
  return null;
}

function check(schema: ArgSchema, value: unknown, field: string): ArgProblem | null {
  const fail = (): ArgProblem => ({ field, message: `${field} must be ${describe(schema)}` });
  if (schema.anyOf && !schema.anyOf.some((alt) => check(alt, value, field) === null)) return fail();
  if (schema.type !== undefined && !hasType(schema.type, value)) return fail();
  if (schema.enum && !schema.enum.includes(value as string)) return fail();
  if (schema.minLength !== undefined && typeof value === "string" && value.length < schema.minLength) {
    return fail();
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) return fail();
    if (schema.maximum !== undefined && value > schema.maximum) return fail();
  }
  if (schema.maxItems !== undefined && Array.isArray(value) && value.length > schema.maxItems) return fail();
  // Element problems are reported on the list itself: "current_tasks must be an array of strings" says
  // more than "current_tasks[3] must be a string".
  const items = schema.items;
  if (items && Array.isArray(value) && value.some((item) => check(items, item, field) !== null))
    return fail();
  if (isPlainObject(value) && (schema.properties || schema.required || schema.additionalProperties)) {
    return checkObject(schema, value, `${field}.`);
  }
  return null;
}

function hasType(type: JsonType | readonly JsonType[], value: unknown): boolean {
  const types: readonly JsonType[] = typeof type === "string" ? [type] : type;
  return types.some((t) => isOfType(t, value));
}

function isOfType(type: JsonType, value: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    // Non-finite numbers count: Python clients send `Infinity` (add_task_batcher's max_batch_size).
    case "number":
      return typeof value === "number";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
  }
}

const typeNames: Record<JsonType, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  null: "null",
};

/** "an array of strings or null", "one of "PENDING", "DONE"", ... for messages. */
export function describe(schema: ArgSchema): string {
  if (schema.description !== undefined) return schema.description;
  if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (schema.anyOf) return schema.anyOf.map(describe).join(" or ");
  const types: readonly JsonType[] =
    schema.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : schema.type;
  const names = types.map((t) => {
    if (t === "array" && schema.items) return `an array of ${plural(describe(schema.items))}`;
    if (t === "string" && schema.minLength === 1) return "a non-empty string";
    if ((t === "integer" || t === "number") && (schema.minimum !== undefined || schema.maximum !== undefined))
      return `${typeNames[t]} ${bounds(schema.minimum, schema.maximum)}`;
    return typeNames[t];
  });
  return names.length === 0 ? "a JSON value" : names.join(" or ");
}

function bounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`;
  return min !== undefined ? `>= ${min}` : `<= ${String(max)}`;
}

function plural(text: string): string {
  const m = /^an? (\w+)(.*)$/.exec(text);
  return m ? `${m[1]}s${m[2]}` : text;
}
