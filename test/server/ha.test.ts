// Two real luigid processes on one `[scheduler] state_url` (the PostgreSQL of LUIGI_TEST_POSTGRES_URL,
// a schema of this file's own; skipped without it), on loopback ports: one active, one standby; kill -9
// of the active one mid-run; the standby takes over and the run completes. The workers are given both
// URLs (`--scheduler-url A,B`) and move to whichever is active. Network namespaces are not used: this
// test runs on loopback ports.
import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, runLuigid, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { projectWithout } from "../helpers/project-without.js";
import { roleOf, runsOf, WORKER_CFG } from "../helpers/ha.js";
import { advisoryKey, STATE_LOCK_NAMESPACE } from "../../src/scheduler/persistence/pg-store.js";
import { adminQuery, dropAll, freshSchema, PG_SKIP_REASON, PG_URL } from "../helpers/pg-schema.js";

const SHARED = path.join(FIXTURES, "shared.ts");
const run = promisify(execFile);

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function post(url: string, method: string, args: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: await res.json() };
}

afterAll(async () => {
  await dropAll();
});

describe("state_url without the pg package installed", () => {
  it("stops luigid at start with PACKAGE_MISSING naming pg and the command, no stack", async () => {
    const project = projectWithout(["pg", "pg-copy-streams"]);
    try {
      writeFileSync(
        path.join(project, "luigi.cfg"),
        "[scheduler]\nstate_url = postgresql://u:hunter2@127.0.0.1:1/db\n",
      );
      const r = await run(
        process.execPath,
        [path.join(project, "node_modules/luigi-ts/bin/luigid.js"), "--port", "0", "--address", "127.0.0.1"],
        { cwd: project, env: { ...process.env, LUIGI_CONFIG_PATH: path.join(project, "luigi.cfg") } },
      ).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("needs the npm package pg, which is not installed: run `npm install pg`");
      expect(r.stderr).not.toContain("hunter2");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe.skipIf(PG_URL === "")("two luigids on one state_url", () => {
  it("refuses a state_url together with state_path, without showing the password", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "both.cfg");
    writeFileSync(
      cfg,
      "[scheduler]\nstate_url = postgresql://u:hunter2@127.0.0.1:1/db\nstate_path = /tmp/x.json\n",
    );
    const r = await runLuigid(["--port", "0"], w.dir, { LUIGI_CONFIG_PATH: cfg });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/state_url and \[scheduler\] state_path are both set/);
    expect(r.stderr).not.toContain("hunter2");
    // And a database that refuses: named, password masked, no stack.
    writeFileSync(cfg, "[scheduler]\nstate_url = postgresql://u:hunter2@127.0.0.1:1/db\n");
    const refused = await runLuigid(["--port", "0"], w.dir, { LUIGI_CONFIG_PATH: cfg });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /could not connect to the state database postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/,
    );
    expect(refused.stderr).not.toContain("hunter2");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it("kill -9 of the active one mid-run: the standby takes over within seconds, nothing DONE is redone, the run completes; the restarted one is a standby", async () => {
    // test/server/ha-netns.test.ts runs it across network namespaces where they can be made.
    console.log("ran on loopback ports (no network namespaces)");
    const w = workdir();
    const { url } = await freshSchema("luigid_ha");
    const cfg = path.join(w.dir, "luigid.cfg");
    writeFileSync(cfg, `[scheduler]\nstate_url = ${url}\nworker_disconnect_delay = 2\nretry_delay = 1\n`);
    const env = { LUIGI_CONFIG_PATH: cfg };
    const daemons: RunningLuigid[] = [];
    try {
      const a = await startLuigid([], { cwd: w.dir, env });
      daemons.push(a);
      expect(await until(async () => ((await roleOf(a.url)) === "active" ? true : undefined))).toBe(true);
      const b = await startLuigid([], { cwd: w.dir, env });
      daemons.push(b);
      await until(async () => ((await roleOf(b.url)) === "standby" ? true : undefined));
      // The standby answers reads, and refuses changes naming the active one.
      expect(await rpc(b.url, "task_list", {})).toEqual({});
      const refused = await post(b.url, "add_task", { task_id: "X", status: "PENDING", worker: "w" });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ error: { code: "STANDBY", active: a.url } });
      expect(await (await fetch(`${b.url}/metrics`)).text()).toMatch(/^luigid_active 0$/m);
      expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/^luigid_active 1$/m);
      // The visualiser's page is served by the standby too.
      expect((await fetch(`${b.url}/static/visualiser/index.html`)).status).toBe(200);

      const wcfg = path.join(w.dir, "worker.cfg");
      writeFileSync(wcfg, WORKER_CFG);
      const wenv = { LUIGI_CONFIG_PATH: wcfg, OUT: w.out, LOG: w.log };
      const args = [
        "--module",
        SHARED,
        "All",
        "--n",
        "120",
        "--ms",
        "30",
        "--scheduler-url",
        `${a.url},${b.url}`,
        "--no-lock",
      ];
      const workers = Array.from({ length: 2 }, () => collect(startLuigi(args, { cwd: w.dir, env: wenv })));
      await until(() => (runsOf(w.log).length >= 25 ? true : undefined), 60_000);
      const doneOnA = Object.keys(await rpc<Record<string, unknown>>(a.url, "task_list", { status: "DONE" }));
      expect(doneOnA.length).toBeGreaterThan(0);
      // A read shows changes whose commit may still be on its way (never yet acknowledged to anyone):
      // one acknowledged change after the read, committed in order behind them, makes them all durable.
      await rpc(a.url, "ping", { worker: "ha-test-probe" });
      await a.stop("SIGKILL");
      const killedAt = performance.now();
      await until(async () => ((await roleOf(b.url)) === "active" ? true : undefined), 10_000);
      const failoverMs = performance.now() - killedAt;
      // Measured: kill -9 of A to B's first answer saying it is active.
      console.log(`failover: ${Math.round(failoverMs)} ms from kill -9 to the standby answering as active`);
      expect(failoverMs).toBeLessThan(5000);
      // Everything A acknowledged is in B: what was DONE stays DONE.
      const doneOnB = new Set(
        Object.keys(await rpc<Record<string, unknown>>(b.url, "task_list", { status: "DONE" })),
      );
      for (const id of doneOnA) expect(doneOnB.has(id), id).toBe(true);

      const results = await Promise.all(workers);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const runs = runsOf(w.log);
      expect(new Set(runs).size).toBe(120);
      // A step running when A died may run again; nothing DONE was redone.
      expect(runs.length).toBeLessThanOrEqual(120 + 2);
      for (const id of doneOnA)
        expect(
          runs.filter((r) => r === id),
          id,
        ).toHaveLength(1);
      const done = await rpc<Record<string, unknown>>(b.url, "task_list", { status: "DONE" });
      expect(Object.keys(done)).toHaveLength(121);

      // A again: B holds the lead, so A is a standby that follows it and names it.
      const again = await startLuigid([], { cwd: w.dir, env });
      daemons.push(again);
      await until(async () => ((await roleOf(again.url)) === "standby" ? true : undefined));
      await until(async () => {
        const list = await rpc<Record<string, unknown>>(again.url, "task_list", { status: "DONE" });
        return Object.keys(list).length === 121 ? true : undefined;
      });
      const refusedAgain = await post(again.url, "add_task", {
        task_id: "X",
        status: "PENDING",
        worker: "w",
      });
      expect(refusedAgain.body).toMatchObject({ error: { code: "STANDBY", active: b.url } });
    } finally {
      for (const d of daemons) await d.stop();
    }
  }, 120_000);
});

