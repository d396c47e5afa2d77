import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { foldStack, isInternalFrame } from "../../src/worker/stack.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("foldStack", () => {
  const stack = [
    "TargetError: Target not found: out/a.txt",
    `    at LocalTarget.read (${ROOT}/dist/target/local.js:40:13)`,
    "    at async Report.run (/home/u/pipeline/pipeline.ts:21:18)",
    `    at async InlineExecutor.attempt (file://${ROOT}/dist/worker/execute.js:90:7)`,
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "    at helper (/home/u/pipeline/lib/util.ts:3:9)",
  ].join("\n");

  it("puts the user's frames first and folds luigi-ts's and Node's into one line", () => {
    expect(foldStack(stack).split("\n")).toEqual([
      "TargetError: Target not found: out/a.txt",
      "    at async Report.run (/home/u/pipeline/pipeline.ts:21:18)",
      "    at helper (/home/u/pipeline/lib/util.ts:3:9)",
      "    ... 3 frames of luigi-ts and Node.js (--log-level debug shows them)",
    ]);
  });

  it("keeps every frame when asked, and text without frames as it is", () => {
    expect(foldStack(stack, { full: true })).toBe(stack);
    expect(foldStack("a plain message\nwith two lines")).toBe("a plain message\nwith two lines");
  });

  it("tells luigi-ts's frames (dist, src, an installed copy) from the user's", () => {
    expect(isInternalFrame(`    at x (${ROOT}/src/worker/run-step.ts:1:1)`)).toBe(true);
    expect(isInternalFrame("    at x (/app/node_modules/luigi-ts/dist/index.js:1:1)")).toBe(true);
    expect(isInternalFrame(`    at x (${ROOT}/test/fixtures/basic.ts:1:1)`)).toBe(false);
    expect(isInternalFrame("    at /app/pipeline.ts:1:1")).toBe(false);
  });
});
