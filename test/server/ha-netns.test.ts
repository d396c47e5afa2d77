// Two luigids on one state_url as two hosts: each in a network namespace of its own (test/helpers/
// hosts.ts: veth pairs into a bridge the test makes, and deletes after); two workers run on two more
// hosts and reach both luigids over those links; PostgreSQL (of LUIGI_TEST_POSTGRES_URL) is reached through a TCP forwarder of
// the test's per host. Needs root and `ip netns`; where they cannot be had, the test is skipped and
// test/server/ha.test.ts runs the same failover on loopback ports. Kill -9 of the active one mid-run,
// then a partition of the new active one from PostgreSQL (its forwarder cut): it must stop serving writes.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import {
  canMakeNamespaces,
  makeHosts,
  TcpForwarder,
  type TestHost,
  type TestHosts,
} from "../helpers/hosts.js";
import { roleOf, runsOf, WORKER_CFG } from "../helpers/ha.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { dropAll, freshSchema, PG_SKIP_REASON, PG_URL } from "../helpers/pg-schema.js";

const SHARED = path.join(FIXTURES, "shared.ts");
const CAN = PG_URL !== "" && canMakeNamespaces();

const cleanups: (() => Promise<void> | void)[] = [];

/** luigid on `host`, listening on the host's address. */
function startOn(host: TestHost, cfg: string, cwd: string): Promise<RunningLuigid> {
  return startLuigid([], {
    cwd,
    address: host.address,
    env: { LUIGI_CONFIG_PATH: cfg },
    spawn: (command, args, options) => host.spawn(command, args, options),
  });
}

/** Exit code of a luigid once it has exited. */
function exitOf(l: RunningLuigid): Promise<number | null> {
  return l.child.exitCode !== null || l.child.signalCode !== null
    ? Promise.resolve(l.child.exitCode)
    : new Promise((resolve) => l.child.once("exit", (code) => resolve(code)));
}

async function until(probe: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<number> {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await dropAll();
});

describe.skipIf(!CAN)("two luigid hosts in network namespaces on one state_url", () => {
  it("kill -9 of the active host mid-run: the other takes over, the run completes, each step ran once; a host cut off from PostgreSQL stops serving writes", async () => {
    const w = workdir();
    const { url } = await freshSchema("luigid_hans");
    const net: TestHosts = makeHosts(4);
    cleanups.push(() => net.cleanup());
    const [a, b, ...workerHosts] = net.hosts as [TestHost, TestHost, TestHost, TestHost];
    const target = new URL(PG_URL);
    const cfgFor = async (name: string): Promise<{ cfg: string; postgres: TcpForwarder }> => {
      const postgres = await TcpForwarder.start(net.gateway, {
        host: target.hostname,
        port: Number(target.port || 5432),
      });
      cleanups.push(() => postgres.close());
      const stateUrl = url.replace(target.host, `${postgres.host}:${postgres.port}`);
      const cfg = path.join(w.dir, `${name}.cfg`);
      writeFileSync(
        cfg,
        `[scheduler]\nstate_url = ${stateUrl}\nworker_disconnect_delay = 2\nretry_delay = 1\n`,
      );
      return { cfg, postgres };
    };
    const forA = await cfgFor("a");
    const forB = await cfgFor("b");
    const la = await startOn(a, forA.cfg, w.dir);
    cleanups.push(() => la.stop("SIGKILL").then(() => undefined));
    await until(async () => (await roleOf(la.url)) === "active");
    const lb = await startOn(b, forB.cfg, w.dir);
    cleanups.push(() => lb.stop("SIGKILL").then(() => undefined));
    await until(async () => (await roleOf(lb.url)) === "standby");

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
      `${la.url},${lb.url}`,
      "--no-lock",
    ];
    console.log(
      `ran in network namespaces: luigid A at ${a.address}, B at ${b.address}, workers at ${workerHosts.map((h) => h.address).join(", ")}`,
    );
    // One worker on each of two more hosts: they reach both luigids only across the links.
    const workers = workerHosts.map((host) =>
      collect(
        startLuigi(args, {
          cwd: w.dir,
          env: wenv,
          spawn: (command, argv, options) => host.spawn(command, argv, options),
        }),
      ),
    );
    await until(() => runsOf(w.log).length >= 25, 60_000);
    const doneOnA = Object.keys(await rpc<Record<string, unknown>>(la.url, "task_list", { status: "DONE" }));
    // A read shows changes whose commit may still be on its way (never yet acknowledged to anyone):
    // one acknowledged change after the read, committed in order behind them, makes them all durable.
    await rpc(la.url, "ping", { worker: "ha-test-probe" });
    la.child.kill("SIGKILL");
    const took = await until(async () => (await roleOf(lb.url)) === "active", 10_000);
    console.log(`failover across namespaces: ${took} ms from kill -9 to the other host answering as active`);
    const doneOnB = new Set(
      Object.keys(await rpc<Record<string, unknown>>(lb.url, "task_list", { status: "DONE" })),
    );
    for (const id of doneOnA) expect(doneOnB.has(id), id).toBe(true);
    const results = await Promise.all(workers);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const runs = runsOf(w.log);
    expect(new Set(runs).size).toBe(120);
    expect(runs.length).toBeLessThanOrEqual(122);
    for (const id of doneOnA)
      expect(
        runs.filter((r) => r === id),
        id,
      ).toHaveLength(1);

    // A again, as a standby; then B is cut off from PostgreSQL as by a dropped route (nothing passes,
    // nothing is closed; the workers still reach B): B must stop serving writes once its heartbeat goes
    // unanswered, and A takes over once PostgreSQL ends B's silent session.
    const la2 = await startOn(a, forA.cfg, w.dir);
    cleanups.push(() => la2.stop("SIGKILL").then(() => undefined));
    await until(async () => (await roleOf(la2.url)) === "standby");
    forB.postgres.cut({ silent: true });
    const cut = Date.now();
    const code = await exitOf(lb);
    expect(code).toBe(3);
    expect(lb.output()).toMatch(/luigid lost the lead/);
    await until(async () => (await roleOf(la2.url)) === "active", 30_000);
    console.log(
      `partition: B stopped and A took over ${Date.now() - cut} ms after B was cut off from PostgreSQL`,
    );
    const done = await rpc<Record<string, unknown>>(la2.url, "task_list", { status: "DONE" });
    expect(Object.keys(done)).toHaveLength(121);
    await la2.stop("SIGTERM");
  }, 180_000);
});

if (!CAN)
  describe("two luigid hosts in network namespaces on one state_url", () =>
    it.skip(
      PG_URL === ""
        ? PG_SKIP_REASON
        : "network namespaces cannot be made here (root and `ip netns` needed): test/server/ha.test.ts runs the failover on loopback ports",
      () => undefined,
    ));
