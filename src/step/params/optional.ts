/**
 * Luigi's Optional* parameters as one wrapper over any kind: the empty string parses to null and null
 * serialises to the empty string, so an unset optional value has the same id in Python and TypeScript.
 */
import { Param, type ParamOptions } from "./param.js";

export class OptionalParam<T> extends Param<T | null, true> {
  readonly kind: string;
  readonly expected: string;

  /** The default is the inner kind's default when it has one, else null. */
  constructor(readonly inner: Param<T>) {
    const options: ParamOptions<T | null> = { ...inner.options };
    if (!inner.hasDefault) options.default = null;
    super(options);
    this.kind = inner.kind;
    this.expected = `${inner.expected}, or an empty value for none`;
  }

  override get description(): string | undefined {
    return this.inner.description;
  }

  protected parseText(text: string): T | null {
    return text === "" ? null : Param.parseWith(this.inner, text);
  }
  serialize(value: T | null): string {
    return value === null ? "" : this.inner.serialize(value);
  }
  protected normalizeValue(value: unknown): T | null {
    return value === null || value === undefined ? null : Param.normalizeWith(this.inner, value);
  }
  override nextInEnumeration(value: T | null): T | null {
    return value === null ? null : this.inner.nextInEnumeration(value);
  }
}
