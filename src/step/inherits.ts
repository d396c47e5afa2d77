/**
 * Luigi's parameter-forwarding helpers (`luigi/util.py`), as typed TypeScript:
 *
 * - `inherits(Extract, Load)`: the parameters of other step classes, to spread into a schema:
 *   `class Report extends Step.with({ ...inherits(Extract), format: param.str() })`. Only parameters are
 *   copied, never behaviour: no class inheritance between steps that merely share parameters.
 * - `requires(Extract)`: a base class with Extract's parameters whose `requires()` is
 *   `this.clone(Extract)`, typed so that `input()` is Extract's output:
 *   `class Report extends requires(Extract).with({ format: param.str() })`.
 *   `requiresOn(WrapperStep, A, B)` does the same on another base class.
 *
 * Where two classes declare the same name, the first one's parameter wins, and the class's own
 * declarations win over all of them, as Luigi's decorators never replace an attribute already there.
 */
import { ErrorCode, StepDefinitionError } from "../errors.js";
import {
  Step,
  type AnyStepClass,
  type OutputOf,
  type Schema,
  type SchemaOf,
  type StepClassWith,
} from "./step.js";
import type { Structure } from "./structure.js";

/** A concrete step class, as `inherits` and `requires` take them. */
export type StepClass = AnyStepClass & { readonly schema: Schema; readonly family: string };

/** The schema of several classes, the first declaration of each name winning. */
export type InheritedSchema<P extends readonly StepClass[]> = P extends readonly [
  infer Head extends StepClass,
  ...infer Rest extends readonly StepClass[],
]
  ? SchemaOf<Head> & Omit<InheritedSchema<Rest>, keyof SchemaOf<Head>>
  : Record<never, never>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** The schema of an object of classes (its keys have no order in the type system: all of them). */
type NamedSchema<R extends Record<string, StepClass>> = UnionToIntersection<
  { [K in keyof R]: SchemaOf<R[K]> }[keyof R]
>;

/** What `requires(...)` makes `requires()` return: one step, a tuple of steps, or an object of steps. */
export type RequiredSteps<P> = P extends readonly [infer Only extends StepClass]
  ? InstanceType<Only>
  : P extends readonly StepClass[]
    ? { -readonly [K in keyof P]: P[K] extends StepClass ? InstanceType<P[K]> : never }
    : P extends readonly [infer Named extends Record<string, StepClass>]
      ? { -readonly [K in keyof Named]: InstanceType<Named[K]> }
      : never;

type ParentsSchema<P> = P extends readonly StepClass[]
  ? InheritedSchema<P>
  : P extends readonly [infer Named extends Record<string, StepClass>]
    ? NamedSchema<Named>
    : never;

/** The class `requiresOn(Base, ...parents)` returns. */
export type RequiringClass<B extends AnyStepClass, P> = StepClassWith<
  B,
  AsSchema<Omit<ParentsSchema<P>, keyof SchemaOf<B>>>,
  { requires(): RequiredSteps<P>; input(): OutputOf<RequiredSteps<P>> }
>;

type AsSchema<T> = T extends Schema ? T : Record<never, never>;

type Parents = readonly StepClass[] | readonly [Record<string, StepClass>];

/** The parameters of `parents`, to spread into `with()`; the first class declaring a name gives it. */
export function inherits<const P extends readonly StepClass[]>(...parents: P): InheritedSchema<P> {
  if (parents.length === 0) throw misuse("inherits() needs at least one step class");
  const schema: Record<string, Schema[string]> = {};
  for (const parent of parents) {
    checkStepClass(parent, "inherits");
    for (const [name, kind] of Object.entries(parent.schema)) if (!(name in schema)) schema[name] = kind;
  }
  return schema as InheritedSchema<P>;
}

/**
 * A subclass of Step with the parents' parameters and a `requires()` that clones each parent from this
 * step's parameters: one class gives one step, several an array, an object of classes an object of steps
 * (`requires({ web: Extract, api: Fetch })`). Luigi's `@requires`.
 */
export function requires<const P extends Parents>(...parents: P): RequiringClass<typeof Step, P> {
  return requiresOn(Step, ...parents);
}

/** `requires(...)` on another base class: `requiresOn(WrapperStep, A, B)`, or a base of your own. */
export function requiresOn<B extends AnyStepClass, const P extends Parents>(
  base: B,
  ...parents: P
): RequiringClass<B, P> {
  checkStepClass(base, "requiresOn");
  const named = parents.length === 1 && typeof parents[0] === "object" ? parents[0] : undefined;
  const classes: readonly StepClass[] = named ? Object.values(named) : (parents as readonly StepClass[]);
  const inherited = inherits(...classes) as Schema;
  const own = (base as unknown as typeof Step).schema;
  const added = Object.fromEntries(Object.entries(inherited).filter(([name]) => !(name in own)));
  const WithParents = (base as unknown as typeof Step).with(added);
  const single = named === undefined && classes.length === 1 ? classes[0] : undefined;
  // The intermediate class carries only the schema and requires(); its name never becomes a family.
  class Requiring extends WithParents {
    override requires(): Structure<Step> {
      const of = (cls: StepClass): Step => this.clone(cls as unknown as typeof Step);
      if (single) return of(single);
      if (named) return Object.fromEntries(Object.entries(named).map(([key, cls]) => [key, of(cls)]));
      return classes.map(of);
    }
  }
  return Requiring as never;
}

function checkStepClass(value: unknown, helper: string): void {
  if (typeof value === "function" && (value === Step || value.prototype instanceof Step)) return;
  throw misuse(`${helper}() takes step classes; got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === "function") return `the function ${value.name || "(anonymous)"}`;
  if (value !== null && typeof value === "object") return value.constructor?.name ?? "an object";
  return String(value);
}

function misuse(message: string): StepDefinitionError {
  return new StepDefinitionError(ErrorCode.STEP_DEFINITION, message);
}
