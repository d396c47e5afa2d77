// A chain for bench/luigid-e2e.js (BENCH_PIPELINE=bench/pipelines/chain.ts:Chain): `Chain` needs
// Link(n-1), which needs Link(n-2), ... down to Link(0); each link writes one byte to
// $BENCH_OUT/leaf-<i>.txt. The narrowest graph: the walk meets one step per level.
import { LocalTarget, param, Step } from "luigi-ts";

const OUT = process.env.BENCH_OUT ?? "out";

export class Link extends Step.with({ i: param.int() }) {
  requires() {
    return this.i > 0 ? [new Link({ i: this.i - 1 })] : [];
  }
  output() {
    return new LocalTarget(`${OUT}/leaf-${this.i}.txt`);
  }
  async run() {
    await this.output().write("x");
  }
}

export class Chain extends Step.with({ n: param.int() }) {
  requires() {
    return [new Link({ i: this.n - 1 })];
  }
  output() {
    return new LocalTarget(`${OUT}/chain-${this.n}.txt`);
  }
  async run() {
    await this.output().write("x");
  }
}
