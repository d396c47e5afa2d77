/**
 * Issue 11 against real luigid processes, authentication off: state changes from other sites refused
 * (and nothing else), security headers on every answer, HTTPS for luigid and its workers (a private CA
 * made here with openssl), bad TLS files refused at start with the state left as it was, and the
 * warning for a luigid open to the network without authentication.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RPC_METHODS } from "../../src/rpc/methods.js";
import { crossSiteRefusal, parseAllowedOrigins } from "../../src/server/cross-site.js";
import { exposureWarning, isLoopbackAddress } from "../../src/server/exposure.js";
import { api } from "../../web/src/api/methods.js";
import { FIXTURES, runLuigi, workdir } from "../helpers/cli.js";
import { filesOf } from "../helpers/files.js";
import { historyPages, luigidWithHistory } from "../helpers/history-run.js";
import { rpc, runLuigid, startLuigid, type RunningLuigid } from "../helpers/luigid.js";

const WORKER = "Worker(salt=1, workers=1, host=test, username=test, pid=1)";
const EVIL = "http://evil.example";
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const EMPTY_FORM = `data=${encodeURIComponent("{}")}`;
const SHARED = path.join(FIXTURES, "shared.ts");
const BASIC = path.join(FIXTURES, "basic.ts");
const ROUNDS = 3;
const WARNING = "reachable from other machines, without authentication";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Send {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: Buffer;
}

/** One request with exactly these headers (fetch would add its own Sec-Fetch-* and Origin rules). */
function send(url: string, options: Send = {}): Promise<Answer> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

