/**
 * Workers against a luigid with `[auth]`, all real processes: luigi-ts's `luigi` with basic auth from
 * `--scheduler-url http://user:pass@...` and with a token (LUIGI_SCHEDULER_TOKEN), and a Python client
 * speaking Luigi's protocol as Luigi's RemoteScheduler does (form-encoded `data=` POSTs, the URL's
 * credentials as basic auth). Each runs its pipeline to the end, every round; wrong credentials stop a
 * worker at once with a message that says so.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { collect, startLuigi, workdir } from "../helpers/cli.js";
import type { RunningLuigid } from "../helpers/luigid.js";
import { startAuthLuigid, tokenUser, writeUsers } from "./helpers.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHAIN = path.join(HERE, "fixtures/chain.ts");
const PY_CLIENT = path.join(HERE, "fixtures/luigi_client.py");
const ROUNDS = 3;
const N = 12;

function python(): string | null {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return "python3";
  } catch {
    return null;
  }
}
const PYTHON = python();
if (!PYTHON) console.warn("the Python-client test is skipped: python3 is not installed");

const WORKER_CFG = `[core]
rpc_retry_wait = 0.5
rpc_connect_timeout = 5
[worker]
wait_interval = 0.1
wait_jitter = 0.1
ping_interval = 0.5
`;

function runsIn(log: string): string[] {
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
}

describe("workers against a luigid with [auth]", () => {
  let daemon: RunningLuigid;
  let dir: string;
  let port: number;
  const robot = tokenUser("robot", "worker");

  beforeAll(async () => {
    dir = workdir().dir;
    const users = path.join(dir, "users.json");
    await writeUsers(users, [
      { name: "worker1", role: "worker", secret: "p@ss:word/1" },
      { name: "py", role: "worker", secret: "py-secret" },
      { name: "looker", role: "viewer", secret: "look" },
      robot,
    ]);
    daemon = await startAuthLuigid(dir, users);
    port = daemon.port;
    writeFileSync(path.join(dir, "worker.cfg"), WORKER_CFG);
    writeFileSync(
      path.join(dir, "worker-token.cfg"),
      WORKER_CFG.replace("[core]\n", `[core]\nscheduler_token = ${robot.secret}\n`),
    );
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
  });

  const luigi = (round: string, url: string, env: Record<string, string> = {}) => {
    const log = path.join(dir, `${round}.log`);
    const child = startLuigi(
      ["--module", CHAIN, "Chain", "--tag", round, "--n", String(N), "--scheduler-url", url, "--no-lock"],
      {
        cwd: dir,
        env: {
          LUIGI_CONFIG_PATH: path.join(dir, "worker.cfg"),
          OUT: path.join(dir, round),
          LOG: log,
          ...env,
        },
      },
    );
    return { log, done: collect(child) };
  };

  it("luigi-ts's worker runs its pipeline with basic auth from --scheduler-url, and with a bearer token (environment or [core] scheduler_token)", async () => {
    // Characters that must be percent-encoded in a URL's password: the worker decodes them.
    const url = `http://worker1:${encodeURIComponent("p@ss:word/1")}@127.0.0.1:${port}`;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const run of [
        () => luigi(`basic-${round}`, url),
        () => luigi(`token-${round}`, `http://127.0.0.1:${port}`, { LUIGI_SCHEDULER_TOKEN: robot.secret }),
        () =>
          luigi(`cfg-token-${round}`, `http://127.0.0.1:${port}`, {
            LUIGI_CONFIG_PATH: path.join(dir, "worker-token.cfg"),
          }),
      ]) {
        const { log, done } = run();
        const result = await done;
        expect(result.code, `round ${round}: ${result.stdout}${result.stderr}`).toBe(0);
        expect(runsIn(log), `round ${round}`).toHaveLength(N);
        // The password is never printed, not even in the scheduler URL the worker shows.
        expect(result.stdout + result.stderr).not.toContain("p@ss");
      }
    }
  }, 120_000);

  it("a worker with a wrong password or a viewer's credentials stops at once, saying why", async () => {
    const wrong = await luigi("wrong", `http://worker1:nope@127.0.0.1:${port}`).done;
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr + wrong.stdout).toContain("wrong user name or password");
    const viewer = await luigi("viewer", `http://looker:look@127.0.0.1:${port}`).done;
    expect(viewer.code).not.toBe(0);
    expect(viewer.stderr + viewer.stdout).toMatch(/needs the worker role; looker is viewer/);
    const both = await luigi("both", `http://worker1:x@127.0.0.1:${port}`, {
      LUIGI_SCHEDULER_TOKEN: robot.secret,
    }).done;
    expect(both.code).not.toBe(0);
    expect(both.stderr + both.stdout).toContain("LUIGI_SCHEDULER_TOKEN");
  }, 60_000);

  it.skipIf(PYTHON === null)(
    "a Python client speaking Luigi's protocol runs its pipeline with basic auth from the URL",
    async () => {
      for (let round = 1; round <= ROUNDS; round++) {
        const log = path.join(dir, `py-${round}.log`);
        const out = execFileSync(
          PYTHON as string,
          [PY_CLIENT, `http://py:py-secret@127.0.0.1:${port}/`, String(N), log],
          {
            encoding: "utf8",
            timeout: 60_000,
          },
        );
        expect(JSON.parse(out.trim()), `round ${round}`).toEqual({ ran: N });
        const runs = runsIn(log).map((line) => line.split(" ")[0]);
        // In dependency order, each once.
        expect(runs.map((id) => Number(/^PyChain_(\d+)_/.exec(id ?? "")?.[1]))).toEqual(
          Array.from({ length: N }, (_, i) => i),
        );
      }
      // The same client without credentials is refused with 401.
      let refused = "";
      try {
        execFileSync(
          PYTHON as string,
          [PY_CLIENT, `http://127.0.0.1:${port}/`, "1", path.join(dir, "py-none.log")],
          {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
      } catch (err) {
        refused = String((err as { stderr?: string }).stderr);
      }
      expect(refused).toContain("HTTP 401");
      expect(refused).toContain("AUTH_REQUIRED");
    },
    120_000,
  );
});
