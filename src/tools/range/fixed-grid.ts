import { RangeBase } from "./range-base.js";

/**
 * The ranges whose instants are a fixed step apart from the epoch: days, hours, and minutes (every
 * whole hour is a multiple of a minutes_interval that divides 60, so Luigi's "from each whole hour" is
 * the same grid). The window's `X_back` / `X_forward` count `unit`s.
 */
export abstract class FixedGridRange extends RangeBase {
  /** The unit of `X_back` and `X_forward`: their name's stem ("days") and length. */
  protected abstract readonly unit: { readonly name: string; readonly ms: number };

  /** Milliseconds between two instants: one unit, unless a subclass says otherwise. */
  protected stepMs(): number {
    return this.unit.ms;
  }

  movingStart(now: Date): Date {
    return new Date(now.getTime() - this.unitsOf("back") * this.unit.ms);
  }
  movingStop(now: Date): Date {
    return new Date(now.getTime() + this.unitsOf("forward") * this.unit.ms);
  }
  finiteDatetimes(finiteStart: Date, finiteStop: Date): Date[] {
    const step = this.stepMs();
    const first = new Date(Math.floor(finiteStart.getTime() / step) * step);
    return this.grid(first, finiteStart, finiteStop, (t) => new Date(t.getTime() + step));
  }
  countDatetimes(from: Date, to: Date): number {
    if (to <= from) return 0;
    const step = this.stepMs();
    return Math.ceil(to.getTime() / step) - Math.ceil(from.getTime() / step);
  }

  private unitsOf(side: "back" | "forward"): number {
    return this.params[`${this.unit.name}_${side}`] as number;
  }
}