function errorCode(answer: Answer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** One RPC over HTTPS, trusting `ca`. */
async function rpcOver<T = unknown>(url: string, ca: Buffer, method: string, args: object = {}): Promise<T> {
  const answer = await send(`${url}/api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
    ca,
  });
  if (answer.status !== 200) throw new Error(`${method}: HTTP ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { response: T }).response;
}

const paused = async (url: string): Promise<boolean> =>
  (await rpc<{ paused: boolean }>(url, "is_paused")).paused;

describe("cross-site state changes are refused, with authentication off", () => {
  let daemon: RunningLuigid;
  let own: string;
  beforeAll(async () => {
    const w = workdir();
    daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], { cwd: w.dir });
    own = daemon.url;
    await rpc(daemon.url, "add_task", { worker: WORKER, task_id: "Load_1", family: "Load" });
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  const pending = async (): Promise<string[]> =>
    Object.keys(await rpc<Record<string, unknown>>(daemon.url, "task_list", { status: "PENDING" }));

  it("refuses a mutating method by POST or GET from a foreign Origin, Sec-Fetch-Site cross-site or same-site, Origin null, and any other POST", async () => {
    const other = `http://127.0.0.1:${daemon.port + 1}`;
    const pauseGet = "/api/pause?data=%7B%7D";
    const cases: { what: string; path: string; req: Send }[] = [
      {
        what: "the issue's form POST from another origin",
        path: "/api/pause",
        req: { method: "POST", headers: { ...FORM, origin: EVIL }, body: EMPTY_FORM },
      },
      {
        what: "a GET of a mutating method from another origin",
        path: pauseGet,
        req: { headers: { origin: EVIL } },
      },
      {
        what: "an <img src> GET: Sec-Fetch-Site cross-site, no Origin",
        path: pauseGet,
        req: {
          headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" },
        },
      },
      {
        what: "another port of this host (same-site)",
        path: "/api/pause",
        req: {
          method: "POST",
          headers: { ...FORM, origin: other, "sec-fetch-site": "same-site" },
          body: EMPTY_FORM,
        },
      },
      {
        what: "another port of this host, from a browser without Sec-Fetch-Site",
        path: "/api/pause",
        req: { method: "POST", headers: { ...FORM, origin: other }, body: EMPTY_FORM },
      },
      {
        what: "Origin null (a sandboxed frame, a file: page)",
        path: "/api/pause",
        req: { method: "POST", headers: { ...FORM, origin: "null" }, body: EMPTY_FORM },
      },
      {
        what: "own origin over https while luigid speaks http (a different origin)",
        path: "/api/pause",
        req: {
          method: "POST",
          headers: { ...FORM, origin: own.replace("http:", "https:") },
          body: EMPTY_FORM,
        },
      },
      {
        what: "a JSON mark_as_done from another origin",
        path: "/api/mark_as_done",
        req: {
          method: "POST",
          headers: { "content-type": "text/plain", origin: EVIL },
          body: JSON.stringify({ task_id: "Load_1" }),
        },
      },
      {
        what: "a POST that is no RPC method (a future /login)",
        path: "/login",
        req: { method: "POST", headers: { ...FORM, origin: EVIL }, body: "user=x" },
      },
    ];
    for (const c of cases) {
      const answer = await send(`${daemon.url}${c.path}`, c.req);
      expect(answer.status, c.what).toBe(403);
      expect(errorCode(answer), c.what).toBe("CROSS_SITE_REFUSED");
      expect(answer.body, c.what).toContain("allowed_origins");
      expect(await paused(daemon.url), c.what).toBe(false);
    }
    expect(await pending()).toEqual(["Load_1"]);
    // Without the Origin, the same POST /login is simply not a route: the refusal was the guard's.
    expect(
      (await send(`${daemon.url}/login`, { method: "POST", headers: FORM, body: "user=x" })).status,
    ).toBe(404);
  });

  it("lets through Luigi's header-less clients, luigid's own pages, and what the user typed", async () => {
    const cases: { what: string; path: string; req: Send }[] = [
      {
        what: "Luigi's Python client: a form POST without Origin",
        path: "/api/pause",
        req: { method: "POST", headers: FORM, body: EMPTY_FORM },
      },
      {
        what: "a header-less GET (Luigi's visualiser through a proxy, curl)",
        path: "/api/pause?data=%7B%7D",
        req: {},
      },
      {
        what: "the visualiser's POST: Origin = scheme + Host",
        path: "/api/pause",
        req: {
          method: "POST",
          headers: { ...FORM, origin: own, "sec-fetch-site": "same-origin" },
          body: EMPTY_FORM,
        },
      },
      {
        what: "own Origin from a browser without Sec-Fetch-Site",
        path: "/api/pause",
        req: { method: "POST", headers: { ...FORM, origin: own }, body: EMPTY_FORM },
      },
      {
        what: "own origin by another name: the Host header decides",
        path: "/api/pause",
        req: {
          method: "POST",
          headers: { ...FORM, host: `localhost:${daemon.port}`, origin: `http://localhost:${daemon.port}` },
          body: EMPTY_FORM,
        },
      },
      {
        what: "Sec-Fetch-Site same-origin behind a proxy (Origin differs from the Host luigid sees)",
        path: "/api/pause",
        req: {
          method: "POST",
          headers: { ...FORM, origin: "https://luigi.example.com", "sec-fetch-site": "same-origin" },
          body: EMPTY_FORM,
        },
      },
      {
        what: "Sec-Fetch-Site none: typed in the address bar",
        path: "/api/pause?data=%7B%7D",
        req: { headers: { "sec-fetch-site": "none" } },
      },
    ];
    for (const c of cases) {
      const answer = await send(`${daemon.url}${c.path}`, c.req);
      expect(answer.status, `${c.what}: ${answer.body}`).toBe(200);
      expect(await paused(daemon.url), c.what).toBe(true);
      await send(`${daemon.url}/api/unpause`, { method: "POST", headers: FORM, body: EMPTY_FORM });
      expect(await paused(daemon.url), c.what).toBe(false);
    }
  });

  it("never refuses a viewer's read-only method, and refuses every other one, by GET and by POST", async () => {
    const foreign = { origin: EVIL, "sec-fetch-site": "cross-site" };
    const before = await rpc(daemon.url, "task_list", {});
    const workers = await rpc(daemon.url, "worker_list", {});
    for (const method of RPC_METHODS.values()) {
      for (const verb of ["GET", "POST"]) {
        const answer =
          verb === "GET"
            ? await send(`${daemon.url}/api/${method.name}?data=%7B%7D`, { headers: foreign })
            : await send(`${daemon.url}/api/${method.name}`, {
                method: "POST",
                headers: { ...foreign, ...FORM },
                body: EMPTY_FORM,
              });
        const what = `${verb} ${method.name}: ${answer.body}`;
        // Above the viewer role even when not journaled: announce_scheduling_failure feeds the failure
        // digest mail, so a foreign page must not be able to add to it.
        if (method.mutating || method.role !== "viewer") {
          expect(answer.status, what).toBe(403);
        } else {
          // Some want arguments (400 here); what matters is that the guard let them through.
          expect(answer.status, what).not.toBe(403);
          expect(errorCode(answer), what).not.toBe("CROSS_SITE_REFUSED");
        }
      }
    }
    expect(await rpc(daemon.url, "task_list", {})).toEqual(before);
    expect(await rpc(daemon.url, "worker_list", {})).toEqual(workers);
    expect(RPC_METHODS.get("announce_scheduling_failure")?.mutating).toBe(false);
  });
});

describe("[auth] allowed_origins", () => {
  it("admits the listed origin (even cross-site), and no other", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, "[auth]\nallowed_origins = https://ops.example.com, http://127.0.0.1:9\n");
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: { LUIGI_CONFIG_PATH: cfg },
    });
    try {
      const post = (headers: Record<string, string>): Promise<Answer> =>
        send(`${daemon.url}/api/pause`, {
          method: "POST",
          headers: { ...FORM, ...headers },
          body: EMPTY_FORM,
        });
      const admitted: Record<string, string>[] = [
        { origin: "https://ops.example.com" },
        { origin: "https://ops.example.com", "sec-fetch-site": "cross-site" },
        { origin: "http://127.0.0.1:9", "sec-fetch-site": "same-site" },
      ];
      for (const headers of admitted) {
        const answer = await post(headers);
        expect(answer.status, JSON.stringify(headers)).toBe(200);
        expect(await paused(daemon.url)).toBe(true);
        await rpc(daemon.url, "unpause");
      }
      const refused: Record<string, string>[] = [
        { origin: "https://ops.example.com:8443" },
        { origin: "http://ops.example.com" },
        { origin: "https://evil.ops.example.com", "sec-fetch-site": "same-site" },
        { "sec-fetch-site": "cross-site" },
      ];
      for (const headers of refused) {
        const answer = await post(headers);
        expect(answer.status, JSON.stringify(headers)).toBe(403);
        expect(await paused(daemon.url)).toBe(false);
      }
    } finally {
      await daemon.stop();
    }
  });

  it("refuses to start on an entry that is not an origin, naming it, before touching the state", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, "[auth]\nallowed_origins = https://ops.example.com, ops.example.com/luigi\n");
    const result = await runLuigid(
      ["--address", "127.0.0.1", "--port", "0", "--state-path", path.join(w.dir, "s.json")],
      w.dir,
      {
        LUIGI_CONFIG_PATH: cfg,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[auth] allowed_origins: "ops.example.com/luigi" is not an origin');
    expect([...filesOf(w.dir).keys()]).toEqual(["luigi.cfg"]);
  });
});

