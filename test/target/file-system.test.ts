import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode, TargetError } from "../../src/errors.js";
import { FileSystemTarget, LocalFileSystem, LocalTarget, type FileSystem } from "../../src/index.js";

const run = promisify(execFile);
const fs = LocalFileSystem.default;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "luigi-fs-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TargetError) return err.code;
    throw err;
  }
  throw new Error("expected a TargetError");
}

describe("LocalFileSystem", () => {
  it("exists, isdir, mkdir (parents, raiseIfExists, a file in the way)", async () => {
    const deep = join(dir, "a/b/c");
    expect(await fs.exists(deep)).toBe(false);
    expect(await fs.isdir(deep)).toBe(false);
    expect(await codeOf(fs.mkdir(deep, { parents: false }))).toBe(ErrorCode.TARGET_PARENT_MISSING);
    await fs.mkdir(deep);
    expect(await fs.isdir(deep)).toBe(true);
    await fs.mkdir(deep); // already there: fine
    expect(await codeOf(fs.mkdir(deep, { raiseIfExists: true }))).toBe(ErrorCode.TARGET_EXISTS);
    writeFileSync(join(dir, "file"), "x");
    expect(await fs.exists(join(dir, "file"))).toBe(true);
    expect(await fs.isdir(join(dir, "file"))).toBe(false);
    expect(await codeOf(fs.mkdir(join(dir, "file")))).toBe(ErrorCode.TARGET_NOT_A_DIRECTORY);
  });

  it("listdir lists every file under a folder, recursively and sorted; nothing there lists nothing", async () => {
    mkdirSync(join(dir, "t/x/y"), { recursive: true });
    mkdirSync(join(dir, "t/empty"));
    writeFileSync(join(dir, "t/b"), "");
    writeFileSync(join(dir, "t/a"), "");
    writeFileSync(join(dir, "t/x/y/z"), "");
    symlinkSync(join(dir, "t/a"), join(dir, "t/link"));
    expect(await fs.listdir(join(dir, "t"))).toEqual(
      ["a", "b", "link", "x/y/z"].map((name) => join(dir, "t", name)),
    );
    expect(await fs.listdir(join(dir, "missing"))).toEqual([]);
    expect(await codeOf(fs.listdir(join(dir, "t/a")))).toBe(ErrorCode.TARGET_NOT_A_DIRECTORY);
  });

  it("remove: a file, a tree, nothing; recursive: false refuses a directory", async () => {
    mkdirSync(join(dir, "t/x"), { recursive: true });
    writeFileSync(join(dir, "t/x/f"), "");
    writeFileSync(join(dir, "f"), "");
    await fs.remove(join(dir, "f"), { recursive: false });
    expect(await fs.exists(join(dir, "f"))).toBe(false);
    expect(await codeOf(fs.remove(join(dir, "t"), { recursive: false }))).toBe(ErrorCode.TARGET_IO);
    expect(await fs.exists(join(dir, "t/x/f"))).toBe(true);
    await fs.remove(join(dir, "t"));
    expect(await fs.exists(join(dir, "t"))).toBe(false);
    await fs.remove(join(dir, "t")); // nothing there: no error
  });

  it("move and copy create parents, replace unless raiseIfExists, and name a missing source", async () => {
    writeFileSync(join(dir, "src"), "one");
    await fs.copy(join(dir, "src"), join(dir, "c/copy"));
    expect(readFileSync(join(dir, "c/copy"), "utf8")).toBe("one");
    writeFileSync(join(dir, "src"), "two");
    await fs.copy(join(dir, "src"), join(dir, "c/copy"));
    expect(readFileSync(join(dir, "c/copy"), "utf8")).toBe("two");
    expect(await codeOf(fs.copy(join(dir, "src"), join(dir, "c/copy"), { raiseIfExists: true }))).toBe(
      ErrorCode.TARGET_EXISTS,
    );
    expect(await codeOf(fs.move(join(dir, "src"), join(dir, "c/copy"), { raiseIfExists: true }))).toBe(
      ErrorCode.TARGET_EXISTS,
    );
    await fs.move(join(dir, "src"), join(dir, "m/moved"));
    expect(await fs.exists(join(dir, "src"))).toBe(false);
    expect(readFileSync(join(dir, "m/moved"), "utf8")).toBe("two");
    expect(await codeOf(fs.move(join(dir, "src"), join(dir, "m/again")))).toBe(ErrorCode.TARGET_NOT_FOUND);
    expect(await codeOf(fs.copy(join(dir, "src"), join(dir, "m/again")))).toBe(ErrorCode.TARGET_NOT_FOUND);
    expect(readdirSync(join(dir, "m"))).toEqual(["moved"]); // no temporary copy left behind
  });

  it("renameDontMove never moves into a directory nor over a file", async () => {
    writeFileSync(join(dir, "a"), "a");
    mkdirSync(join(dir, "folder"));
    writeFileSync(join(dir, "b"), "b");
    expect(await codeOf(fs.renameDontMove(join(dir, "a"), join(dir, "folder")))).toBe(
      ErrorCode.TARGET_EXISTS,
    );
    expect(await codeOf(fs.renameDontMove(join(dir, "a"), join(dir, "b")))).toBe(ErrorCode.TARGET_EXISTS);
    expect(readdirSync(join(dir, "folder"))).toEqual([]);
    expect(readFileSync(join(dir, "b"), "utf8")).toBe("b");
    await fs.renameDontMove(join(dir, "a"), join(dir, "c"));
    expect(readFileSync(join(dir, "c"), "utf8")).toBe("a");
  });
});

