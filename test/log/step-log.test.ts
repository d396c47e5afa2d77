// The bounded step log (head + tail, cut marked) and the masking of secrets: the worker's copy and the
// scheduler's copy built from shipped pieces must agree, whatever the writes and the shipping moments.
import { describe, expect, it } from "vitest";
import { parseRedactRules, Redactor, redactEntries } from "../../src/log/redact.js";
import { BoundedLog, cutMarker } from "../../src/log/step-log.js";
import { seededRandom } from "../helpers/random.js";

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

describe("BoundedLog", () => {
  it("keeps everything under its budget", () => {
    const log = new BoundedLog(1024);
    log.append("one\n");
    log.append("two\n");
    expect(log.render()).toEqual({ text: "one\ntwo\n", bytes: 8, cut: 0 });
  });

  it("keeps the head and the tail of thousands of lines and marks the cut on a line of its own", () => {
    const log = new BoundedLog(4096);
    let all = "";
    for (let i = 0; i < 5000; i++) {
      const line = `line ${i} ${"é".repeat(i % 7)}\n`;
      all += line;
      log.append(line);
    }
    const { text, bytes: total, cut } = log.render();
    expect(total).toBe(bytes(all));
    expect(log.held).toBeLessThanOrEqual(4096);
    expect(text.startsWith("line 0 \nline 1 é\n")).toBe(true);
    expect(text.endsWith(`line 4999 ${"é".repeat(4999 % 7)}\n`)).toBe(true);
    const lines = text.split("\n");
    const marker = lines.findIndex((l) => l.startsWith("[… "));
    expect(lines[marker]).toBe(cutMarker(cut).trimEnd());
    // Whole lines only on each side of the marker, and the bytes shown plus the cut make the total.
    for (const line of lines.filter((l, i) => i !== marker && l !== ""))
      expect(line).toMatch(/^line \d+ é*$/);
    expect(bytes(text) - bytes(cutMarker(cut)) + cut).toBe(total);
  });

  it("never splits a character, however the budget falls", () => {
    for (let limit = 1024; limit < 1040; limit++) {
      const log = new BoundedLog(limit);
      for (let i = 0; i < 300; i++) log.append("€😀ü");
      expect(log.render().text).not.toContain("\uFFFD");
      expect(log.held).toBeLessThanOrEqual(limit);
    }
  });

  it("is rebuilt exactly from the pieces shipped at any moments, with gaps where the sender let go", () => {
    const random = seededRandom(13);
    for (let round = 0; round < 40; round++) {
      const worker = new BoundedLog(2048);
      const scheduler = new BoundedLog(2048);
      let shipped = 0;
      const writes = 200 + Math.floor(random() * 800);
      for (let i = 0; i < writes; i++) {
        const n = Math.floor(random() * 120);
        worker.append(`${i}:${"xé".repeat(n)}${random() < 0.7 ? "\n" : ""}`);
        if (random() < 0.08) {
          for (const piece of worker.since(shipped)) scheduler.appendAt(piece.offset, piece.text);
          // A resend of what was shipped changes nothing.
          if (random() < 0.3)
            for (const piece of worker.since(0)) scheduler.appendAt(piece.offset, piece.text);
          shipped = worker.total;
        }
      }
      for (const piece of worker.since(shipped)) scheduler.appendAt(piece.offset, piece.text);
      expect(scheduler.render(), `round ${round}`).toEqual(worker.render());
    }
  });

  it("applies a smaller budget of its own to what it is sent", () => {
    const worker = new BoundedLog(8192);
    for (let i = 0; i < 2000; i++) worker.append(`line ${i}\n`);
    const scheduler = new BoundedLog(1024);
    for (const piece of worker.since(0)) scheduler.appendAt(piece.offset, piece.text);
    const shown = scheduler.render();
    expect(shown.bytes).toBe(worker.total);
    expect(shown.text.startsWith("line 0\n")).toBe(true);
    expect(shown.text.endsWith("line 1999\n")).toBe(true);
    expect(scheduler.held).toBeLessThanOrEqual(1024);
  });

  it("round-trips through JSON (the scheduler's snapshot)", () => {
    const log = new BoundedLog(1024);
    for (let i = 0; i < 500; i++) log.append(`row ${i}\n`);
    const back = BoundedLog.fromJSON(
      JSON.parse(JSON.stringify(log.toJSON())) as ReturnType<BoundedLog["toJSON"]>,
    );
    expect(back.render()).toEqual(log.render());
    back.append("one more\n");
    log.append("one more\n");
    expect(back.render()).toEqual(log.render());
  });

  it("gives the last lines, saying how many there are", () => {
    const log = new BoundedLog(100_000);
    for (let i = 1; i <= 50; i++) log.append(`l${i}\n`);
    expect(log.lastLines(3)).toEqual({ lines: ["l48", "l49", "l50"], of: 50 });
    expect(new BoundedLog(1024).lastLines(3)).toEqual({ lines: [], of: 0 });
  });
});

describe("log_redact", () => {
  it("splits names and /regex/ entries, commas inside a pattern included", () => {
    expect(redactEntries(" API_TOKEN, password ,/sk-[a-z]{2,8}/i, /a,b/ ")).toEqual([
      "API_TOKEN",
      "password",
      "/sk-[a-z]{2,8}/i",
      "/a,b/",
    ]);
    const rules = parseRedactRules("API_TOKEN, /sk-[a-z]{2,8}/i");
    expect(rules.names).toEqual(["API_TOKEN"]);
    expect(rules.patterns.map(String)).toEqual(["/sk-[a-z]{2,8}/gi"]);
  });

  it("refuses a pattern that cannot be used, naming the setting", () => {
    expect(() => parseRedactRules("/a(/")).toThrow(/\[worker\] log_redact: \/a\(\/ is not a usable pattern/);
    expect(() => parseRedactRules("/x*/")).toThrow(/matches the empty text/);
    expect(() => parseRedactRules("/x/g")).toThrow(/flag g is not one of/);
  });

  it("masks values, longest first, and pattern matches; short values are left alone", () => {
    const r = new Redactor(["abc", "s3cret", "s3cret-and-more"], [/sk-[a-z]+/g]);
    expect(r.mask("s3cret-and-more, s3cret, sk-abc, abc")).toBe("***, ***, ***, abc");
    expect(new Redactor([], []).active).toBe(false);
    expect(new Redactor([], []).mask("same")).toBe("same");
  });
});
