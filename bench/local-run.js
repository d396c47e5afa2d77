// One benchmark case in its own process (so peak memory is its own): builds a DAG of trivial steps with
// the local scheduler and prints one JSON line. Usage: node bench/local-run.js fanin|chain N [workers]
import { build, LuigiConfig, MemoryTarget, param, setActiveConfig, Step, WrapperStep } from "luigi-ts";

const [shape = "fanin", nText = "1000", workersText = "1"] = process.argv.slice(2);
const n = Number(nText);
setActiveConfig(LuigiConfig.fromString("", "cfg"));

class Leaf extends Step.with({ i: param.int() }) {
  output() {
    return new MemoryTarget(`leaf-${this.i}`);
  }
  async run() {
    await this.output().write("x");
  }
}
class FanIn extends WrapperStep.with({ n: param.int() }) {
  requires() {
    return Array.from({ length: this.n }, (_, i) => new Leaf({ i }));
  }
}
class Chain extends Step.with({ i: param.int() }) {
  requires() {
    return this.i > 0 ? new Chain({ i: this.i - 1 }) : [];
  }
  output() {
    return new MemoryTarget(`chain-${this.i}`);
  }
  async run() {
    await this.output().write("x");
  }
}

const root = shape === "chain" ? new Chain({ i: n - 1 }) : new FanIn({ n });
const started = performance.now();
const summary = await build([root], { localScheduler: true, workers: Number(workersText) });
const seconds = (performance.now() - started) / 1000;
if (summary.status !== "SUCCESS") {
  console.error(summary.text);
  process.exit(1);
}
const ran = summary.ids.completed.length;
console.log(
  JSON.stringify({
    shape,
    n,
    ran,
    seconds,
    stepsPerSecond: ran / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