describe("temporaryPath", () => {
  it("an external program writes the temporary path; it becomes the output only on success", async () => {
    const target = new LocalTarget(join(dir, "out/sorted.txt"));
    let seen = "";
    const result = await target.temporaryPath(async (tmp) => {
      seen = tmp;
      expect(tmp).toMatch(/\/out\/sorted\.txt-luigi-tmp-\d{10}$/);
      expect(await target.exists()).toBe(false);
      await run("sh", ["-c", 'printf "b\\na\\n" | sort > "$1"', "sh", tmp]);
      return 42;
    });
    expect(result).toBe(42);
    expect(await target.read()).toBe("a\nb\n");
    expect(await fs.exists(seen)).toBe(false);
    expect(readdirSync(join(dir, "out"))).toEqual(["sorted.txt"]);
  });

  it("a throwing callback leaves neither the output nor the temporary file, and its error comes out", async () => {
    const target = new LocalTarget(join(dir, "out/half.txt"));
    const failure = new Error("the program crashed half-way");
    await expect(
      target.temporaryPath(async (tmp) => {
        writeFileSync(tmp, "partial");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await target.exists()).toBe(false);
    expect(readdirSync(join(dir, "out"))).toEqual([]);
  });

  it("a directory output (trailing slash) is written as a temporary directory and renamed whole", async () => {
    const target = new LocalTarget(join(dir, "parts") + "/");
    await target.temporaryPath((tmp) => {
      expect(tmp.endsWith("/")).toBe(true);
      mkdirSync(tmp);
      writeFileSync(join(tmp, "part-0"), "0");
      writeFileSync(join(tmp, "part-1"), "1");
    });
    expect(await fs.listdir(join(dir, "parts"))).toEqual([
      join(dir, "parts/part-0"),
      join(dir, "parts/part-1"),
    ]);
    expect(readdirSync(dir)).toEqual(["parts"]);

    await expect(target.temporaryPath((tmp) => mkdirSync(tmp))).rejects.toMatchObject({
      code: ErrorCode.TARGET_EXISTS,
    });
    expect(readdirSync(dir)).toEqual(["parts"]); // the refused temporary directory removed too
  });

  it("works over any FileSystem: a FileSystemTarget of one's own", async () => {
    const calls: string[] = [];
    const logged: FileSystem = new Proxy(LocalFileSystem.default, {
      get(fsys, name: keyof FileSystem) {
        return (...args: string[]) => {
          const method = Reflect.get(fsys, name) as (...a: string[]) => Promise<unknown>;
          calls.push(
            `${name}(${args
              .filter((a) => typeof a === "string")
              .map((a) => a.replace(dir, ""))
              .join(", ")})`,
          );
          return method.apply(fsys, args);
        };
      },
    });
    class Logged extends FileSystemTarget {
      readonly fs = logged;
      constructor(readonly path: string) {
        super();
      }
    }
    const target = new Logged(join(dir, "x/y.txt"));
    expect(await target.exists()).toBe(false);
    await target.temporaryPath((tmp) => writeFileSync(tmp, "y"));
    expect(await target.exists()).toBe(true);
    await target.remove();
    expect(calls.map((c) => c.replace(/\d{10}/, "N"))).toEqual([
      "exists(/x/y.txt)",
      "mkdir(/x)",
      "renameDontMove(/x/y.txt-luigi-tmp-N, /x/y.txt)",
      "exists(/x/y.txt)",
      "remove(/x/y.txt)",
    ]);
    expect(String(target)).toBe(target.path);
  });
});

describe("LocalTarget over LocalFileSystem", () => {
  it("is a FileSystemTarget whose fs is the shared LocalFileSystem; move and copy take raiseIfExists", async () => {
    const t = new LocalTarget(join(dir, "a.txt"));
    expect(t).toBeInstanceOf(FileSystemTarget);
    expect(t.fs).toBe(LocalFileSystem.default);
    await t.write("a");
    await new LocalTarget(join(dir, "b.txt")).write("b");
    expect(await codeOf(t.copy(join(dir, "b.txt"), { raiseIfExists: true }))).toBe(ErrorCode.TARGET_EXISTS);
    expect(await codeOf(t.move(join(dir, "b.txt"), { raiseIfExists: true }))).toBe(ErrorCode.TARGET_EXISTS);
    const moved = await t.move(join(dir, "b.txt"));
    expect(await moved.read()).toBe("a");
  });
});
