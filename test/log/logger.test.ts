import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, writeLine } from "../../src/log/logger.js";

function capture(options: Parameters<typeof createLogger>[0] = {}): {
  lines: () => string[];
  log: ReturnType<typeof createLogger>;
} {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const log = createLogger({ ...options, stream });
  return { log, lines: () => text.split("\n").filter(Boolean) };
}

describe("createLogger (human form)", () => {
  it("writes time, level, message, the step and the other fields as JSON on one line", () => {
    const { log, lines } = capture();
    log.info({ step: "Report(day=2026-11-20)", seconds: 0.25 }, "done");
    log.warn("plain %s with %d args", "message", 2);
    log.error(new Error("boom"));
    expect(lines()).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] INFO: done Report\(day=2026-11-20\) \{"seconds":0\.25\}$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] WARN: plain message with 2 args$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] ERROR: boom \{"err":"boom"\}$/),
    ]);
  });

  it("honours the level (Luigi's names too) and child bindings", () => {
    const { log, lines } = capture({ level: "WARNING" });
    log.info("hidden");
    log.child({ worker: "w1" }).warn("shown");
    expect(lines()).toEqual([expect.stringMatching(/WARN: shown \{"worker":"w1"\}$/)]);
  });

  it("writes each child's own bindings, and the new ones after setBindings", () => {
    const { log, lines } = capture();
    const a = log.child({ worker: "a" });
    const b = log.child({ worker: "b" });
    a.info("one");
    b.info("two");
    a.info({ worker: "given" }, "three");
    a.setBindings({ worker: "a2" });
    a.info("four");
    expect(lines()).toEqual([
      expect.stringMatching(/INFO: one \{"worker":"a"\}$/),
      expect.stringMatching(/INFO: two \{"worker":"b"\}$/),
      expect.stringMatching(/INFO: three \{"worker":"given"\}$/),
      expect.stringMatching(/INFO: four \{"worker":"a2"\}$/),
    ]);
  });

  it("hands whole lines to a stream's writeLine when it has one, and a nested Error as its message", () => {
    const stream = new PassThrough();
    const written: string[] = [];
    const given: string[] = [];
    stream.on("data", (chunk: Buffer) => written.push(chunk.toString("utf8")));
    Object.defineProperty(stream, writeLine, { value: (line: string) => given.push(line) });
    const log = createLogger({ stream });
    log.info({ seconds: 1, detail: { cause: new Error("inner") } }, "one");
    log.warn("two");
    expect(written).toEqual([]);
    expect(given).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] INFO: one \{"seconds":1,"detail":\{"cause":"inner"\}\}\n$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] WARN: two\n$/),
    ]);
  });

  it("writes pino's JSON lines in json form", () => {
    const { log, lines } = capture({ format: "json" });
    log.info({ step: "S" }, "running");
    expect(JSON.parse(lines()[0] as string)).toMatchObject({ level: 30, msg: "running", step: "S" });
  });
});
