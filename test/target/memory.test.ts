import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, TargetError } from "../../src/errors.js";
import { MemoryTarget } from "../../src/target/index.js";

afterEach(() => MemoryTarget.clearAll());

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return text;
}

describe("MemoryTarget", () => {
  it("is shared by name across instances", async () => {
    const a = new MemoryTarget("data/x");
    expect(await a.exists()).toBe(false);
    await a.write("hello");
    const b = new MemoryTarget("data/x");
    expect(await b.exists()).toBe(true);
    expect(await b.read()).toBe("hello");
    expect(b.name).toBe("data/x");
    expect(MemoryTarget.names()).toEqual(["data/x"]);
  });

  it("reading a missing target gives TARGET_NOT_FOUND", async () => {
    const t = new MemoryTarget("nope");
    await expect(t.read()).rejects.toMatchObject({ code: ErrorCode.TARGET_NOT_FOUND });
    await expect(t.read()).rejects.toBeInstanceOf(TargetError);
    await expect(readAll(t.openRead())).rejects.toMatchObject({ code: ErrorCode.TARGET_NOT_FOUND });
    await expect(t.copy("other")).rejects.toMatchObject({ code: ErrorCode.TARGET_NOT_FOUND });
  });

  it("commits a write stream only on end, and discards it on destroy", async () => {
    const t = new MemoryTarget("s");
    const w = t.openWrite();
    w.write("a");
    expect(await t.exists()).toBe(false);
    await new Promise<void>((ok) => w.end("b", ok));
    expect(await t.read()).toBe("ab");

    const d = t.openWrite();
    d.write("zzz");
    const closed = new Promise<void>((ok) => d.on("close", ok));
    d.destroy();
    await closed;
    expect(await t.read()).toBe("ab");
  });

  it("streams reads; text as strings", async () => {
    const t = new MemoryTarget("r");
    await t.write("some text");
    expect(await readAll(t.openRead())).toBe("some text");
    expect((await t.readBytes()).toString()).toBe("some text");
  });

  it("supports gzip, remove, move, copy and clearAll", async () => {
    const g = new MemoryTarget("g", { format: "gzip" });
    await g.write("zipped");
    expect(await g.read()).toBe("zipped");
    expect(await readAll(g.openRead())).toBe("zipped");
    const copy = await g.copy("g2");
    expect(await copy.read()).toBe("zipped");
    expect(gunzipSync(await new MemoryTarget("g2", { format: "binary" }).readBytes()).toString()).toBe(
      "zipped",
    );
    const moved = await copy.move("g3");
    expect(await copy.exists()).toBe(false);
    expect(await moved.read()).toBe("zipped");
    await moved.remove();
    await moved.remove();
    expect(await moved.exists()).toBe(false);
    MemoryTarget.clearAll();
    expect(await g.exists()).toBe(false);
  });

  it("does not let callers mutate stored content through buffers", async () => {
    const t = new MemoryTarget("b", { format: "binary" });
    const data = Buffer.from("abc");
    await t.write(data);
    data[0] = 0x7a;
    const read = await t.readBytes();
    read[1] = 0x7a;
    expect(await t.read()).toBe("abc");
  });
});
