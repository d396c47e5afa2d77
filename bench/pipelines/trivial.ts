// The end-to-end benchmark DAG: `Trivial` needs `Leaf(0..n-1)`; leaf i > 0 needs leaf floor(i/2) (a
// binary tree, so the DAG has depth log2(n)). Each leaf writes one byte to $BENCH_OUT/leaf-<i>.txt,
// after waiting $BENCH_STEP_MS milliseconds.
import { LocalTarget, param, Step, WrapperStep } from "luigi-ts";

const OUT = process.env.BENCH_OUT ?? "out";
/** BENCH_STEP_MS: milliseconds each leaf waits before writing (steps that take time; default 0). */
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? "0");

export class Leaf extends Step.with({ i: param.int() }) {
  requires() {
    return this.i > 0 ? [new Leaf({ i: Math.floor(this.i / 2) })] : [];
  }
  output() {
    return new LocalTarget(`${OUT}/leaf-${this.i}.txt`);
  }
  async run() {
    if (STEP_MS > 0) await new Promise((resolve) => setTimeout(resolve, STEP_MS));
    await this.output().write("x");
  }
}

export class Trivial extends WrapperStep.with({ n: param.int({ default: 10000 }) }) {
  requires() {
    return Array.from({ length: this.n }, (_, i) => new Leaf({ i }));
  }
}
