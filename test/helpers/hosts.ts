/**
 * Several hosts on one machine, for the tests of what crosses a network (luigid's failover, workers on
 * other machines). Where network namespaces can be made (root, iproute2), each host is a namespace made
 * by the test with a veth pair into a bridge of its own, on a private /24; else every host is an address
 * of the loopback network (127.0.0.0/8). `mode` says which, and the tests print it.
 *
 * A service of the machine the hosts share (PostgreSQL) is reached through a `TcpForwarder` per host,
 * listening where that host can reach it: cutting one host's forwarder partitions that host from the
 * service and nothing else.
 *
 * Everything made here is removed by `cleanup()`, and by the process's exit if a test never got there.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import net from "node:net";

export interface TestHost {
  /** The namespace's name (netns) or a label (loopback). */
  name: string;
  /** Where the others reach it. */
  address: string;
  /** Starts a program on this host (inside its namespace). */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
}

export interface TestHosts {
  mode: "netns" | "loopback";
  /** Where a process on any host reaches a forwarder of the machine (the bridge's address). */
  gateway: string;
  hosts: TestHost[];
  cleanup(): void;
}

const made = new Set<() => void>();
process.on("exit", () => {
  for (const undo of made) undo();
});

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** Whether this process may make network namespaces (tried, not guessed). */
export function canMakeNamespaces(): boolean {
  if (process.platform !== "linux") return false;
  const probe = `ltp${process.pid % 100000}`;
  try {
    ip("netns", "add", probe);
    ip("netns", "del", probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * `count` hosts. `prefer` "loopback" skips the namespaces (the fallback, tested on its own). Names and
 * the subnet come from the process id, so test files running at once do not collide.
 */
export function makeHosts(count: number, prefer: "netns" | "loopback" = "netns"): TestHosts {
  if (prefer === "netns" && canMakeNamespaces()) return namespaceHosts(count);
  return loopbackHosts(count);
}

function loopbackHosts(count: number): TestHosts {
  // 127.0.0.0/8 is all loopback on Linux: each host listens on an address of its own.
  const base = 10 + (process.pid % 200);
  const hosts = Array.from({ length: count }, (_, i): TestHost => {
    const address = `127.0.${base}.${11 + i}`;
    return {
      name: `host${i}`,
      address,
      spawn: (command, args, options = {}) => spawn(command, args, options),
    };
  });
  return { mode: "loopback", gateway: "127.0.0.1", hosts, cleanup: () => undefined };
}

function namespaceHosts(count: number): TestHosts {
  const tag = (process.pid % 100000).toString(36);
  const net24 = `10.231.${process.pid % 250}`;
  const bridge = `ltb${tag}`;
  const undo: (() => void)[] = [];
  const cleanup = (): void => {
    for (const fn of undo.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // Already gone (a namespace's veth goes with it).
      }
    }
    made.delete(cleanup);
  };
  made.add(cleanup);
  try {
    ip("link", "add", bridge, "type", "bridge");
    undo.push(() => ip("link", "del", bridge));
    ip("addr", "add", `${net24}.1/24`, "dev", bridge);
    ip("link", "set", bridge, "up");
    const hosts: TestHost[] = [];
    for (let i = 0; i < count; i++) {
      const ns = `lt${tag}h${i}`;
      const outside = `ltv${tag}${i}`;
      const address = `${net24}.${11 + i}`;
      ip("netns", "add", ns);
      undo.push(() => ip("netns", "del", ns));
      ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
      undo.push(() => ip("link", "del", outside));
      ip("link", "set", outside, "master", bridge);
      ip("link", "set", outside, "up");
      ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
      ip("-n", ns, "link", "set", "lo", "up");
      hosts.push({
        name: ns,
        address,
        // `ip netns exec` execs the program: the child's pid is the program's, so a kill reaches it.
        spawn: (command, args, options = {}) => spawn("ip", ["netns", "exec", ns, command, ...args], options),
      });
    }
    return { mode: "netns", gateway: `${net24}.1`, hosts, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/**
 * A TCP forwarder: listens on `listenHost` (a port of its own) and joins each connection to
 * `target`. `cut()` drops its connections and refuses new ones until `restore()`: a network partition
 * between the hosts that use it and the target, as seen from both ends (resets, then refusals).
 */
export class TcpForwarder {
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private readonly server: net.Server;
  private blocked: "no" | "reset" | "silent" = "no";
  host = "";
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.join(client));
  }

  static async start(listenHost: string, target: { host: string; port: number }): Promise<TcpForwarder> {
    const forwarder = new TcpForwarder(target);
    await new Promise<void>((resolve, reject) => {
      forwarder.server.once("error", reject);
      forwarder.server.listen(0, listenHost, () => resolve());
    });
    forwarder.host = listenHost;
    forwarder.port = (forwarder.server.address() as net.AddressInfo).port;
    return forwarder;
  }

  private join(client: net.Socket): void {
    if (this.blocked === "reset") {
      client.resetAndDestroy();
      return;
    }
    if (this.blocked === "silent") {
      // Accepted, never answered: what a dropped route looks like to the connecting side.
      client.pause();
      this.sockets.add(client);
      client.on("close", () => this.sockets.delete(client));
      client.on("error", () => client.destroy());
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    upstream.on("close", () => this.pairs.delete(pair));
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /**
   * Partitions. By default both ends see it at once (every joined connection reset, new ones refused);
   * `silent`, as a dropped route: nothing more passes either way and nothing is closed, so each end
   * finds out only from its own timeouts (keepalives, heartbeats).
   */
  cut(options: { silent?: boolean } = {}): void {
    if (options.silent === true) {
      this.blocked = "silent";
      for (const [client, upstream] of this.pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      return;
    }
    this.blocked = "reset";
    for (const s of this.sockets) s.resetAndDestroy();
  }

  /** New connections pass again (those cut stay cut). */
  restore(): void {
    this.blocked = "no";
  }

  async close(): Promise<void> {
    this.blocked = "reset";
    for (const s of this.sockets) s.resetAndDestroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
