// luigi-ts/redis against the real Redis of LUIGI_TEST_REDIS_URL (skipped without it). The file's keys
// all start with a prefix of its own, deleted at the end.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LuigiError } from "../../src/errors.js";
import { build, completeInBulk, param, Step } from "../../src/index.js";
import { closeRedisConnections, RedisTarget } from "../../src/contrib/redis/index.js";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";

const URL_ = process.env.LUIGI_TEST_REDIS_URL ?? "";
const PREFIX = `luigi_test_${process.pid}_${Date.now().toString(36)}`;

let admin: ReturnType<typeof createClient>;

describe.skipIf(URL_ === "")("luigi-ts/redis", () => {
  beforeAll(async () => {
    admin = createClient({ url: URL_ });
    await admin.connect();
  });
  afterAll(async () => {
    await closeRedisConnections();
    if (admin === undefined) return;
    for await (const keys of admin.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 }))
      if (keys.length > 0) await admin.del(keys);
    await admin.close();
  });

  it("a step marked through `luigi` ([redis] url): Luigi's hash with its expiry; a rerun (REDIS_URL) does nothing", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, `[redis]\nurl = ${URL_}\n`);
    const args = [
      "--module",
      path.join(FIXTURES, "stores.ts"),
      "RedisMarkDay",
      "--day",
      "2026-11-20",
      "--local-scheduler",
    ];
    const first = await collect(
      startLuigi(args, { cwd: w.dir, env: { LUIGI_CONFIG_PATH: cfg, PREFIX, LOG: w.log } }),
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("1 ran successfully");
    const key = `${PREFIX}:sales-2026-11-20`;
    const hash = await admin.hGetAll(key);
    expect(hash["update_id"]).toBe("sales-2026-11-20");
    expect(new Date(hash["date"] ?? "").getTime()).not.toBeNaN();
    const ttl = await admin.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(7 * 86400);

    const again = await collect(
      startLuigi(args, { cwd: w.dir, env: { REDIS_URL: URL_, PREFIX, LOG: w.log } }),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("1 complete ones were encountered");
    expect(w.runs()).toEqual(["RedisMarkDay 2026-11-20"]);
  });

  it("exists, touch (without expiry the key stays), remove; the marker goes when the key expires", async () => {
    const target = new RedisTarget({ updateId: "u-1", url: URL_, markerPrefix: PREFIX });
    expect(target.markerKey()).toBe(`${PREFIX}:u-1`);
    expect(String(target)).toBe(`${PREFIX}:u-1`);
    expect(await target.exists()).toBe(false);
    await target.touch();
    expect(await target.exists()).toBe(true);
    expect(await admin.ttl(target.markerKey())).toBe(-1);
    // Expiry as the server applies it: a key whose expiry time has passed is a marker no more.
    await admin.pExpireAt(target.markerKey(), 1);
    expect(await target.exists()).toBe(false);
    await target.touch();
    await target.remove();
    expect(await target.exists()).toBe(false);
    await target.remove(); // nothing there: no error
    expect(() => new RedisTarget({ updateId: "x", expire: 0.5 })).toThrow("expected whole seconds above 0");
  });

  it("a step whose run() fails before touch() leaves no marker; its retry marks it; build() reruns nothing", async () => {
    let attempts = 0;
    class Publish extends Step.with({
      day: param.date(),
      broken: param.bool({ default: true, significant: false }),
    }) {
      output() {
        return new RedisTarget({ updateId: "publish", url: URL_, markerPrefix: PREFIX });
      }
      async run() {
        attempts++;
        if (this.broken) throw new Error("the publisher is down");
        await this.output().touch();
      }
    }
    const day = new Date("2026-11-20");
    expect((await build([new Publish({ day })], { localScheduler: true })).status).toBe("FAILED");
    expect(await admin.exists(`${PREFIX}:publish`)).toBe(0);
    Publish.clearInstanceCache();
    expect((await build([new Publish({ day, broken: false })], { localScheduler: true })).status).toBe(
      "SUCCESS",
    );
    const rerun = await build([new Publish({ day, broken: false })], { localScheduler: true });
    expect(rerun.categories.already_done).toHaveLength(1);
    expect(attempts).toBe(2);
  });

  it("existsInBulk / completeInBulk: the marked among many, their EXISTS sent together", async () => {
    class Day extends Step.with({ n: param.int() }) {
      output() {
        return new RedisTarget({ updateId: `day-${this.n}`, url: URL_, markerPrefix: PREFIX });
      }
    }
    const steps = Array.from({ length: 30 }, (_, n) => new Day({ n }));
    for (const n of [0, 7, 29]) await steps[n]?.output().touch();
    const expected = steps.map((_, n) => [0, 7, 29].includes(n));
    expect(await RedisTarget.existsInBulk(steps.map((s) => s.output()))).toEqual(expected);
    expect(await completeInBulk(steps)).toEqual(expected);
  });

  it("a server that does not answer is a TargetError naming it, the password masked", async () => {
    const target = new RedisTarget({ updateId: "u", url: "redis://luigi:s3cr3t@127.0.0.1:1/0" });
    const err = await target.exists().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LuigiError);
    expect((err as Error).message).toContain(
      "Redis redis://luigi:***@127.0.0.1:1/0: cannot check the marker luigi:u",
    );
    expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain("s3cr3t");
  });
});
