// trivial.ts's DAG with every complete() counted, for bench/fleet-checks.js: `Counted` needs
// `Leaf(0..n-1)`; leaf i > 0 needs leaf floor(i/2). Each complete() appends one line to $BENCH_CHECKS;
// each leaf writes one byte to $BENCH_OUT/leaf-<i>.txt. The root is a step with an output of its own
// (a WrapperStep's complete() would ask every leaf again).
import { appendFileSync } from "node:fs";
import { LocalTarget, param, Step } from "luigi-ts";

const OUT = process.env.BENCH_OUT ?? "out";
const CHECKS = process.env.BENCH_CHECKS;

class CountedStep extends Step {
  override complete(): Promise<boolean> {
    if (CHECKS) appendFileSync(CHECKS, "c\n");
    return super.complete();
  }
}

export class Leaf extends CountedStep.with({ i: param.int() }) {
  override requires() {
    return this.i > 0 ? [new Leaf({ i: Math.floor(this.i / 2) })] : [];
  }
  override output() {
    return new LocalTarget(`${OUT}/leaf-${this.i}.txt`);
  }
  async run() {
    await this.output().write("x");
  }
}

export class Counted extends CountedStep.with({ n: param.int({ default: 10000 }) }) {
  override requires() {
    return Array.from({ length: this.n }, (_, i) => new Leaf({ i }));
  }
  override output() {
    return new LocalTarget(`${OUT}/counted-${this.n}.txt`);
  }
  async run() {
    await this.output().write("x");
  }
}
