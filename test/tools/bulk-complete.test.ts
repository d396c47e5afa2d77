/**
 * completeInBulk and LocalTarget.existsInBulk: the answers are each step's complete() and each
 * target's exists(), whatever way they were found.
 */
import fs, { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { completeInBulk, LocalTarget, MemoryTarget, param, Step, WrapperStep } from "../../src/index.js";

let dir = "";
afterEach(() => {
  vi.restoreAllMocks();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
function fresh(): string {
  dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-bulk-"));
  return dir;
}

/** The folders listed from now on (fs.promises.readdir still does the listing). */
function countListings(): string[] {
  const listed: string[] = [];
  const readdir = fs.promises.readdir;
  vi.spyOn(fs.promises, "readdir").mockImplementation(((p: fs.PathLike, o: never) => {
    listed.push(String(p));
    return readdir(p, o);
  }) as typeof fs.promises.readdir);
  return listed;
}

async function eachExists(targets: LocalTarget[]): Promise<boolean[]> {
  return Promise.all(targets.map((t) => t.exists()));
}

describe("LocalTarget.existsInBulk", () => {
  it("answers as exists() for files, folders, links, other letter cases and paths a listing cannot answer", async () => {
    const root = fresh();
    mkdirSync(path.join(root, "a/sub"), { recursive: true });
    writeFileSync(path.join(root, "a/file.txt"), "");
    writeFileSync(path.join(root, "a/Upper.txt"), "");
    writeFileSync(path.join(root, "a/cafe\u0301.txt"), ""); // decomposed é
    symlinkSync(path.join(root, "a/file.txt"), path.join(root, "a/good-link"));
    symlinkSync(path.join(root, "a/nowhere"), path.join(root, "a/broken-link"));
    const paths = [
      "a/file.txt",
      "a/absent.txt",
      "a/sub",
      "a/sub/",
      "a/upper.txt", // another case: present only on a case-insensitive disk, which stat knows
      "a/caf\u00e9.txt", // composed é: present only on a normalising disk
      "a/good-link",
      "a/broken-link",
      "a/file.txt/inside", // a file as a folder
      "missing-folder/x.txt",
      "a/.",
      "a/..",
      ".",
    ].map((p) => path.join(root, p));
    const targets = paths.map((p) => new LocalTarget(p));
    expect(await LocalTarget.existsInBulk(targets)).toEqual(await eachExists(targets));
    expect(await LocalTarget.existsInBulk(targets)).toEqual([
      true,
      false,
      true,
      true,
      fs.existsSync(path.join(root, "a/upper.txt")),
      fs.existsSync(path.join(root, "a/caf\u00e9.txt")),
      true,
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it("lists each folder once, relative paths included", async () => {
    const root = fresh();
    for (const name of ["x/1", "x/2", "y/1"]) {
      mkdirSync(path.join(root, path.dirname(name)), { recursive: true });
      writeFileSync(path.join(root, name), "");
    }
    const cwd = process.cwd();
    process.chdir(root);
    const listed = countListings();
    try {
      const targets = ["x/1", "x/2", "x/3", "y/1", "y/2", "z/1"].map((p) => new LocalTarget(p));
      expect(await LocalTarget.existsInBulk(targets)).toEqual([true, true, false, true, false, false]);
    } finally {
      process.chdir(cwd);
    }
    expect(listed.sort()).toEqual(["x", "y", "z"]);
  });

  it("stats a few targets of a folder its last listing found big, instead of listing it again", async () => {
    const root = fresh();
    for (let i = 0; i < 400; i++) writeFileSync(path.join(root, `f${i}`), "");
    const listed = countListings();
    const all = Array.from({ length: 400 }, (_, i) => new LocalTarget(path.join(root, `f${i}`)));
    expect((await LocalTarget.existsInBulk(all)).every(Boolean)).toBe(true);
    expect(listed).toEqual([root]);
    // 20 of the 400 it held: stat-ed (a file made since the listing is found, one removed is not).
    writeFileSync(path.join(root, "new"), "");
    rmSync(path.join(root, "f1"));
    const few = ["f0", "f1", "new", "none"].map((name) => new LocalTarget(path.join(root, name)));
    expect(await LocalTarget.existsInBulk([...few, ...all.slice(2, 18)])).toEqual([
      true,
      false,
      true,
      false,
      ...Array.from({ length: 16 }, () => true),
    ]);
    expect(listed).toEqual([root]);
    // A quarter of it or more: listed again.
    expect(await LocalTarget.existsInBulk(all.slice(0, 100))).toEqual(
      all.slice(0, 100).map((_, i) => i !== 1),
    );
    expect(listed).toEqual([root, root]);
  });

  it("asks a subclass's own exists()", async () => {
    fresh();
    class Always extends LocalTarget {
      override async exists(): Promise<boolean> {
        return true;
      }
    }
    expect(
      await LocalTarget.existsInBulk([new Always(path.join(dir, "nothing")), new LocalTarget(dir)]),
    ).toEqual([true, true]);
  });
});

describe("completeInBulk", () => {
  let bulkAsked: string[] = [];

  class FromTable extends Step.with({ n: param.int() }) {
    static override bulkComplete(steps: readonly FromTable[]): FromTable[] {
      bulkAsked = steps.map(String);
      // Answers with equal steps built anew, and one that was not asked: matched by id, the stranger ignored.
      return [
        ...steps.filter((s) => s.n % 2 === 0).map((s) => new FromTable({ n: s.n })),
        new FromTable({ n: 99 }),
      ];
    }
  }
  class OwnCheck extends Step.with({ n: param.int() }) {
    override async complete(): Promise<boolean> {
      return this.n > 1;
    }
  }
  class Files extends Step.with({ name: param.str() }) {
    override output() {
      return this.name === "none"
        ? []
        : {
            file: new LocalTarget(path.join(dir, `${this.name}.txt`)),
            memo: new MemoryTarget(`memo-${this.name}`),
          };
    }
  }
  class Wrapper extends WrapperStep.with({ n: param.int() }) {
    override requires() {
      return [new OwnCheck({ n: this.n })];
    }
  }

  it("uses each family's bulkComplete, own complete() or outputs, and keeps the order", async () => {
    fresh();
    writeFileSync(path.join(dir, "both.txt"), "");
    writeFileSync(path.join(dir, "file-only.txt"), "");
    await new MemoryTarget("memo-both").write("x");
    await new MemoryTarget("memo-memo-only").write("x");
    const steps: Step[] = [
      new FromTable({ n: 1 }),
      new Files({ name: "both" }),
      new OwnCheck({ n: 1 }),
      new FromTable({ n: 2 }),
      new Files({ name: "file-only" }),
      new Files({ name: "memo-only" }),
      new Files({ name: "none" }),
      new OwnCheck({ n: 2 }),
      new Wrapper({ n: 5 }),
      new Wrapper({ n: 0 }),
    ];
    const answers = await completeInBulk(steps);
    expect(answers).toEqual([false, true, false, true, false, false, false, true, true, false]);
    // The family's bulkComplete has the last word on its steps; every other answer is complete()'s.
    const others = steps.filter((s) => !(s instanceof FromTable));
    expect(answers.filter((_, i) => !(steps[i] instanceof FromTable))).toEqual(
      await Promise.all(others.map((s) => s.complete())),
    );
    expect(bulkAsked).toEqual(["FromTable(n=1)", "FromTable(n=2)"]);
    MemoryTarget.clearAll();
  });
});

describe("a bulkComplete that answers something else than steps", () => {
  class Booleans extends Step.with({ n: param.int() }) {
    static override bulkComplete(steps: readonly Booleans[]): Booleans[] {
      return steps.map(() => true) as unknown as Booleans[];
    }
  }
  class Nothing extends Step.with({ n: param.int() }) {
    static override bulkComplete(): Booleans[] {
      return undefined as unknown as Booleans[];
    }
  }

  it("is refused with the family's name, instead of every step looking incomplete", async () => {
    await expect(completeInBulk([new Booleans({ n: 1 })])).rejects.toThrow(
      "Booleans.bulkComplete() returned an item that is not a step (true); return the complete steps among those it was given",
    );
    await expect(completeInBulk([new Nothing({ n: 1 })])).rejects.toThrow(
      "Nothing.bulkComplete() returned undefined; return the complete steps among those it was given",
    );
  });
});