/** The headers every answer carries; over plain HTTP without upgrade-insecure-requests. */
function expectSecurityHeaders(answer: Answer, what: string, tls = false): void {
  const csp = String(answer.headers["content-security-policy"] ?? "");
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "worker-src 'self'",
  ]) {
    expect(csp, what).toContain(directive);
  }
  expect(csp, what).not.toContain("unsafe-inline");
  expect(csp, what).not.toContain("unsafe-eval");
  expect(csp.includes("upgrade-insecure-requests"), what).toBe(tls);
  expect(answer.headers["x-content-type-options"], what).toBe("nosniff");
  expect(answer.headers["referrer-policy"], what).toBe("no-referrer");
  expect(answer.headers["x-frame-options"], what).toBe("DENY");
  expect(answer.headers["strict-transport-security"], what).toBeUndefined();
}

describe("security headers", () => {
  it("are on the visualiser, its assets, every history page, API answers, errors and 404s", async () => {
    const { daemon, runs } = await luigidWithHistory(3);
    try {
      const index = await send(`${daemon.url}/static/visualiser/index.html`);
      const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)?.[1];
      expect(asset).toBeDefined();
      const pages = [...historyPages(runs), "/history/nope", "/history?hours=bad"];
      const stylesheet = /<link rel="stylesheet" href="([^"]+)"/;
      for (const page of pages) {
        const answer = await send(`${daemon.url}${page}`);
        expectSecurityHeaders(answer, page);
        expect(answer.headers["content-type"], page).toContain("text/html");
        expect(answer.body, page).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
        expect(answer.body, page).toMatch(stylesheet);
      }
      const cssUrl = stylesheet.exec((await send(`${daemon.url}/history`)).body)?.[1] ?? "";
      const others: [string, Send, number][] = [
        ["/static/visualiser/index.html", {}, 200],
        [`/static/visualiser/${asset}`, {}, 200],
        [cssUrl, {}, 200],
        ["/api/is_paused", {}, 200],
        ["/api/step_page", { method: "POST", headers: FORM, body: EMPTY_FORM }, 200],
        ["/api/add_task", { method: "POST", headers: FORM, body: EMPTY_FORM }, 400],
        ["/api/no_such_method", {}, 404],
        ["/no/such/page", {}, 404],
        ["/api/pause", { method: "POST", headers: { ...FORM, origin: EVIL }, body: EMPTY_FORM }, 403],
        ["/metrics", {}, 200],
        ["/", {}, 302],
      ];
      for (const [page, req, status] of others) {
        const answer = await send(`${daemon.url}${page}`, req);
        expect(answer.status, page).toBe(status);
        expectSecurityHeaders(answer, page);
      }
      const css = await send(`${daemon.url}${cssUrl}`);
      expect(css.headers["content-type"]).toContain("text/css");
      expect(css.body).toContain(".badge.status-DONE{background:");
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});

