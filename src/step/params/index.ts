/**
 * The `param` namespace: one factory per parameter kind. Factories are typed so that the presence of a
 * `default` shows in the result (`param.int()` is `Param<number, false>`, `param.int({ default: 3 })` is
 * `Param<number, true>`), which lets `Step.with()` make exactly those constructor arguments optional.
 */
import type { HasDefault, Param, ParamOptions } from "./param.js";
import { ChoiceParam, EnumParam } from "./choice.js";
import { DateKindParam, dateUnits, type DateOptions } from "./dates.js";
import { DateIntervalParam, type DateInterval } from "./interval.js";
import { DictParam, ListParam, TupleParam } from "./json.js";
import { NumericalParam, type NumericalOptions } from "./numerical.js";
import { OptionalParam } from "./optional.js";
import { PathParam, type PathOptions } from "./path.js";
import { BoolParam, FloatParam, IntParam, StrParam, type BoolOptions } from "./scalar.js";
import { StepParam, type StepClassLike } from "./step-param.js";
import { TimeDeltaParam, type TimeDelta } from "./timedelta.js";
import type { JsonValue } from "../pyjson.js";

export {
  Param,
  visibilityCode,
  type HasDefault,
  type ParamOptions,
  type ParamValue,
  type Visibility,
} from "./param.js";
export { BoolParam, FloatParam, IntParam, StrParam, type BoolOptions } from "./scalar.js";
export { NumericalParam, type NumericalOptions } from "./numerical.js";
export { DateKindParam, type DateOptions } from "./dates.js";
export { DateInterval, DateIntervalParam, type DateIntervalKind } from "./interval.js";
export { TimeDelta, TimeDeltaParam, parseTimeDelta, type TimeDeltaParts } from "./timedelta.js";
export { ChoiceParam, EnumParam, type EnumSource } from "./choice.js";
export { DictParam, ListParam, TupleParam } from "./json.js";
export { PathParam, purePosixPath, type PathOptions } from "./path.js";
export { StepParam, setStepClassResolver, type StepClassLike, type StepClassResolver } from "./step-param.js";
export { OptionalParam } from "./optional.js";

// `{}` as the default options type means "no options given", hence no default.
/* eslint-disable @typescript-eslint/no-empty-object-type */

function str<O extends ParamOptions<string> = {}>(options?: O): Param<string, HasDefault<O>> {
  return new StrParam<HasDefault<O>>(options);
}
function int<O extends ParamOptions<number> = {}>(options?: O): Param<number, HasDefault<O>> {
  return new IntParam<HasDefault<O>>(options);
}
function float<O extends ParamOptions<number> = {}>(options?: O): Param<number, HasDefault<O>> {
  return new FloatParam<HasDefault<O>>(options);
}
/** Always has a default: false unless given, as in Luigi. */
function bool(options?: BoolOptions): Param<boolean, true> {
  return new BoolParam(options);
}
function numerical<O extends NumericalOptions>(options: O): Param<number, HasDefault<O>> {
  return new NumericalParam<HasDefault<O>>(options);
}

function date<O extends DateOptions = {}>(options?: O): Param<Date, HasDefault<O>> {
  return new DateKindParam<HasDefault<O>>(dateUnits.date, options);
}
function month<O extends DateOptions = {}>(options?: O): Param<Date, HasDefault<O>> {
  return new DateKindParam<HasDefault<O>>(dateUnits.month, options);
}
function year<O extends DateOptions = {}>(options?: O): Param<Date, HasDefault<O>> {
  return new DateKindParam<HasDefault<O>>(dateUnits.year, options);
}
function dateHour<O extends DateOptions = {}>(options?: O): Param<Date, HasDefault<O>> {
  return new DateKindParam<HasDefault<O>>(dateUnits.dateHour, options);
}
function dateMinute<O extends DateOptions = {}>(options?: O): Param<Date, HasDefault<O>> {
  return new DateKindParam<HasDefault<O>>(dateUnits.dateMinute, options);
}
function dateSecond<O extends DateOptions = {}>(options?: O): Param<Date, HasDefault<O>> {
  return new DateKindParam<HasDefault<O>>(dateUnits.dateSecond, options);
}
function dateInterval<O extends ParamOptions<DateInterval> = {}>(
  options?: O,
): Param<DateInterval, HasDefault<O>> {
  return new DateIntervalParam<HasDefault<O>>(options);
}
function timeDelta<O extends ParamOptions<TimeDelta> = {}>(options?: O): Param<TimeDelta, HasDefault<O>> {
  return new TimeDeltaParam<HasDefault<O>>(options);
}

/** By member names (each its own value), or by a TypeScript string enum (value type: the enum). */
function enumParam<const V extends readonly string[], O extends ParamOptions<V[number]> = {}>(
  values: V,
  options?: O,
): Param<V[number], HasDefault<O>>;
function enumParam<E extends Readonly<Record<string, string>>, O extends ParamOptions<E[keyof E]> = {}>(
  enumObject: E,
  options?: O,
): Param<E[keyof E], HasDefault<O>>;
function enumParam(
  source: readonly string[] | Readonly<Record<string, string>>,
  options?: ParamOptions<string>,
) {
  return new EnumParam(source, options);
}

function choice<const C extends readonly (string | number)[], O extends ParamOptions<C[number]> = {}>(
  choices: C,
  options?: O,
): Param<C[number], HasDefault<O>> {
  return new ChoiceParam<C[number], HasDefault<O>>(choices, options);
}

// T is inferred from `default` when one is given (`param.list({ default: ... })`).
function list<T extends JsonValue = JsonValue, O extends ParamOptions<readonly T[]> = {}>(
  options?: O & ParamOptions<readonly T[]>,
): Param<readonly T[], HasDefault<O>> {
  return new ListParam<T, HasDefault<O>>(options);
}
// T is inferred from `default` when one is given (`param.tuple({ default: ... })`).
function tuple<T extends JsonValue = JsonValue, O extends ParamOptions<readonly T[]> = {}>(
  options?: O & ParamOptions<readonly T[]>,
): Param<readonly T[], HasDefault<O>> {
  return new TupleParam<T, HasDefault<O>>(options);
}
// T is inferred from `default` when one is given (`param.dict({ default: ... })`).
function dict<T extends JsonValue = JsonValue, O extends ParamOptions<Readonly<Record<string, T>>> = {}>(
  options?: O & ParamOptions<Readonly<Record<string, T>>>,
): Param<Readonly<Record<string, T>>, HasDefault<O>> {
  return new DictParam<T, HasDefault<O>>(options);
}

function path<O extends PathOptions = {}>(options?: O): Param<string, HasDefault<O>> {
  return new PathParam<HasDefault<O>>(options);
}
function step<C extends StepClassLike = StepClassLike, O extends ParamOptions<C> = {}>(
  options?: O,
): Param<C, HasDefault<O>> {
  return new StepParam<C, HasDefault<O>>(options);
}

/** `""` <-> null; the default is null unless the inner kind has one. */
function optional<T>(kind: Param<T>): Param<T | null, true> {
  return new OptionalParam(kind);
}

/* eslint-enable @typescript-eslint/no-empty-object-type */

export const param = Object.freeze({
  str,
  int,
  float,
  bool,
  numerical,
  date,
  month,
  year,
  dateHour,
  dateMinute,
  dateSecond,
  dateInterval,
  timeDelta,
  enum: enumParam,
  choice,
  list,
  tuple,
  dict,
  path,
  step,
  optional,
});
