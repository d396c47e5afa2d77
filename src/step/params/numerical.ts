/** Luigi's NumericalParameter: an int or float that must lie in a range. */
import { pyFloatRepr } from "../pyjson.js";
import { Param, type ParamOptions } from "./param.js";
import { checkFloat, checkInt, parsePyFloat, parsePyInt, serializeInt } from "./scalar.js";

export interface NumericalOptions extends ParamOptions<number> {
  varType: "int" | "float";
  min: number;
  max: number;
  /** How min compares to the value; default "<=" (Luigi's operator.le). */
  leftOp?: "<" | "<=";
  /** How the value compares to max; default "<" (Luigi's operator.lt). */
  rightOp?: "<" | "<=";
}

export class NumericalParam<D extends boolean = boolean> extends Param<number, D> {
  readonly kind: string;
  readonly expected: string;
  readonly varType: "int" | "float";
  readonly min: number;
  readonly max: number;
  readonly leftOp: "<" | "<=";
  readonly rightOp: "<" | "<=";

  constructor(options: NumericalOptions) {
    const { varType, min, max, leftOp, rightOp, ...rest } = options;
    super(rest);
    if (varType !== "int" && varType !== "float")
      throw new RangeError(`numerical: bad varType ${String(varType)}`);
    this.varType = varType;
    this.min = min;
    this.max = max;
    this.leftOp = leftOp ?? "<=";
    this.rightOp = rightOp ?? "<";
    this.kind = varType;
    this.expected = `${this.article()} in ${this.range()}`;
  }

  /** Luigi appends the permitted range to the description, so it shows in help. */
  override get description(): string {
    const own = this.options.description;
    return `${own === undefined || own === "" ? "" : `${own} `}permitted values: ${this.varType} in ${this.range()}`;
  }

  private article(): string {
    return this.varType === "int" ? "an integer" : "a number";
  }

  /** Interval notation as Luigi prints it: `[0, 10)`. */
  private range(): string {
    const show = (n: number): string => (this.varType === "int" ? String(n) : pyFloatRepr(n));
    return `${this.leftOp === "<=" ? "[" : "("}${show(this.min)}, ${show(this.max)}${this.rightOp === "<=" ? "]" : ")"}`;
  }

  private check(value: number): number {
    const leftOk = this.leftOp === "<=" ? this.min <= value : this.min < value;
    const rightOk = this.rightOp === "<=" ? value <= this.max : value < this.max;
    if (!leftOk || !rightOk) throw new Error(`${this.serialize(value)} is not in ${this.range()}`);
    return value;
  }

  protected parseText(text: string): number {
    return this.check(this.varType === "int" ? parsePyInt(text) : parsePyFloat(text));
  }
  serialize(value: number): string {
    return this.varType === "int" ? serializeInt(value) : pyFloatRepr(value);
  }
  /** Luigi checks the range only when parsing; checking code values too catches mistakes earlier. */
  protected normalizeValue(value: unknown): number {
    return this.check(this.varType === "int" ? checkInt(value) : checkFloat(value));
  }
}