interface Pki {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  /** A key of another pair: right format, wrong certificate. */
  otherKey: string;
}

/** A private CA and a server certificate it signed for 127.0.0.1 (EC keys: quick to make). */
function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  const file = (name: string): string => path.join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=luigi-ts test CA",
  ]);
  openssl([
    "req",
    ...ec,
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
    "-subj",
    "/CN=127.0.0.1",
  ]);
  writeFileSync(file("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
  openssl([
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("server.pem"),
    "-days",
    "2",
    "-extfile",
    file("san.cnf"),
  ]);
  openssl([
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-out",
    file("other.key"),
  ]);
  return {
    dir,
    ca: file("ca.pem"),
    cert: file("server.pem"),
    key: file("server.key"),
    otherKey: file("other.key"),
  };
}

describe("TLS", () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki(path.join(workdir().dir, "pki"));
  });

  it("luigid --certfile/--keyfile serves HTTPS; luigi with an https URL and [core] rpc_ca_file runs a pipeline, without it fails at once saying what to set", async () => {
    const w = workdir();
    const ca = readFileSync(pki.ca);
    const trusting = path.join(w.dir, "trusting.cfg");
    writeFileSync(trusting, `[core]\nrpc_ca_file = ${pki.ca}\n[worker]\nwait_interval = 0.1\n`);
    const bare = path.join(w.dir, "bare.cfg");
    // Many slow retries: a refusal that went through them would time the test out.
    writeFileSync(bare, "[core]\nrpc_retry_attempts = 5\nrpc_retry_wait = 30\n");
    for (let round = 0; round < ROUNDS; round++) {
      const daemon = await startLuigid(
        [
          "--state-path",
          path.join(w.dir, `state-${round}.json`),
          "--certfile",
          pki.cert,
          "--keyfile",
          pki.key,
        ],
        { cwd: w.dir },
      );
      const url = `https://127.0.0.1:${daemon.port}`;
      try {
        expect(daemon.output()).toMatch(/luigid listening on 127\.0\.0\.1:\d+ \(https\)/);
        const answer = await send(`${url}/api/is_paused`, { ca });
        expect(answer.status).toBe(200);
        expectSecurityHeaders(answer, "https", true);
        // Plain HTTP on the TLS port gets no answer.
        await expect(send(`http://127.0.0.1:${daemon.port}/api/is_paused`)).rejects.toThrow();
        // Over HTTPS luigid's own origin is https://host: the http:// one is another origin.
        const pause = (origin: string): Promise<Answer> =>
          send(`${url}/api/pause`, { method: "POST", headers: { ...FORM, origin }, body: EMPTY_FORM, ca });
        expect((await pause(`http://127.0.0.1:${daemon.port}`)).status).toBe(403);
        expect((await pause(url)).status).toBe(200);
        expect((await rpcOver<{ paused: boolean }>(url, ca, "is_paused")).paused).toBe(true);
        await rpcOver(url, ca, "unpause");

        const out = path.join(w.dir, `out-${round}`);
        const n = 4 + round;
        const args = ["--module", SHARED, "All", "--n", String(n), "--scheduler-url", url, "--no-lock"];
        const ok = await runLuigi(args, {
          cwd: w.dir,
          env: { LUIGI_CONFIG_PATH: trusting, OUT: out, LOG: w.log },
        });
        expect(ok.code, `round ${round}: ${ok.stderr}`).toBe(0);
        for (let i = 0; i < n; i++)
          expect(readFileSync(path.join(out, `node-${i}.txt`), "utf8")).toBe(`${i}\n`);
        expect(Object.keys(await rpcOver(url, ca, "task_list", { status: "DONE" }))).toHaveLength(n + 1);

        const started = Date.now();
        const again = path.join(w.dir, `again-${round}`);
        const refused = await runLuigi(args, {
          cwd: w.dir,
          env: { LUIGI_CONFIG_PATH: bare, OUT: again, LOG: w.log },
        });
        expect(refused.code, `round ${round}`).toBe(15);
        expect(refused.stderr).toContain(
          `the scheduler at ${url}/ has a TLS certificate this worker does not trust`,
        );
        expect(refused.stderr).toContain("rpc_ca_file");
        expect(refused.stderr).not.toMatch(/\n\s+at /);
        expect(Date.now() - started).toBeLessThan(20_000);
        expect(existsSync(again)).toBe(false);

        // Node's own NODE_EXTRA_CA_CERTS works as well.
        const viaEnv = await runLuigi(
          ["--module", BASIC, "Hello", "--name", `env-${round}`, "--scheduler-url", url, "--no-lock"],
          { cwd: w.dir, env: { LUIGI_CONFIG_PATH: "", NODE_EXTRA_CA_CERTS: pki.ca, OUT: out, LOG: w.log } },
        );
        expect(viaEnv.code, viaEnv.stderr).toBe(0);
        expect(readFileSync(path.join(out, `hello-env-${round}.txt`), "utf8")).toBe(`hello env-${round}\n`);
      } finally {
        await daemon.stop();
      }
    }
  }, 120_000);

  it("takes the files from [scheduler] certfile / keyfile; a worker whose CA file is missing or is no certificate is told which", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigid.cfg");
    writeFileSync(cfg, `[scheduler]\ncertfile = ${pki.cert}\nkeyfile = ${pki.key}\n`);
    const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: { LUIGI_CONFIG_PATH: cfg },
    });
    try {
      const url = `https://127.0.0.1:${daemon.port}`;
      expect((await send(`${url}/api/is_paused`, { ca: readFileSync(pki.ca) })).status).toBe(200);
      /** A two-step pipeline against `schedulerUrl` with these [core] settings; it is meant to fail. */
      const failing = async (schedulerUrl: string, core: string): Promise<string> => {
        const wcfg = path.join(w.dir, "worker.cfg");
        writeFileSync(wcfg, `[core]\n${core}\n`);
        const args = ["--module", SHARED, "All", "--n", "2", "--scheduler-url", schedulerUrl, "--no-lock"];
        const result = await runLuigi(args, {
          cwd: w.dir,
          env: { LUIGI_CONFIG_PATH: wcfg, OUT: w.out, LOG: w.log },
        });
        expect(result.code, result.stderr).not.toBe(0);
        return result.stderr;
      };
      for (const [caFile, message] of [
        [path.join(w.dir, "missing.pem"), "cannot read it (ENOENT)"],
        [pki.key, "no PEM certificate in it"],
      ] as const) {
        expect(await failing(url, `rpc_ca_file = ${caFile}`)).toContain(
          `[core] rpc_ca_file = ${caFile}: ${message}`,
        );
      }
      // An http:// URL at this HTTPS luigid: hung up on, retried, then said what to check.
      expect(
        await failing(`http://127.0.0.1:${daemon.port}`, "rpc_retry_attempts = 2\nrpc_retry_wait = 0.1"),
      ).toContain("if luigid serves HTTPS, use an https:// URL");
      // An https:// URL at a plain-HTTP luigid says so.
      const plain = await startLuigid(["--state-path", path.join(w.dir, "plain.json")], { cwd: w.dir });
      try {
        expect(await failing(`https://127.0.0.1:${plain.port}`, "")).toContain("does not speak TLS");
      } finally {
        await plain.stop();
      }
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it("refuses bad certificate or key files at start, naming the file, and leaves the state files as they were", async () => {
    const w = workdir();
    const stateDir = path.join(w.dir, "state");
    mkdirSync(stateDir);
    const statePath = path.join(stateDir, "s.json");
    // A state with a journal: what a refused start must not touch.
    const first = await startLuigid(["--state-path", statePath], { cwd: w.dir });
    await rpc(first.url, "add_task", { worker: WORKER, task_id: "Kept_1", family: "Kept", status: "DONE" });
    await first.stop("SIGKILL");
    const before = filesOf(stateDir);
    expect(before.size).toBeGreaterThan(0);

    const notPem = path.join(w.dir, "not.pem");
    writeFileSync(notPem, "hello\n");
    const cfgFile = path.join(w.dir, "bad.cfg");
    writeFileSync(cfgFile, `[scheduler]\ncertfile = ${notPem}\nkeyfile = ${pki.key}\n`);
    const missing = path.join(w.dir, "missing.pem");
    const cases: { args: string[]; env?: Record<string, string>; message: string }[] = [
      {
        args: ["--certfile", missing, "--keyfile", pki.key],
        message: `--certfile ${missing}: cannot read it (no such file)`,
      },
      {
        args: ["--certfile", pki.cert, "--keyfile", missing],
        message: `--keyfile ${missing}: cannot read it (no such file)`,
      },
      {
        args: ["--certfile", pki.key, "--keyfile", pki.key],
        message: `--certfile ${pki.key}: not a PEM certificate`,
      },
      {
        args: ["--certfile", pki.cert, "--keyfile", pki.cert],
        message: `--keyfile ${pki.cert}: not a usable PEM private key (it holds a certificate, not a key)`,
      },
      {
        args: ["--certfile", pki.cert, "--keyfile", pki.otherKey],
        message: `--keyfile ${pki.otherKey} is not the private key of the certificate in ${pki.cert}`,
      },
      {
        args: ["--certfile", pki.cert, "--keyfile", stateDir],
        message: `--keyfile ${stateDir}: cannot read it (a directory, not a file)`,
      },
      { args: ["--certfile", pki.cert], message: "--certfile is set but no private key" },
      { args: ["--keyfile", pki.key], message: "--keyfile is set but no certificate" },
      {
        args: [],
        env: { LUIGI_CONFIG_PATH: cfgFile },
        message: `[scheduler] certfile ${notPem}: not a PEM certificate`,
      },
      {
        args: ["--certfile", pki.cert, "--keyfile", pki.key, "--unix-socket", path.join(w.dir, "l.sock")],
        message: "TLS (--certfile / --keyfile, [scheduler] certfile / keyfile) is for TCP",
      },
    ];
    for (const c of cases) {
      const result = await runLuigid(
        ["--address", "127.0.0.1", "--port", "0", "--state-path", statePath, ...c.args],
        w.dir,
        c.env ?? {},
      );
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`luigid: could not start: ${c.message}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(filesOf(stateDir), c.message).toEqual(before);
    }
    // And the state is still there for a good start.
    const again = await startLuigid(["--state-path", statePath], { cwd: w.dir });
    try {
      expect(Object.keys(await rpc(again.url, "task_list", { status: "DONE" }))).toEqual(["Kept_1"]);
    } finally {
      await again.stop();
    }
  }, 60_000);
});

describe("the warning for a luigid open to the network without authentication", () => {
  const count = (text: string): number => text.split(WARNING).length - 1;

  it("is logged once by the default start (every address), and not on 127.0.0.1, ::1 or a unix socket", async () => {
    const w = workdir();
    const starts: { what: string; args: string[]; address: string | null; warns: boolean }[] = [
      { what: "the default: every address", args: [], address: null, warns: true },
      { what: "--address 127.0.0.1", args: [], address: "127.0.0.1", warns: false },
      { what: "--address ::1", args: [], address: "::1", warns: false },
      {
        what: "--unix-socket",
        args: ["--unix-socket", path.join(w.dir, "l.sock")],
        address: "127.0.0.1",
        warns: false,
      },
    ];
    for (const s of starts) {
      const daemon = await startLuigid(
        ["--state-path", path.join(w.dir, `${starts.indexOf(s)}.json`), ...s.args],
        {
          cwd: w.dir,
          address: s.address,
        },
      );
      try {
        // Said at start, not per request.
        if (!s.args.includes("--unix-socket"))
          await send(`http://127.0.0.1:${daemon.port}/api/is_paused`).catch(() => undefined);
      } finally {
        await daemon.stop();
      }
      expect(count(daemon.output()), `${s.what}:\n${daemon.output()}`).toBe(s.warns ? 1 : 0);
      if (s.warns) expect(daemon.output()).toContain("Set [auth] users_file");
    }
  }, 60_000);
});

