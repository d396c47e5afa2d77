// luigi-ts/s3 against a real S3-compatible server (S3rver, started here on 127.0.0.1 with its objects in
// a temporary directory), through the AWS SDK v3: never a mock.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, LuigiError } from "../../src/errors.js";
import { build, completeInBulk, param, Step } from "../../src/index.js";
import {
  closeS3Connections,
  S3FileSystem,
  S3FlagStep,
  S3FlagTarget,
  S3PathStep,
  S3Target,
  type S3Options,
} from "../../src/contrib/s3/index.js";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import { projectWithout } from "../helpers/project-without.js";
import { S3RVER_KEY_ID, S3RVER_SECRET, startS3Server, type S3TestServer } from "../helpers/s3-server.js";

const run = promisify(execFile);
const BUCKET = "luigi-test";
let server: S3TestServer;
let options: S3Options;
let fs: S3FileSystem;

const url = (key: string): string => `s3://${BUCKET}/${key}`;
const codeOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof LuigiError ? e.code : e),
  );
const errorOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );
/** The requests the server received while `fn` ran. */
async function requestsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  await server.sync();
  const from = server.requests.length;
  await fn();
  await server.sync();
  return server.requests.slice(from);
}

describe("luigi-ts/s3", () => {
  beforeAll(async () => {
    server = await startS3Server([BUCKET, "luigi-other"]);
    options = {
      endpointUrl: server.endpoint,
      accessKeyId: S3RVER_KEY_ID,
      secretAccessKey: S3RVER_SECRET,
      forcePathStyle: true,
    };
    fs = new S3FileSystem(options);
  });
  afterAll(async () => {
    closeS3Connections();
    await server?.close();
  });

  it("write/read round trips in each format; a missing object is TARGET_NOT_FOUND", async () => {
    const text = new S3Target(url("round/t.txt"), { fs });
    expect(await text.exists()).toBe(false);
    expect(await codeOf(text.read())).toBe(ErrorCode.TARGET_NOT_FOUND);
    await text.write("héllo\nwörld\n");
    expect(await text.exists()).toBe(true);
    expect(await text.read()).toBe("héllo\nwörld\n");
    const chunks: unknown[] = [];
    for await (const chunk of text.openRead()) chunks.push(chunk);
    expect(chunks.join("")).toBe("héllo\nwörld\n");
    expect(typeof chunks[0]).toBe("string");

    const zipped = new S3Target(url("round/z.gz"), { fs, format: "gzip" });
    await zipped.write("compressed ".repeat(1000));
    expect((await fs.get(zipped.path)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await zipped.read()).toBe("compressed ".repeat(1000));
    const streamed = new S3Target(url("round/s.gz"), { fs, format: "gzip" });
    await streamed.writeFrom(["a,b\n", "1,2\n"]);
    expect(await streamed.read()).toBe("a,b\n1,2\n");

    const bytes = new S3Target(url("round/b.bin"), { fs, format: "binary" });
    await bytes.write(new Uint8Array([0, 1, 255]));
    expect(await bytes.readBytes()).toEqual(Buffer.from([0, 1, 255]));

    const missing = new S3Target(url("round/none.txt"), { fs });
    const err = await new Promise<unknown>((resolve) => {
      missing.openRead().on("error", resolve).resume();
    });
    expect((err as LuigiError).code).toBe(ErrorCode.TARGET_NOT_FOUND);
    expect((err as Error).message).toContain(url("round/none.txt"));
    await text.remove();
    expect(await text.exists()).toBe(false);
    await text.remove(); // nothing there: no error
  });

  it("streams a large object as a multipart upload, completed only at the end", async () => {
    const target = new S3Target(url("big/data.bin"), { fs, format: "binary" });
    const part = Buffer.alloc(1024 * 1024);
    const sent = createHash("sha256");
    const requests = await requestsDuring(async () => {
      async function* data() {
        for (let i = 0; i < 12; i++) {
          part.fill(i);
          sent.update(part);
          yield Buffer.from(part);
        }
      }
      await pipeline(Readable.from(data()), target.openWrite());
    });
    expect(requests.filter((r) => r.startsWith("POST") && r.includes("?uploads"))).toHaveLength(1);
    expect(requests.filter((r) => r.startsWith("PUT") && r.includes("partNumber="))).toHaveLength(3);
    expect(requests.filter((r) => r.startsWith("POST") && r.includes("uploadId="))).toHaveLength(1);
    const read = createHash("sha256");
    let size = 0;
    for await (const chunk of target.openRead()) {
      read.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(size).toBe(12 * 1024 * 1024);
    expect(read.digest("hex")).toBe(sent.digest("hex"));

    // A copy above partSize goes in UploadPartCopy parts (above 5 GiB unless told), then completes.
    // Its source is stored with one PutObject: S3rver's HEAD of a multipart-uploaded object has no size.
    const source = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < source.length; i += 4096) source[i] = (i / 4096) % 251;
    await fs.put(url("big/source.bin"), source);
    const copying = await requestsDuring(() =>
      fs.copy(url("big/source.bin"), url("big/copy.bin"), { partSize: 5 * 1024 * 1024 }),
    );
    expect(copying.filter((r) => r.startsWith("PUT") && r.includes("partNumber="))).toHaveLength(3);
    expect(copying.filter((r) => r.startsWith("POST") && r.includes("uploadId="))).toHaveLength(1);
    expect((await fs.get(url("big/copy.bin"))).equals(source)).toBe(true);
    await expect(fs.copy(target.path, url("big/x"), { partSize: 1024 })).rejects.toThrow("at least 5 MiB");
  });

  it("a write that fails half-way leaves no object: the multipart upload aborted, a small one never sent", async () => {
    const big = new S3Target(url("fail/big.bin"), { fs, format: "binary" });
    const requests = await requestsDuring(async () => {
      const out = big.openWrite();
      const failed = new Promise<unknown>((resolve) => out.on("error", resolve));
      const closed = new Promise((resolve) => out.on("close", resolve));
      const partsBefore = server.requests.filter((r) => r.includes("partNumber=")).length;
      for (let i = 0; i < 7; i++) out.write(Buffer.alloc(1024 * 1024, i));
      // Wait for the first part to be on the server, then fail.
      for (let t = 0; t < 200; t++) {
        await server.sync();
        if (server.requests.filter((r) => r.includes("partNumber=")).length > partsBefore) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      out.destroy(new Error("the source broke"));
      expect(((await failed) as Error).message).toBe("the source broke");
      await closed;
    });
    expect(requests.some((r) => r.includes("partNumber=1"))).toBe(true);
    expect(requests.some((r) => r.startsWith("DELETE") && r.includes("uploadId="))).toBe(true);
    expect(requests.some((r) => r.startsWith("POST") && r.includes("uploadId="))).toBe(false);
    expect(await big.exists()).toBe(false);
    expect(await fs.listdir(url("fail/"))).toEqual([]);

    const small = new S3Target(url("fail/small.txt"), { fs });
    const smallRequests = await requestsDuring(async () => {
      await expect(
        pipeline(
          Readable.from(
            (async function* () {
              yield "a first line\n";
              throw new Error("the source broke");
            })(),
          ),
          small.openWrite(),
        ),
      ).rejects.toThrow("the source broke");
    });
    expect(smallRequests.filter((r) => r.startsWith("PUT"))).toEqual([]);
    expect(await small.exists()).toBe(false);
  });

  it("S3FlagTarget: a directory complete once its _SUCCESS flag is there", async () => {
    const dir = new S3FlagTarget(url("flagged/2026-11-20/"), { fs });
    expect(String(dir.flagPath)).toBe(url("flagged/2026-11-20/_SUCCESS"));
    await dir.child("part-0").write("0\n");
    expect(await fs.isdir(dir.path)).toBe(true);
    expect(await dir.exists()).toBe(false);
    await dir.touch();
    expect(await dir.exists()).toBe(true);
    expect(await dir.listdir()).toEqual([
      url("flagged/2026-11-20/_SUCCESS"),
      url("flagged/2026-11-20/part-0"),
    ]);
    const custom = new S3FlagTarget(url("flagged/2026-11-20/"), { fs, flag: "DONE" });
    expect(await custom.exists()).toBe(false);
    expect(() => new S3FlagTarget(url("flagged/2026-11-20"), { fs })).toThrow('ending with "/"');
    expect(() => new S3FlagTarget(url("flagged/"), { fs, flag: "a/b" })).toThrow("without");
    expect(new S3FlagStep({ path: url("flagged/2026-11-20/") }).output().flagPath).toBe(dir.flagPath);
    expect(new S3FlagStep({ path: url("d/"), flag: "DONE" }).output().flag).toBe("DONE");
    expect(new S3PathStep({ path: url("x.csv") }).output().key).toBe("x.csv");
  });

  it("listdir, isdir, mkdir, copy, move and remove as Luigi's S3Client (prefixes, markers)", async () => {
    for (const key of ["tree/a.txt", "tree/sub/b.txt", "tree/sub/deep/c.txt", "treetop.txt"])
      await fs.put(url(key), key);
    expect(await fs.listdir(url("tree"))).toEqual([
      url("tree/a.txt"),
      url("tree/sub/b.txt"),
      url("tree/sub/deep/c.txt"),
    ]);
    expect(await fs.listdir(url("tree/"))).toHaveLength(3);
    expect(await fs.listdir(url("nothing"))).toEqual([]);
    expect(await codeOf(fs.listdir(url("tree/a.txt")))).toBe(ErrorCode.TARGET_NOT_A_DIRECTORY);
    expect(await fs.isdir(url("tree"))).toBe(true);
    expect(await fs.isdir(url("tree/sub/"))).toBe(true);
    expect(await fs.isdir(url("tree/a.txt"))).toBe(false);
    expect(await fs.isdir(url("tre"))).toBe(false);
    expect(await fs.isdir(`s3://${BUCKET}`)).toBe(true);
    expect(await fs.exists(`s3://${BUCKET}/`)).toBe(true);
    expect(await fs.exists("s3://luigi-no-such-bucket/")).toBe(false);
    expect(await fs.exists(url("tree/sub"))).toBe(true);
    expect(await fs.exists(url("tree/su"))).toBe(false);

    // mkdir: an empty `dir/` marker; Luigi's `dir_$folder$` counts as a directory too.
    await fs.mkdir(url("made/here"));
    expect(await fs.isdir(url("made/here"))).toBe(true);
    expect(await fs.listdir(url("made"))).toEqual([]);
    await fs.mkdir(url("made/here")); // exists already: fine
    expect(await codeOf(fs.mkdir(url("made/here"), { raiseIfExists: true }))).toBe(ErrorCode.TARGET_EXISTS);
    expect(await codeOf(fs.mkdir(url("no/parent"), { parents: false }))).toBe(
      ErrorCode.TARGET_PARENT_MISSING,
    );
    await fs.mkdir(url("made/here/child"), { parents: false });
    expect(await codeOf(fs.mkdir(url("tree/a.txt")))).toBe(ErrorCode.TARGET_NOT_A_DIRECTORY);
    await fs.put(url("hadoop_$folder$"), "");
    expect(await fs.isdir(url("hadoop"))).toBe(true);

    // copy: an object, or a directory's objects; move: copy, then remove.
    await fs.copy(url("tree/a.txt"), url("copies/a.txt"));
    expect((await fs.get(url("copies/a.txt"))).toString()).toBe("tree/a.txt");
    expect(await codeOf(fs.copy(url("tree/a.txt"), url("copies/a.txt"), { raiseIfExists: true }))).toBe(
      ErrorCode.TARGET_EXISTS,
    );
    expect(await codeOf(fs.copy(url("tree/none"), url("copies/none")))).toBe(ErrorCode.TARGET_NOT_FOUND);
    await fs.copy(url("tree/sub"), `s3://luigi-other/sub-copy`);
    expect(await fs.listdir("s3://luigi-other/sub-copy")).toEqual([
      "s3://luigi-other/sub-copy/b.txt",
      "s3://luigi-other/sub-copy/deep/c.txt",
    ]);
    const moved = await new S3Target(url("copies/a.txt"), { fs }).move(url("moved/a.txt"));
    expect(await moved.read()).toBe("tree/a.txt");
    expect(await fs.exists(url("copies/a.txt"))).toBe(false);
    await fs.move(url("tree/sub"), url("moved/sub"));
    expect(await fs.listdir(url("moved"))).toEqual([
      url("moved/a.txt"),
      url("moved/sub/b.txt"),
      url("moved/sub/deep/c.txt"),
    ]);
    expect(await fs.exists(url("tree/sub"))).toBe(false);
    expect(await codeOf(fs.renameDontMove(url("tree/a.txt"), url("moved/a.txt")))).toBe(
      ErrorCode.TARGET_EXISTS,
    );

    // remove: an object; a directory only recursively (its markers too); never a bucket's root.
    expect(await codeOf(fs.remove(url("moved"), { recursive: false }))).toBe(ErrorCode.TARGET_IO);
    await fs.remove(url("moved"));
    expect(await fs.exists(url("moved"))).toBe(false);
    await fs.remove(url("made"));
    expect(await fs.isdir(url("made/here"))).toBe(false);
    await fs.remove(url("hadoop"));
    expect(await fs.isdir(url("hadoop"))).toBe(false);
    expect(await codeOf(fs.remove(`s3://${BUCKET}/`))).toBe(ErrorCode.TARGET_IO);
    // More objects than a page of ListObjectsV2 or a DeleteObjects request takes (1,000).
    const names = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, "0")}`);
    for (let i = 0; i < names.length; i += 25)
      await Promise.all(names.slice(i, i + 25).map((name) => fs.put(url(name), "x")));
    expect(await fs.listdir(url("many"))).toEqual(names.map(url));
    const removal = await requestsDuring(() => fs.remove(url("many/")));
    expect(removal.filter((r) => r.startsWith("POST") && r.includes("?delete"))).toHaveLength(2);
    expect(await fs.listdir(url("many"))).toEqual([]);
    expect(await fs.exists(url("treetop.txt"))).toBe(true);
  });

  it("temporaryPath() renames into place on success, leaves nothing on failure", async () => {
    const target = new S3Target(url("tmp/out.txt"), { fs });
    await expect(
      target.temporaryPath(async (tmp) => {
        expect(tmp).toMatch(/^s3:\/\/luigi-test\/tmp\/out\.txt-luigi-tmp-\d{10}$/);
        await fs.put(tmp, "half");
        throw new Error("the program failed");
      }),
    ).rejects.toThrow("the program failed");
    expect(await fs.listdir(url("tmp"))).toEqual([]);
    await target.temporaryPath((tmp) => fs.put(tmp, "whole"));
    expect(await target.read()).toBe("whole");
    expect(await fs.listdir(url("tmp"))).toEqual([url("tmp/out.txt")]);
  });

  it("existsInBulk / completeInBulk: one listing per directory", async () => {
    class Day extends Step.with({ n: param.int() }) {
      output() {
        return new S3Target(url(`bulk/day-${this.n}.csv`), { fs });
      }
    }
    const steps = Array.from({ length: 30 }, (_, n) => new Day({ n }));
    for (const n of [0, 7, 29]) await steps[n]?.output().write("x");
    await fs.mkdir(url("bulk/day-12.csv")); // a directory counts, as exists() says
    const expected = steps.map((_, n) => [0, 7, 12, 29].includes(n));
    const requests = await requestsDuring(async () => {
      expect(await S3Target.existsInBulk(steps.map((s) => s.output()))).toEqual(expected);
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^GET \/luigi-test\/?\?.*list-type=2/);
    expect(await completeInBulk(steps)).toEqual(expected);
    const flags = [
      new S3FlagTarget(url("flagged/2026-11-20/"), { fs }),
      new S3FlagTarget(url("bulk/"), { fs }),
    ];
    expect(await S3Target.existsInBulk(flags)).toEqual([true, false]);
  });

  it("bad paths, bad settings and refused credentials: typed errors naming bucket, key and endpoint, never a secret", async () => {
    for (const bad of ["http://bucket/key", "/tmp/file", "s3:/bucket/key", "s3:///key", ""]) {
      let err: unknown;
      try {
        new S3Target(bad);
      } catch (e) {
        err = e;
      }
      expect((err as LuigiError).code, bad).toBe(ErrorCode.TARGET_PATH_INVALID);
      expect((err as Error).message).toContain("expected s3://bucket/key");
    }
    expect(await codeOf(fs.exists("gs://bucket/key"))).toBe(ErrorCode.TARGET_PATH_INVALID);

    const secret = "wJalrXUtnFEMI-do-not-show";
    const refused = new S3Target(url("secret/x.txt"), {
      s3: { ...options, accessKeyId: "AKIAUNKNOWN", secretAccessKey: secret },
    });
    for (const attempt of [() => refused.exists(), () => refused.write("x"), () => refused.read()]) {
      const err = await errorOf(attempt());
      expect(err).toBeInstanceOf(LuigiError);
      const message = (err as Error).message;
      expect(message).toContain(`S3 at ${server.endpoint}`);
      expect(message).toContain(url("secret/x.txt"));
      const everything = message + JSON.stringify(err) + inspect(err, { depth: 10 });
      expect(everything).not.toContain(secret);
    }
    const down = new S3Target(url("k"), {
      s3: { ...options, endpointUrl: "http://admin:pa55word@127.0.0.1:1" },
    });
    const err = await errorOf(down.exists());
    expect((err as Error).message).toContain(
      "S3 at http://admin:***@127.0.0.1:1: cannot check s3://luigi-test/k",
    );
    expect(JSON.stringify(err) + inspect(err, { depth: 10 })).not.toContain("pa55word");
    expect(await codeOf(new S3Target(url("k"), { s3: { endpointUrl: "ftp://host" } }).exists())).toBe(
      ErrorCode.CONFIG_INVALID,
    );
    const half = await errorOf(
      new S3Target(url("k"), { s3: { accessKeyId: "AKIA", secretAccessKey: "" } }).exists(),
    );
    expect((half as LuigiError).code).toBe(ErrorCode.CONFIG_INVALID);
    expect((half as Error).message).toContain("without its secret access key");
  });

  it("steps through `luigi` ([s3] config; then AWS_* variables): a rerun does nothing; a failed write leaves no object", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    // S3rver checks the key id only: any secret signs, so this one can be looked for in the output.
    const CLI_SECRET = "cli-secret-never-shown-7731";
    writeFileSync(
      cfg,
      `[s3]\nendpoint_url = ${server.endpoint}\nregion = eu-west-1\naccess_key_id = ${S3RVER_KEY_ID}\n` +
        `secret_access_key = ${CLI_SECRET}\nforce_path_style = true\n`,
    );
    const env = { LUIGI_CONFIG_PATH: cfg, BUCKET, PREFIX: "cli", LOG: w.log };
    const day = ["--day", "2026-11-20", "--local-scheduler"];
    const archive = ["--module", path.join(FIXTURES, "stores.ts"), "S3ArchiveDay", ...day];
    const failed = await collect(startLuigi([...archive, "--fail-after", "1"], { cwd: w.dir, env }));
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).not.toContain(CLI_SECRET);
    expect(failed.stdout + failed.stderr).toContain("the source broke after 1 rows");
    expect(await fs.exists(url("cli/sales/2026-11-20.csv"))).toBe(false);

    const first = await collect(startLuigi([...archive, "--log-level", "DEBUG"], { cwd: w.dir, env }));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout + first.stderr).not.toContain(CLI_SECRET);
    expect((await fs.get(url("cli/sales/2026-11-20.csv"))).toString()).toBe(
      "shop,amount\nshop-0,0\nshop-1,1\nshop-2,2\n",
    );
    const flag = ["--module", path.join(FIXTURES, "stores.ts"), "S3PartsDay", ...day];
    expect((await collect(startLuigi(flag, { cwd: w.dir, env }))).code).toBe(0);
    expect(await fs.listdir(url("cli/parts/2026-11-20/"))).toHaveLength(3);

    // The AWS SDK's own chain: no [s3] at all.
    const awsEnv = {
      BUCKET,
      PREFIX: "cli",
      LOG: w.log,
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: S3RVER_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3RVER_SECRET,
    };
    for (const args of [archive, flag]) {
      const again = await collect(startLuigi(args, { cwd: w.dir, env: awsEnv }));
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain("1 complete ones were encountered");
    }
    expect(w.runs()).toEqual(["S3ArchiveDay 2026-11-20", "S3ArchiveDay 2026-11-20", "S3PartsDay 2026-11-20"]);
    // Luigi's S3FlagTask and S3PathTask: external, complete once the data is there.
    const external = ["--module", path.join(FIXTURES, "stores.ts"), "--local-scheduler"];
    const flagStep = await collect(
      startLuigi([...external, "S3FlagStep", "--path", url("cli/parts/2026-11-20/")], {
        cwd: w.dir,
        env: awsEnv,
      }),
    );
    expect(flagStep.code, flagStep.stderr).toBe(0);
    expect(flagStep.stdout).toContain("1 complete ones were encountered");
    const missing = await collect(
      startLuigi([...external, "S3PathStep", "--path", url("cli/none.csv")], { cwd: w.dir, env: awsEnv }),
    );
    expect(missing.stdout).toContain("were missing external dependencies");
  });

  it("a step in process: failed run leaves no object, its retry writes it, build() reruns nothing", async () => {
    let attempts = 0;
    class Archive extends Step.with({ broken: param.bool({ default: true, significant: false }) }) {
      output() {
        return new S3Target(url("inproc/archive.csv"), { fs });
      }
      async run() {
        attempts++;
        const out = this.output().openWrite();
        const failed = new Promise((resolve) => out.on("error", resolve));
        out.write("header\n");
        if (this.broken) {
          out.destroy(new Error("the export failed"));
          await failed;
          throw new Error("the export failed");
        }
        out.end("row\n");
        await new Promise((resolve, reject) => out.on("finish", resolve).on("error", reject));
      }
    }
    expect((await build([new Archive({})], { localScheduler: true })).status).toBe("FAILED");
    expect(await fs.exists(url("inproc/archive.csv"))).toBe(false);
    Archive.clearInstanceCache();
    expect((await build([new Archive({ broken: false })], { localScheduler: true })).status).toBe("SUCCESS");
    const rerun = await build([new Archive({ broken: false })], { localScheduler: true });
    expect(rerun.categories.already_done).toHaveLength(1);
    expect(attempts).toBe(2);
  });

  it("without the AWS SDK's packages installed: PACKAGE_MISSING naming the package and the command", async () => {
    const outcome = async (project: string, script: string): Promise<unknown> => {
      try {
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
          cwd: project,
        });
        return JSON.parse(stdout);
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    };
    const report = `console.log(JSON.stringify({ code: e.code, message: e.message }))`;
    expect(
      await outcome(
        projectWithout(["@aws-sdk/client-s3", "@aws-sdk/lib-storage"]),
        `import { S3Target } from "luigi-ts/s3";
         try { await new S3Target("s3://bucket/key").exists(); } catch (e) { ${report}; }`,
      ),
    ).toEqual({
      code: ErrorCode.PACKAGE_MISSING,
      message:
        "luigi-ts/s3 needs the npm package @aws-sdk/client-s3, which is not installed: run `npm install @aws-sdk/client-s3`",
    });
    // Only lib-storage missing: everything works but streaming writes, whose stream fails saying so.
    expect(
      await outcome(
        projectWithout(["@aws-sdk/lib-storage"]),
        `import { S3Target } from "luigi-ts/s3";
         new S3Target("s3://bucket/key", { s3: { endpointUrl: "http://127.0.0.1:1" } }).openWrite().on("error", (e) => ${report});`,
      ),
    ).toEqual({
      code: ErrorCode.PACKAGE_MISSING,
      message:
        "luigi-ts/s3's streaming writes needs the npm package @aws-sdk/lib-storage, which is not installed: run `npm install @aws-sdk/lib-storage`",
    });
  });
});
