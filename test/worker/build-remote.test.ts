import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  build,
  ConfigError,
  ErrorCode,
  LuigiConfig,
  MemoryTarget,
  param,
  RemoteScheduler,
  SchedulerError,
  setActiveConfig,
  Step,
} from "../../src/index.js";
import { startAuthLuigid, tokenUser, writeUsers } from "../auth/helpers.js";
import { workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";

const ROUNDS = 3;
const runs: string[] = [];

class Part extends Step.with({ tag: param.str(), n: param.int() }) {
  output() {
    return new MemoryTarget(`part-${this.tag}-${this.n}`);
  }
  async run() {
    runs.push(`Part ${this.tag} ${this.n}`);
    await this.output().write(`${this.n}\n`);
  }
}

class Whole extends Step.with({ tag: param.str() }) {
  requires() {
    return [0, 1, 2].map((n) => new Part({ tag: this.tag, n }));
  }
  output() {
    return new MemoryTarget(`whole-${this.tag}`);
  }
  async run() {
    runs.push(`Whole ${this.tag}`);
    const parts = await Promise.all(this.input().map((t) => t.read()));
    await this.output().write(parts.join(""));
  }
}

beforeEach(() => {
  runs.length = 0;
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

/** Short waits: a test must not sit through Luigi's 30 s between attempts. */
const QUICK = LuigiConfig.fromString("[core]\nrpc_retry_wait = 0.2\n[worker]\nwait_interval = 0.1\n", "cfg");

/** The DONE steps luigid holds for `tag`. */
async function doneIn(url: string, tag: string): Promise<string[]> {
  const done = await rpc<Record<string, { name: string }>>(url, "task_list", { status: "DONE", search: tag });
  return Object.keys(done).sort();
}

describe("build({ schedulerUrl }) against a real luigid", () => {
  let daemon: RunningLuigid;
  beforeAll(async () => {
    const w = workdir();
    daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], { cwd: w.dir });
  }, 30_000);
  afterAll(async () => {
    await daemon?.stop();
  });

  it("runs the steps through luigid, which then holds them DONE; the next build finds them complete", async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const tag = `plain${round}`;
      runs.length = 0;
      const summary = await build([new Whole({ tag })], { schedulerUrl: daemon.url, config: QUICK });
      expect(summary.status, `round ${round}: ${summary.text}`).toBe("SUCCESS");
      expect(runs.sort()).toEqual([`Part ${tag} 0`, `Part ${tag} 1`, `Part ${tag} 2`, `Whole ${tag}`]);
      expect(await doneIn(daemon.url, tag)).toEqual(
        [new Whole({ tag }), ...new Whole({ tag }).dependencies()].map((s) => s.id).sort(),
      );
      runs.length = 0;
      const again = await build([new Whole({ tag })], { schedulerUrl: daemon.url, config: QUICK });
      expect(again.status).toBe("SUCCESS");
      expect(runs, `round ${round}`).toEqual([]);
    }
  }, 60_000);

  it("refuses contradictory or empty scheduler choices, and bad URLs, before running anything", async () => {
    const step = new Whole({ tag: "refused" });
    await expect(build([step], { schedulerUrl: daemon.url, localScheduler: true })).rejects.toThrow(
      /schedulerUrl and localScheduler: true exclude each other/,
    );
    await expect(
      build([step], { schedulerUrl: daemon.url, scheduler: new RemoteScheduler({ url: daemon.url }) }),
    ).rejects.toThrow(/scheduler and schedulerUrl exclude each other/);
    await expect(build([step], { schedulerUrl: " " })).rejects.toThrow(/schedulerUrl is empty/);
    const bad = build([step], { schedulerUrl: "ftp://127.0.0.1/" });
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    await expect(bad).rejects.toThrow(/the scheme must be http, https or http\+unix/);
    expect(runs).toEqual([]);
  });

  it("rejects with SCHEDULER_UNREACHABLE when nothing listens at the URL", async () => {
    // A port that was just free: luigid's own, after a throwaway luigid stopped.
    const w = workdir();
    const gone = await startLuigid(["--state-path", path.join(w.dir, "state.json")], { cwd: w.dir });
    await gone.stop();
    const failure = await build([new Whole({ tag: "nowhere" })], {
      schedulerUrl: gone.url,
      config: QUICK,
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SchedulerError);
    expect((failure as SchedulerError).code).toBe(ErrorCode.SCHEDULER_UNREACHABLE);
    expect(runs).toEqual([]);
  }, 30_000);
});

describe("build({ schedulerUrl }) against a luigid with [auth]", () => {
  let daemon: RunningLuigid;
  const robot = tokenUser("robot", "worker");
  beforeAll(async () => {
    const dir = workdir().dir;
    const users = path.join(dir, "users.json");
    await writeUsers(users, [
      { name: "builder", role: "worker", secret: "s3cret:/@" },
      { name: "looker", role: "viewer", secret: "look" },
      robot,
    ]);
    daemon = await startAuthLuigid(dir, users);
  }, 30_000);
  afterAll(async () => {
    await daemon?.stop();
  });

  const withUser = (user: string, password: string): string =>
    `http://${user}:${encodeURIComponent(password)}@127.0.0.1:${daemon.port}/`;

  it("authenticates with basic auth from the URL, a token from [core] scheduler_token, and LUIGI_SCHEDULER_TOKEN", async () => {
    const tokenConfig = LuigiConfig.fromString(
      `[core]\nrpc_retry_wait = 0.2\nscheduler_token = ${robot.secret}\n[worker]\nwait_interval = 0.1\n`,
      "cfg",
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const basic = await build([new Whole({ tag: `basic${round}` })], {
        schedulerUrl: withUser("builder", "s3cret:/@"),
        config: QUICK,
      });
      expect(basic.status, basic.text).toBe("SUCCESS");
      const fromConfig = await build([new Whole({ tag: `cfg${round}` })], {
        schedulerUrl: daemon.url,
        config: tokenConfig,
      });
      expect(fromConfig.status, fromConfig.text).toBe("SUCCESS");
      process.env.LUIGI_SCHEDULER_TOKEN = robot.secret;
      try {
        const fromEnv = await build([new Whole({ tag: `env${round}` })], {
          schedulerUrl: daemon.url,
          config: QUICK,
        });
        expect(fromEnv.status, fromEnv.text).toBe("SUCCESS");
      } finally {
        delete process.env.LUIGI_SCHEDULER_TOKEN;
      }
    }
    expect(runs).toHaveLength(ROUNDS * 3 * 4);
  }, 120_000);

  it("rejects at once, saying why, without credentials, with a wrong password or a viewer's", async () => {
    const attempts: [string, RegExp][] = [
      [daemon.url, /luigid needs credentials/],
      [withUser("builder", "nope"), /wrong user name or password/],
      [withUser("looker", "look"), /needs the worker role; looker is viewer/],
    ];
    for (const [url, why] of attempts) {
      const failure = await build([new Whole({ tag: "denied" })], { schedulerUrl: url, config: QUICK }).catch(
        (err: unknown) => err,
      );
      expect(failure, url).toBeInstanceOf(SchedulerError);
      expect((failure as SchedulerError).code).toMatch(/^(AUTH_REQUIRED|AUTH_FAILED|FORBIDDEN)$/);
      expect(String((failure as Error).message)).toMatch(why);
      expect(String((failure as Error).message)).not.toContain("nope");
    }
    expect(runs).toEqual([]);
  }, 60_000);
});
