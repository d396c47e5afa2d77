import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode, TargetError } from "../../src/errors.js";
import { isTarget, LocalTarget } from "../../src/target/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "luigi-target-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>): Promise<TargetError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TargetError) return err;
    throw err;
  }
  throw new Error("expected a TargetError");
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return text;
}

describe("LocalTarget", () => {
  it("writes (creating parent dirs), reads, and reports existence", async () => {
    const t = new LocalTarget(join(dir, "a/b/out.txt"));
    expect(await t.exists()).toBe(false);
    await t.write("héllo\n");
    expect(await t.exists()).toBe(true);
    expect(await t.read()).toBe("héllo\n");
    expect((await t.readBytes()).equals(Buffer.from("héllo\n"))).toBe(true);
    expect(readdirSync(join(dir, "a/b"))).toEqual(["out.txt"]);
    expect(isTarget(t)).toBe(true);
    expect(String(t)).toBe(t.path);
  });

  it("replaces existing content", async () => {
    const t = new LocalTarget(join(dir, "f"));
    await t.write("old");
    await t.write(new Uint8Array([110, 101, 119]));
    expect(await t.read()).toBe("new");
  });

  it("reading a missing file gives TARGET_NOT_FOUND naming the path", async () => {
    const t = new LocalTarget(join(dir, "missing.txt"));
    const err = await rejection(t.read());
    expect(err.code).toBe(ErrorCode.TARGET_NOT_FOUND);
    expect(err.message).toContain(t.path);
    expect(err.details).toEqual({ path: t.path });

    const streamErr = await rejection(readAll(t.openRead()));
    expect(streamErr.code).toBe(ErrorCode.TARGET_NOT_FOUND);
  });

  it("a write that fails gives TARGET_IO and leaves no temp file", async () => {
    writeFileSync(join(dir, "file"), "x");
    const t = new LocalTarget(join(dir, "file/child.txt")); // parent is a file
    const err = await rejection(t.write("data"));
    expect(err.code).toBe(ErrorCode.TARGET_IO);
    expect(readdirSync(dir)).toEqual(["file"]);
  });

  it("remove() deletes and does not fail on a missing file", async () => {
    const t = new LocalTarget(join(dir, "x.txt"));
    await t.remove();
    await t.write("x");
    await t.remove();
    expect(await t.exists()).toBe(false);
  });

  it("streams through openWrite/openRead and commits only at the end", async () => {
    const t = new LocalTarget(join(dir, "deep/stream.txt"));
    const w = t.openWrite();
    await new Promise<void>((ok, fail) => w.write("part 1\n", (err) => (err ? fail(err) : ok())));
    expect(existsSync(t.path)).toBe(false);
    const temps = readdirSync(join(dir, "deep"));
    expect(temps).toHaveLength(1);
    expect(temps[0]).toMatch(/^stream\.txt-luigi-tmp-\d{10}$/);
    await new Promise<void>((ok, fail) => {
      w.on("error", fail);
      w.end("part 2\n", ok);
    });
    expect(readdirSync(join(dir, "deep"))).toEqual(["stream.txt"]);
    const r = t.openRead();
    const chunks: unknown[] = [];
    for await (const chunk of r) chunks.push(chunk);
    expect(chunks.every((c) => typeof c === "string")).toBe(true);
    expect(chunks.join("")).toBe("part 1\npart 2\n");
  });

  it("(a) a write stream destroyed midway leaves no file and no temp file", async () => {
    const t = new LocalTarget(join(dir, "out.bin"), { format: "binary" });
    const w = t.openWrite();
    await new Promise<void>((ok, fail) =>
      w.write(Buffer.alloc(1 << 20, 7), (err) => (err ? fail(err) : ok())),
    );
    expect(readdirSync(dir)).toHaveLength(1); // the temp file
    const closed = new Promise<void>((ok) => w.on("close", ok));
    w.on("error", () => undefined);
    w.destroy(new Error("step failed"));
    await closed;
    expect(readdirSync(dir)).toEqual([]);
    expect(await t.exists()).toBe(false);
  });

  it("a destroyed write stream leaves an existing file untouched", async () => {
    const t = new LocalTarget(join(dir, "keep.txt"));
    await t.write("original");
    const w = t.openWrite();
    w.write("replacement");
    const closed = new Promise<void>((ok) => w.on("close", ok));
    w.destroy();
    await closed;
    expect(await t.read()).toBe("original");
    expect(readdirSync(dir)).toEqual(["keep.txt"]);
  });

  it("an error in a pipeline into openWrite discards the output", async () => {
    const t = new LocalTarget(join(dir, "piped.txt"));
    async function* source() {
      yield "first\n";
      await new Promise((ok) => setImmediate(ok)); // let the first chunk reach the temp file
      throw new Error("source broke");
    }
    await expect(pipeline(source, t.openWrite())).rejects.toThrow("source broke");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("(b) a process killed with SIGKILL mid-write leaves nothing at the path", async () => {
    const path = join(dir, "killed/out.txt");
    const moduleUrl = new URL("../../src/target/local.ts", import.meta.url).href;
    const script = `
      import { LocalTarget } from ${JSON.stringify(moduleUrl)};
      const w = new LocalTarget(${JSON.stringify(path)}).openWrite();
      w.write(Buffer.alloc(8 << 20, 120), () => {
        process.stdout.write("written\\n");
        setInterval(() => {}, 1000); // never end(): wait to be killed
      });
    `;
    // cwd: the repository, so `--import tsx` resolves from its node_modules.
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((ok) =>
      child.on("exit", (_code, signal) => ok(signal)),
    );
    await new Promise<void>((ok, fail) => {
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("written")) ok();
      });
      child.on("exit", () => fail(new Error(`child exited before writing: ${stderr}`)));
    });
    // The data is on disk, in the temp file only.
    const entries = readdirSync(join(dir, "killed"));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^out\.txt-luigi-tmp-\d{10}$/);
    expect(statSync(join(dir, "killed", entries[0] ?? "")).size).toBe(8 << 20);

    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(existsSync(path)).toBe(false);
    expect(await new LocalTarget(path).exists()).toBe(false);
  });

  it("round-trips gzip transparently", async () => {
    const t = new LocalTarget(join(dir, "data.gz"), { format: "gzip" });
    const text = "line\n".repeat(1000);
    await t.write(text);
    const onDisk = readFileSync(t.path);
    expect(onDisk.length).toBeLessThan(text.length);
    expect(gunzipSync(onDisk).toString()).toBe(text);
    expect(await t.read()).toBe(text);

    const s = new LocalTarget(join(dir, "stream.gz"), { format: "gzip" });
    const w = s.openWrite();
    w.write("abc");
    await new Promise<void>((ok, fail) => {
      w.on("error", fail);
      w.end("def", ok);
    });
    expect(gunzipSync(readFileSync(s.path)).toString()).toBe("abcdef");
    expect(await readAll(s.openRead())).toBe("abcdef");
    expect(await s.read()).toBe("abcdef");
  });

  it("reading a corrupt gzip file fails with TARGET_IO", async () => {
    writeFileSync(join(dir, "bad.gz"), "not gzip");
    const err = await rejection(new LocalTarget(join(dir, "bad.gz"), { format: "gzip" }).read());
    expect(err.code).toBe(ErrorCode.TARGET_IO);
  });

  it("moves and copies", async () => {
    const a = new LocalTarget(join(dir, "a.txt"));
    await a.write("content");
    const b = await a.copy(join(dir, "sub/b.txt"));
    expect(await b.read()).toBe("content");
    expect(await a.exists()).toBe(true);
    const c = await a.move(join(dir, "other/c.txt"));
    expect(await a.exists()).toBe(false);
    expect(await c.read()).toBe("content");
    expect(c).toBeInstanceOf(LocalTarget);
    expect((await rejection(a.move(join(dir, "d.txt")))).code).toBe(ErrorCode.TARGET_NOT_FOUND);
    expect((await rejection(a.copy(join(dir, "d.txt")))).code).toBe(ErrorCode.TARGET_NOT_FOUND);
    expect(readdirSync(dir).sort()).toEqual(["other", "sub"]);
  });

  it("temporary() gives distinct paths in the OS temp directory", async () => {
    const a = LocalTarget.temporary({ suffix: ".txt" });
    const b = LocalTarget.temporary();
    expect(a.path).not.toBe(b.path);
    expect(a.path.startsWith(tmpdir())).toBe(true);
    expect(a.path).toMatch(/luigi-tmp-\d{10}\.txt$/);
    expect(await a.exists()).toBe(false);
    await a.write("x");
    await a.remove();
  });
});