if (PG_URL === "") describe("two luigids on one state_url", () => it.skip(PG_SKIP_REASON, () => undefined));

describe.skipIf(PG_URL === "")("an active luigid cut off from its lock", () => {
  it("exits with code 3 when its lock session is terminated, and the standby takes over", async () => {
    const w = workdir();
    const { schema, url } = await freshSchema("luigid_ha");
    const cfg = path.join(w.dir, "luigid.cfg");
    writeFileSync(cfg, `[scheduler]\nstate_url = ${url}\n`);
    const env = { LUIGI_CONFIG_PATH: cfg };
    const a = await startLuigid([], { cwd: w.dir, env });
    const b = await startLuigid([], { cwd: w.dir, env });
    try {
      await until(async () => ((await roleOf(a.url)) === "active" ? true : undefined));
      await rpc(a.url, "add_task", { task_id: "Kept", status: "PENDING", worker: "w" });
      const key = advisoryKey(`${STATE_LOCK_NAMESPACE}:${schema}`);
      // As a DBA's pg_terminate_backend, or PostgreSQL dropping a session gone silent, would.
      const holders = await adminQuery<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = ($1::bigint & 4294967295)::oid AND classid = (($1::bigint >> 32) & 4294967295)::oid",
        [key],
      );
      expect(holders).toHaveLength(1);
      await adminQuery("SELECT pg_terminate_backend($1)", [holders[0]?.pid]);
      // Waits for its own exit: SIGCONT changes nothing for a running process.
      const code = await a.stop("SIGCONT");
      expect(code).toBe(3);
      expect(a.output()).toMatch(/luigid lost the lead: the connection holding the lock was lost/);
      await until(async () => ((await roleOf(b.url)) === "active" ? true : undefined), 5000);
      const list = await rpc<Record<string, unknown>>(b.url, "task_list", {});
      expect(Object.keys(list)).toEqual(["Kept"]);
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 60_000);
});
