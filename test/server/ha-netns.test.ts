// Two luigids on one state_url as two hosts: each in a network namespace of its own, joined to this
// machine's namespace by a veth pair the test makes (and deletes after); the workers run here and reach
// both over those links; PostgreSQL (of LUIGI_TEST_POSTGRES_URL) is reached through a TCP relay of the
// test's on each link. Needs root and `ip netns`; where they cannot be had, the test is skipped and
// test/server/ha.test.ts runs the same failover on loopback ports. Kill -9 of the active one mid-run,
// then a partition of the new active one from PostgreSQL (its link cut): it must stop serving writes.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import { LUIGID_BIN, rpc } from "../helpers/luigid.js";
import { dropAll, freshSchema, PG_SKIP_REASON, PG_URL } from "../helpers/pg-schema.js";

const SHARED = path.join(FIXTURES, "shared.ts");
const TAG = String(process.pid % 10000);
/** A /24 of our own for this run's links (one /30 per host). */
const NET = `10.231.${100 + (process.pid % 100)}`;

function ip(args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr || r.error?.message}`);
}

/** Whether this process may make network namespaces (root, iproute2, a kernel that allows it). */
function namespacesPossible(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `lha${TAG}probe`;
  if (spawnSync("ip", ["netns", "add", probe]).status !== 0) return false;
  spawnSync("ip", ["netns", "del", probe]);
  return true;
}

const CAN = PG_URL !== "" && namespacesPossible();

interface Host {
  ns: string;
  /** This machine's end of the link, and the namespace's. */
  here: string;
  there: string;
  link: string;
}

const hosts: Host[] = [];
const relays: Server[] = [];
const children = new Set<ChildProcess>();

function makeHost(name: string, index: number): Host {
  const host: Host = {
    ns: `lha${TAG}${name}`,
    here: `${NET}.${4 * index + 1}`,
    there: `${NET}.${4 * index + 2}`,
    link: `lha${TAG}${name}h`,
  };
  ip(["netns", "add", host.ns]);
  hosts.push(host);
  ip(["link", "add", host.link, "type", "veth", "peer", "name", `lha${TAG}${name}n`]);
  ip(["link", "set", `lha${TAG}${name}n`, "netns", host.ns]);
  ip(["addr", "add", `${host.here}/30`, "dev", host.link]);
  ip(["link", "set", host.link, "up"]);
  ip(["-n", host.ns, "addr", "add", `${host.there}/30`, "dev", `lha${TAG}${name}n`]);
  ip(["-n", host.ns, "link", "set", `lha${TAG}${name}n`, "up"]);
  ip(["-n", host.ns, "link", "set", "lo", "up"]);
  return host;
}

/** PostgreSQL as a host in `host`'s namespace sees it: a relay on this machine's end of its link. */
async function postgresFor(host: Host): Promise<string> {
  const target = new URL(PG_URL);
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  relays.push(server);
  const port = await new Promise<number>((resolve) =>
    server.listen(0, host.here, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    }),
  );
  return `${host.here}:${port}`;
}

interface NsLuigid {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startIn(host: Host, cfg: string, cwd: string): Promise<NsLuigid> {
  const child = spawn(
    "ip",
    ["netns", "exec", host.ns, process.execPath, LUIGID_BIN, "--address", host.there, "--port", "0"],
    { cwd, env: { ...process.env, LUIGI_CONFIG_PATH: cfg }, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`luigid did not start:\n${output}`)), 20_000);
    const check = (): void => {
      const m = /luigid listening on \S*:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    void exited.then(() => reject(new Error(`luigid exited during start:\n${output}`)));
  });
  return { child, url: `http://${host.there}:${port}`, output: () => output, exited };
}

async function roleOf(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/api/is_paused`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.headers.get("x-luigid-role") ?? undefined;
  } catch {
    return undefined;
  }
}

async function until(probe: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<number> {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

function runsOf(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" ")[0] ?? "");
}

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const relay of relays) relay.close();
  for (const host of hosts.splice(0)) spawnSync("ip", ["netns", "del", host.ns]);
  await dropAll();
});

describe.skipIf(!CAN)("two luigid hosts in network namespaces on one state_url", () => {
  it("kill -9 of the active host mid-run: the other takes over, the run completes, each step ran once; a host cut off from PostgreSQL stops serving writes", async () => {
    console.log("ran in network namespaces (veth pairs)");
    const w = workdir();
    const { url } = await freshSchema("luigid_hans");
    const a = makeHost("a", 0);
    const b = makeHost("b", 1);
    const cfgFor = async (host: Host, name: string): Promise<string> => {
      const where = await postgresFor(host);
      const u = new URL(url);
      const stateUrl = url.replace(u.host, where);
      const cfg = path.join(w.dir, `${name}.cfg`);
      writeFileSync(
        cfg,
        `[scheduler]\nstate_url = ${stateUrl}\nworker_disconnect_delay = 2\nretry_delay = 1\n`,
      );
      return cfg;
    };
    const cfgA = await cfgFor(a, "a");
    const cfgB = await cfgFor(b, "b");
    const la = await startIn(a, cfgA, w.dir);
    await until(async () => (await roleOf(la.url)) === "active");
    const lb = await startIn(b, cfgB, w.dir);
    await until(async () => (await roleOf(lb.url)) === "standby");

    const wcfg = path.join(w.dir, "worker.cfg");
    writeFileSync(
      wcfg,
      "[core]\nrpc_retry_wait = 0.5\nrpc_retry_attempts = 60\nrpc_connect_timeout = 2\n[worker]\nkeep_alive = true\nwait_interval = 0.1\nwait_jitter = 0.2\nping_interval = 0.5\n",
    );
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
    const workers = Array.from({ length: 2 }, () => collect(startLuigi(args, { cwd: w.dir, env: wenv })));
    await until(() => runsOf(w.log).length >= 25, 60_000);
    const doneOnA = Object.keys(await rpc<Record<string, unknown>>(la.url, "task_list", { status: "DONE" }));
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

    // A again, as a standby; then B's link is cut: B must stop serving writes, and A takes over once
    // PostgreSQL drops B's silent session.
    const la2 = await startIn(a, cfgA, w.dir);
    await until(async () => (await roleOf(la2.url)) === "standby");
    ip(["link", "set", b.link, "down"]);
    const cut = Date.now();
    const code = await lb.exited;
    expect(code).toBe(3);
    expect(lb.output()).toMatch(/luigid lost the lead/);
    await until(async () => (await roleOf(la2.url)) === "active", 30_000);
    console.log(`partition: B stopped and A took over ${Date.now() - cut} ms after B's link was cut`);
    const done = await rpc<Record<string, unknown>>(la2.url, "task_list", { status: "DONE" });
    expect(Object.keys(done)).toHaveLength(121);
    la2.child.kill("SIGTERM");
    await la2.exited;
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
