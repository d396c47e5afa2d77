/**
 * The range steps' `start`, `stop`, `now` and `param_name`, declared as Luigi declares them
 * (`DateParameter(default=None)`, ...): null unless given, and written `None` (Python's `str(None)`) in
 * the step id, so that a range step has the id a Python worker computes for it. `param.optional`, whose
 * null is "" (Luigi's Optional* kinds), does the rest.
 */
import { OptionalParam } from "../../step/params/optional.js";
import type { Param } from "../../step/params/param.js";

export class NoneOrParam<T> extends OptionalParam<T> {
  override readonly expected: string;

  constructor(inner: Param<T>) {
    super(inner);
    this.expected = inner.expected;
  }

  protected override parseText(text: string): T | null {
    return text === "None" ? null : super.parseText(text);
  }
  override serialize(value: T | null): string {
    return value === null ? "None" : super.serialize(value);
  }
}

/** `inner`, null unless given; its options (description, positional) are the parameter's. */
export function noneOr<T>(inner: Param<T>): NoneOrParam<T> {
  return new NoneOrParam(inner);
}
