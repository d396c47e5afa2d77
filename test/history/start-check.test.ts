// luigid checks its history database before it serves (a real luigid process each time): a database that
// refuses the configuration (no such database, failed authentication, an unusable SQLite path) stops it
// with a message and exit code 1, no stack trace and no password; a server that does not answer at all
// lets it start (the writer retries, as for an outage later on).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect, workdir } from "../helpers/cli.js";
import { LUIGID_BIN, startLuigid } from "../helpers/luigid.js";

const PASSWORD = "pw-Zq81-secret";
/** Well under the 5 s luigid gives a server to answer, and far under a retry loop. */
const PROMPTLY_MS = 10_000;

function withDb(base: string, change: (u: URL) => void): string {
  const u = new URL(base);
  change(u);
  return u.toString();
}

const unique = (): string => `luigi_nosuch_${process.pid}_${Date.now().toString(36)}`;

/** Runs luigid with this db_connection until it exits (killed after 20 s if it does not). */
async function luigidWith(dbConnection: string) {
  const w = workdir();
  const cfg = writeCfg(
    w.dir,
    `[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = ${dbConnection}\n`,
  );
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [LUIGID_BIN, "--address", "127.0.0.1", "--port", "0", "--state-path", path.join(w.dir, "state.json")],
    { cwd: w.dir, env: { ...process.env, LUIGI_CONFIG_PATH: cfg }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const result = await collect(child);
  clearTimeout(killer);
  return { ...result, output: result.stdout + result.stderr, millis: Date.now() - started, dir: w.dir };
}

/** Exit code 1, soon, with the message: no stack trace, no password. */
function expectRefused(r: Awaited<ReturnType<typeof luigidWith>>, words: RegExp): void {
  expect(r.code, r.output).toBe(1);
  expect(r.millis).toBeLessThan(PROMPTLY_MS);
  expect(r.stderr).toMatch(/luigid: could not start: \[step_history\] db_connection = /);
  expect(r.stderr).toMatch(words);
  expect(r.output).not.toMatch(/\n\s+at /);
  expect(r.output).not.toContain(PASSWORD);
  expect(r.output).not.toContain("listening");
}

const POSTGRES = process.env.LUIGI_TEST_POSTGRES_URL;
const MYSQL = process.env.LUIGI_TEST_MYSQL_URL;

describe.skipIf(!POSTGRES)("luigid's history start check on PostgreSQL", () => {
  it("stops, naming the database, when it does not exist", async () => {
    const name = unique();
    const url = withDb(POSTGRES!, (u) => {
      u.pathname = `/${name}`;
      u.password = PASSWORD;
    });
    expectRefused(await luigidWith(url), new RegExp(`database "${name}" does not exist`));
  });

  it("stops, naming authentication and the user, when the server refuses the login", async () => {
    // An unknown role: refused under every pg_hba method, "trust" included (which ignores passwords).
    const url = withDb(POSTGRES!, (u) => {
      u.username = "luigi_no_such_role";
      u.password = PASSWORD;
    });
    expectRefused(await luigidWith(url), /authentication failed for user "luigi_no_such_role"/);
  });
});

describe.skipIf(!MYSQL)("luigid's history start check on MySQL / MariaDB", () => {
  it("stops, naming the database, when it does not exist", async () => {
    const name = unique();
    const url = withDb(MYSQL!, (u) => (u.pathname = `/${name}`));
    expectRefused(await luigidWith(url), new RegExp(`database "${name}" does not exist`));
  });

  it("stops, naming authentication and the user, on a bad password", async () => {
    const url = withDb(MYSQL!, (u) => (u.password = PASSWORD));
    const user = new URL(MYSQL!).username;
    expectRefused(await luigidWith(url), new RegExp(`authentication failed for user "${user}"`));
  });
});

describe("luigid's history start check on SQLite", () => {
  it("stops when the file's directory does not exist, and creates nothing", async () => {
    const w = workdir();
    const missing = path.join(w.dir, "no", "such", "dir");
    const r = await luigidWith(`sqlite:///${missing}/history.db`);
    expectRefused(r, new RegExp(`the directory ${missing} does not exist`));
    expect(existsSync(path.join(w.dir, "no"))).toBe(false);
  });

  it("stops when the path is not usable: a file as its directory, a directory as the file, not a database", async () => {
    const w = workdir();
    const file = path.join(w.dir, "plain.txt");
    writeFileSync(file, "this is not a database, it is a text file of some length\n");
    expectRefused(await luigidWith(`sqlite:///${file}/history.db`), /plain\.txt is not a directory/);
    expectRefused(await luigidWith(`sqlite:///${w.dir}`), /is not a file/);
    expectRefused(await luigidWith(`sqlite:///${file}`), /plain\.txt is not a SQLite database/);
  });

  it("creates the directory of the default location, beside the state file", async () => {
    const w = workdir();
    const statePath = path.join(w.dir, "state", "dir", "state.json");
    const daemon = await startLuigid(["--state-path", statePath], {
      cwd: w.dir,
      env: { LUIGI_CONFIG_PATH: writeCfg(w.dir, "[scheduler]\nrecord_step_history = true\n") },
    });
    try {
      const res = await fetch(`${daemon.url}/history`, { headers: { accept: "application/json" } });
      expect(res.status).toBe(200);
      expect(daemon.output()).toContain(path.join(w.dir, "state", "dir", "luigi-step-history.db"));
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});

describe("luigid's history start check when the server does not answer", () => {
  it("starts, says so, and leaves the database to the writer's retries", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const w = workdir();
    const cfg = writeCfg(
      w.dir,
      `[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = postgresql://u:${PASSWORD}@127.0.0.1:${port}/db\n`,
    );
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: { LUIGI_CONFIG_PATH: cfg },
    });
    try {
      expect(daemon.output()).toContain("the database does not answer yet");
      // It serves: the pages answer that the database is unavailable.
      const res = await fetch(`${daemon.url}/history`, { headers: { accept: "application/json" } });
      expect(res.status).toBe(503);
      expect(daemon.output()).not.toContain(PASSWORD);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});

function writeCfg(dir: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const cfg = path.join(dir, "luigid.cfg");
  writeFileSync(cfg, text);
  return cfg;
}
