/**
 * The test hosts (test/helpers/hosts.ts) that the failover tests run on: a program on one host reaches
 * another host's address, and a host's forwarder to a machine service partitions it when cut. Both modes
 * are tested: network namespaces where they can be made (said when they cannot), and loopback addresses.
 */
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { canMakeNamespaces, makeHosts, TcpForwarder, type TestHosts } from "../helpers/hosts.js";
import http from "node:http";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A one-line HTTP server run on `host` as a real child process; resolves when it listens. */
async function serveOn(hosts: TestHosts, index: number): Promise<number> {
  const host = hosts.hosts[index]!;
  const script = `require("http").createServer((q, r) => r.end("from ${host.name}")).listen(0, "${host.address}", function () { console.log(this.address().port) })`;
  const child = host.spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  cleanups.push(() => {
    child.kill("SIGKILL");
  });
  const [first] = (await once(child.stdout!, "data")) as [Buffer];
  return Number(first.toString().trim());
}

/** Fetches `url` from a child process on host `index`: its text, or the error's code. */
async function fetchFrom(hosts: TestHosts, index: number, url: string, timeoutMs = 5000): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${timeoutMs}) }).then((r) => r.text()).then(console.log, (e) => console.log("ERR " + (e.cause?.code ?? e.name + " " + e.message)))`;
  const child = hosts.hosts[index]!.spawn(process.execPath, ["-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  // "close", not "exit": the output may still be on its way when the process has exited.
  await once(child, "close");
  return out.trim();
}

/**
 * What a raw TCP client on host `index` gets from `host:port` within `waitMs`: "ANSWERED" (an HTTP
 * answer), "RESET" (the connection reset or closed without an answer), or "SILENT" (nothing at all).
 * Raw, since fetch retries a reset connection by itself.
 */
async function probeFrom(
  hosts: TestHosts,
  index: number,
  host: string,
  port: number,
  waitMs = 500,
): Promise<string> {
  const script = `const s = require("net").connect(${port}, ${JSON.stringify(host)}, () => s.write("GET / HTTP/1.0\\r\\n\\r\\n"));
let got = ""; const end = (w) => { console.log(w); process.exit(0); };
s.on("data", (d) => (got += d)); s.on("error", () => end("RESET"));
s.on("close", () => end(got.startsWith("HTTP/") ? "ANSWERED" : "RESET"));
setTimeout(() => end(got.startsWith("HTTP/") ? "ANSWERED" : "SILENT"), ${waitMs});`;
  const child = hosts.hosts[index]!.spawn(process.execPath, ["-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  await once(child, "close");
  return out.trim();
}

for (const mode of ["netns", "loopback"] as const) {
  const available = mode === "loopback" || canMakeNamespaces();
  describe.skipIf(!available)(`test hosts (${mode})`, () => {
    it("reach one another, and a machine service through a forwarder that cuts", async () => {
      const hosts = makeHosts(2, mode);
      cleanups.push(() => hosts.cleanup());
      expect(hosts.mode).toBe(mode);
      console.log(`test hosts: ${hosts.mode} (${hosts.hosts.map((h) => h.address).join(", ")})`);
      const port = await serveOn(hosts, 0);
      expect(await fetchFrom(hosts, 1, `http://${hosts.hosts[0]!.address}:${port}/`)).toBe(
        `from ${hosts.hosts[0]!.name}`,
      );

      // A service of the machine, on its loopback only: reached through the forwarder at the gateway.
      const service = http.createServer((_q, r) => r.end("machine"));
      await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", () => resolve()));
      cleanups.push(() => new Promise<void>((resolve) => service.close(() => resolve())));
      const servicePort = (service.address() as { port: number }).port;
      const forwarder = await TcpForwarder.start(hosts.gateway, { host: "127.0.0.1", port: servicePort });
      cleanups.push(() => forwarder.close());
      const via = `http://${hosts.gateway}:${forwarder.port}/`;
      expect(await fetchFrom(hosts, 1, via)).toBe("machine");
      expect(await probeFrom(hosts, 1, hosts.gateway, forwarder.port)).toBe("ANSWERED");
      forwarder.cut();
      expect(await probeFrom(hosts, 1, hosts.gateway, forwarder.port)).toBe("RESET");
      forwarder.restore();
      expect(await fetchFrom(hosts, 1, via)).toBe("machine");
      // A silent cut: the connection is taken and never answered, as by a dropped route.
      forwarder.cut({ silent: true });
      expect(await probeFrom(hosts, 1, hosts.gateway, forwarder.port)).toBe("SILENT");
    });
  });
}
