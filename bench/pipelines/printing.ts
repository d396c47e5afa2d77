// The log capture benchmark's DAG: the shape of trivial.ts (`Printing` needs `Line(0..n-1)`, leaf i > 0
// needs leaf floor(i/2)), each leaf printing $BENCH_LINES lines (default 0) before writing its one byte.
import { LocalTarget, param, Step, WrapperStep } from "luigi-ts";

const OUT = process.env.BENCH_OUT ?? "out";
const LINES = Number(process.env.BENCH_LINES ?? "0");

export class Line extends Step.with({ i: param.int() }) {
  requires() {
    return this.i > 0 ? [new Line({ i: Math.floor(this.i / 2) })] : [];
  }
  output() {
    return new LocalTarget(`${OUT}/leaf-${this.i}.txt`);
  }
  async run() {
    for (let k = 0; k < LINES; k++) console.log(`leaf ${this.i} line ${k}: some text a step prints`);
    await this.output().write("x");
  }
}

export class Printing extends WrapperStep.with({ n: param.int({ default: 10000 }) }) {
  requires() {
    return Array.from({ length: this.n }, (_, i) => new Line({ i }));
  }
}