describe("the rules, unit by unit", () => {
  const base = { url: "/api/pause", scheme: "http", host: "127.0.0.1:8082" };
  const refuses = (req: Partial<Parameters<typeof crossSiteRefusal>[0]>, allowed: string[] = []): boolean =>
    crossSiteRefusal(
      { httpMethod: "POST", origin: undefined, secFetchSite: undefined, ...base, ...req },
      parseAllowedOrigins(allowed),
    ) !== undefined;

  it("compares origins as browsers do: default ports, case, IPv6, a trailing slash in the list", () => {
    expect(
      refuses({ scheme: "https", host: "Luigi.Example.com", origin: "https://luigi.example.com:443" }),
    ).toBe(false);
    expect(refuses({ host: "[::1]:8082", origin: "http://[::1]:8082" })).toBe(false);
    expect(refuses({ origin: "http://luigi.example.com" }, ["http://luigi.example.com/"])).toBe(false);
    expect(refuses({ origin: "http://127.0.0.1:8082.evil.example" })).toBe(true);
    expect(refuses({ origin: "not a url" })).toBe(true);
    expect(refuses({ host: undefined, origin: "http://127.0.0.1:8082" })).toBe(true);
    expect(refuses({ httpMethod: "GET", url: "/history", origin: EVIL })).toBe(false);
    expect(refuses({ httpMethod: "HEAD", url: "/", secFetchSite: "cross-site" })).toBe(false);
    expect(refuses({ httpMethod: "DELETE", url: "/anything", secFetchSite: "cross-site" })).toBe(true);
    expect(() => parseAllowedOrigins(["*"])).toThrow(/"\*" is not an origin/);
  });

  it("loopback addresses, and no warning with authentication on", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::1]"]) {
      expect(isLoopbackAddress(a), a).toBe(true);
    }
    for (const a of ["::", "0.0.0.0", "10.0.0.1", "192.168.1.2", "::ffff:10.0.0.1", "fe80::1", "localhost"]) {
      expect(isLoopbackAddress(a), a).toBe(false);
    }
    expect(exposureWarning(["::"], "[::]:8082", true)).toBeUndefined();
    expect(exposureWarning(["127.0.0.1", "::1"], "localhost:8082", false)).toBeUndefined();
    expect(exposureWarning(["127.0.0.1", "0.0.0.0"], "x", false)).toContain(WARNING);
  });

  it("the visualiser sends every call by POST with a form body: no state change rides on a URL", async () => {
    const sent: { method: string; verb: string; hasQuery: boolean; body: string }[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      // The session probe (auth/session) answers "no authentication", as a luigid without [auth] does.
      if (url.includes("auth/session")) return new Response(JSON.stringify({ auth: false }), { status: 200 });
      const method = /api\/([a-z_]+)/.exec(url)?.[1] ?? "";
      sent.push({
        method,
        verb: init?.method ?? "GET",
        hasQuery: url.includes("?"),
        body: typeof init?.body === "string" ? init.body : "",
      });
      return new Response(JSON.stringify({ response: null }), { status: 200 });
    };
    try {
      for (const call of Object.values(api) as ((...args: unknown[]) => Promise<unknown>)[]) {
        await call({}, undefined).catch(() => undefined);
      }
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(sent.length).toBe(Object.keys(api).length);
    for (const s of sent) {
      expect(RPC_METHODS.get(s.method), s.method).toBeDefined();
      expect(s.verb, s.method).toBe("POST");
      expect(s.hasQuery, s.method).toBe(false);
      expect(s.body, s.method).toMatch(/^data=/);
    }
  });
});
