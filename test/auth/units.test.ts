/**
 * The parts of src/auth and the access rules, in process: hashes, the users file, the throttle, the cache
 * of verified headers (scrypt once per credential), sessions, trusted proxies, where a login may lead, and
 * which rule a request falls under.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Authenticator } from "../../src/auth/authenticator.js";
import { hashPassword, hashToken, newToken, tokenMatches, verifyPassword } from "../../src/auth/passwords.js";
import { ROLES } from "../../src/auth/roles.js";
import { SessionStore } from "../../src/auth/sessions.js";
import { LoginThrottle, Throttled } from "../../src/auth/throttle.js";
import { plainAddress, TrustedProxies } from "../../src/auth/trusted-proxies.js";
import { parseUsers, writeUsersFile } from "../../src/auth/users-file.js";
import { VerifiedCache } from "../../src/auth/verified-cache.js";
import type { AuthConfig } from "../../src/config/auth.js";
import { RPC_METHODS } from "../../src/rpc/methods.js";
import { parseSchedulerUrl } from "../../src/rpc/url.js";
import { accessRule, loginRedirect } from "../../src/server/access.js";
import { safeNext } from "../../src/server/login-routes.js";
import { ROOT, workdir } from "../helpers/cli.js";
import { basic, writeUsers } from "./helpers.js";

describe("password and token hashes", () => {
  it("scrypt with its parameters stored per hash, so they can be raised later", async () => {
    const weak = await hashPassword("pw", { N: 1024, r: 8, p: 1 });
    expect(weak).toMatchObject({ alg: "scrypt", N: 1024, r: 8, p: 1 });
    expect(await verifyPassword("pw", weak)).toBe(true);
    expect(await verifyPassword("pW", weak)).toBe(false);
    expect(await verifyPassword("pw", { ...weak, N: 2048 })).toBe(false);
  });

  it("tokens: 256 random bits, stored as SHA-256, compared in constant time", () => {
    const token = newToken();
    expect(token).toMatch(/^lt_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(token);
    const stored = hashToken(token);
    expect(stored.hash).not.toContain(token);
    expect(tokenMatches(token, stored)).toBe(true);
    expect(tokenMatches(`${token}x`, stored)).toBe(false);
  });
});

describe("the users file", () => {
  const doc = (users: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ format: "luigi-ts/users", version: 1, users, ...extra });
  const token = { alg: "sha256", hash: Buffer.alloc(32, 1).toString("base64") };
  const password = {
    alg: "scrypt",
    N: 1024,
    r: 8,
    p: 1,
    salt: "c2FsdHNhbHQ=",
    hash: Buffer.alloc(32).toString("base64"),
  };

  it("refuses what it cannot use, naming the user and the field", () => {
    const cases: [string, string][] = [
      ["{", "not valid JSON"],
      [JSON.stringify({ users: {} }), 'expected "format": "luigi-ts/users"'],
      [doc({}, { version: 2 }), "version 2 is not one this luigi-ts reads"],
      [doc({ "a b": { role: "viewer", token } }), 'user name "a b"'],
      [doc({ a: { role: "boss", token } }), 'user a: role "boss"'],
      [doc({ a: { role: "viewer" } }), "user a: expected a password or a token (one)"],
      [doc({ a: { role: "viewer", token, password } }), "user a: expected a password or a token (one)"],
      [doc({ a: { role: "viewer", password: { ...password, N: 1000 } } }), "N must be a power of two"],
      [doc({ a: { role: "viewer", password: { ...password, N: 2 ** 30 } } }), "N must be a power of two"],
      [doc({ a: { role: "viewer", password: { ...password, salt: "!" } } }), "salt must be base64"],
      [doc({ a: { role: "viewer", token: { alg: "md5", hash: "x" } } }), 'token: expected {"alg": "sha256"'],
    ];
    for (const [text, words] of cases) expect(() => parseUsers(text, "u.json"), text).toThrow(words);
    expect(parseUsers(doc({ a: { role: "viewer", token } }), "u.json").get("a")?.role).toBe("viewer");
  });

  it("is written atomically (no temp file left), mode 0600, replacing the old one", () => {
    const { dir } = workdir();
    const file = path.join(dir, "users.json");
    writeFileSync(file, "old", { mode: 0o644 });
    writeUsersFile(file, new Map([["a", { role: "viewer", token: hashToken("t") }]]));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["users.json"]);
  });
});

describe("the login throttle", () => {
  it("doubles the wait after each failure of a (user, address) pair, up to a cap; a success clears it", async () => {
    const t = new LoginThrottle({ baseDelayMs: 2, maxDelayMs: 8 });
    const fail = () => t.attempt("bob", "10.0.0.1", async () => false);
    expect(t.delayOf("bob", "10.0.0.1")).toBe(0);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await fail();
      delays.push(t.delayOf("bob", "10.0.0.1"));
    }
    expect(delays).toEqual([2, 4, 8, 8, 8]);
    // Another address, or another name, is not slowed; the name need not exist.
    expect(t.delayOf("bob", "10.0.0.2")).toBe(0);
    expect(t.delayOf("nobody", "10.0.0.1")).toBe(0);
    expect(await t.attempt("bob", "10.0.0.1", async () => true)).toBe(true);
    expect(t.delayOf("bob", "10.0.0.1")).toBe(0);
  });

  it("checks one attempt of a pair at a time and refuses a pile-up", async () => {
    const t = new LoginThrottle({ baseDelayMs: 1, maxWaiting: 2 });
    let running = 0;
    let most = 0;
    const check = async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return false;
    };
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => t.attempt("u", "a", check)));
    expect(most).toBe(1);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason instanceof Throttled).toBe(true);
  });

  it("forgets failures after a while", async () => {
    let now = 0;
    const t = new LoginThrottle({ baseDelayMs: 1, forgetAfterMs: 1000, now: () => now });
    await t.attempt("u", "a", async () => false);
    expect(t.delayOf("u", "a")).toBe(1);
    now = 2000;
    expect(t.delayOf("u", "a")).toBe(0);
  });
});

describe("caches and sessions", () => {
  it("the verified-header cache is bounded, least recently used out first, and holds no header text", () => {
    const cache = new VerifiedCache(2);
    cache.set("Basic a", "a");
    cache.set("Basic b", "b");
    expect(cache.get("Basic a")).toBe("a");
    cache.set("Basic c", "c");
    expect(cache.get("Basic b")).toBeUndefined();
    expect([cache.get("Basic a"), cache.get("Basic c"), cache.size]).toEqual(["a", "c", 2]);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("sessions end at their max age and are bounded; each has its own CSRF token", () => {
    let now = 1_000;
    const store = new SessionStore(60, () => now, 2);
    const a = store.create("alice", "h1");
    const b = store.create("bob", "h2");
    expect(a.id).not.toBe(b.id);
    expect(a.csrfToken).not.toBe(b.csrfToken);
    expect(a.csrfToken).not.toBe(a.id);
    expect(store.get(a.id)?.user).toBe("alice");
    store.create("carol", "h3");
    expect(store.get(a.id)).toBeUndefined();
    now += 61_000;
    expect(store.get(b.id)).toBeUndefined();
    expect(store.size).toBe(1);
  });
});

describe("trusted proxies", () => {
  it("takes addresses and CIDR ranges, IPv4 and IPv6; an IPv4 client of a dual-stack socket is IPv4", () => {
    const p = new TrustedProxies(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    expect(["10.1.2.3", "127.0.0.1", "::ffff:127.0.0.1", "fd12::1"].map((a) => p.trusts(a))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["11.0.0.1", "127.0.0.2", "::1", "junk", ""].map((a) => p.trusts(a))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(plainAddress("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(plainAddress("::1")).toBe("::1");
    for (const bad of ["10.0.0.0/33", "10.0.0/8", "host.example", "1.2.3.4/8/9", "::1/129"]) {
      expect(() => new TrustedProxies([bad]), bad).toThrow("[auth] trusted_proxies");
    }
  });
});

describe("routes", () => {
  it("a login leads only to a path under luigid's root", () => {
    expect(safeNext("history/by_id/3?x=1")).toBe("history/by_id/3?x=1");
    expect(safeNext("static/visualiser/index.html#tab=graph")).toBe("static/visualiser/index.html#tab=graph");
    for (const bad of [
      undefined,
      "",
      "/history",
      "//evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "\\\\evil",
      "a b",
      "x\r\nSet-Cookie: y",
    ]) {
      expect(safeNext(bad), String(bad)).toBe("static/visualiser/index.html");
    }
  });

  it("the login form's address is relative to the page, so a proxy's path prefix is kept", () => {
    expect(loginRedirect("/history")).toBe("login?next=history");
    expect(loginRedirect("/static/visualiser/")).toBe("../../login?next=static%2Fvisualiser%2F");
    expect(loginRedirect("//history/by_id/3?page=2")).toBe("../../login?next=history%2Fby_id%2F3%3Fpage%3D2");
  });

  it("each request falls under one rule, read as the RPC handler reads the target", () => {
    expect(accessRule("HEAD", "/")).toEqual({ kind: "open" });
    expect(accessRule("GET", "/")).toEqual({ kind: "open" });
    expect(accessRule("OPTIONS", "/api/mark_as_done")).toEqual({ kind: "open" });
    expect(accessRule("POST", "/login")).toEqual({ kind: "open" });
    expect(accessRule("POST", "/api/mark_as_done")).toEqual({
      kind: "api",
      method: "mark_as_done",
      role: "operator",
      effects: true,
    });
    expect(accessRule("GET", "/api/task_list?data={}")).toEqual({
      kind: "api",
      method: "task_list",
      role: "viewer",
      effects: false,
    });
    // Not an API path for the RPC handler either (a URL with host "api"): it answers 404, after the check.
    expect(accessRule("GET", "//api/mark_as_done")).toEqual({ kind: "other", role: "viewer" });
    expect(accessRule("POST", "/api/get_work")).toMatchObject({ role: "worker" });
    expect(accessRule("POST", "/api/announce_scheduling_failure")).toMatchObject({ effects: true });
    expect(accessRule("POST", "/api/prune")).toMatchObject({ role: "admin" });
    expect(accessRule("POST", "/api/nope")).toMatchObject({ kind: "api", role: "viewer" });
    expect(accessRule("GET", "/history/by_name/X")).toEqual({ kind: "page", role: "viewer" });
    expect(accessRule("GET", "/static/visualiser/index.html")).toEqual({ kind: "page", role: "viewer" });
    expect(accessRule("GET", "/metrics")).toEqual({ kind: "other", role: "viewer" });
    expect(accessRule("HEAD", "/anything")).toEqual({ kind: "other", role: "viewer" });
  });
});

describe("docs/security.md", () => {
  it("lists every RPC method under the role the method table gives it", () => {
    const doc = readFileSync(path.join(ROOT, "docs/security.md"), "utf8");
    for (const role of ROLES) {
      const row = new RegExp(`^\\| \`${role}\` \\|(.*)\\|$`, "m").exec(doc)?.[1] ?? "";
      const listed = [...row.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort();
      const expected = [...RPC_METHODS.values()]
        .filter((m) => m.role === role)
        .map((m) => m.name)
        .sort();
      expect(listed, role).toEqual(expected);
    }
  });
});

describe("the worker's credentials", () => {
  it("sends LUIGI_SCHEDULER_TOKEN as a bearer token, and refuses it together with URL credentials", () => {
    expect(parseSchedulerUrl("http://h:1/", { LUIGI_SCHEDULER_TOKEN: "lt_x" }).authorization).toBe(
      "Bearer lt_x",
    );
    expect(parseSchedulerUrl("http://u:p%40ss@h:1/", {}).authorization).toBe(basic("u", "p@ss"));
    expect(parseSchedulerUrl("http://h:1/", {}).authorization).toBeUndefined();
    expect(() => parseSchedulerUrl("http://u:p@h:1/", { LUIGI_SCHEDULER_TOKEN: "lt_x" })).toThrow(
      "LUIGI_SCHEDULER_TOKEN",
    );
  });
});

describe("the authenticator, in process", () => {
  const config = (usersFile: string): AuthConfig => ({
    usersFile,
    allowedOrigins: [],
    proxyUserHeader: "",
    proxyRoleHeader: "",
    proxyDefaultRole: "viewer",
    trustedProxies: [],
    sessionMaxAge: 3600,
  });
  const presented = (authorization?: string, sessionId?: string) => ({
    authorization,
    sessionId,
    address: "127.0.0.1",
    header: () => undefined,
  });

  it("checks a basic-auth header's password once, however many requests carry it, until the users file changes", async () => {
    const { dir } = workdir();
    const file = path.join(dir, "users.json");
    await writeUsers(file, [{ name: "w", role: "worker", secret: "pw" }]);
    const auth = (await Authenticator.open(config(file)))!;
    const header = basic("w", "pw");
    // Parallel first calls share one verification.
    const first = await Promise.all(Array.from({ length: 20 }, () => auth.identify(presented(header))));
    expect(first.every((v) => v.kind === "identified")).toBe(true);
    for (let i = 0; i < 200; i++) await auth.identify(presented(header));
    expect(auth.stats.verifications).toBe(1);
    expect(auth.stats.cacheHits).toBeGreaterThanOrEqual(200);

    // A new file: the cache is emptied, the next call is checked again against the new password.
    await writeUsers(file, [{ name: "w", role: "operator", secret: "new-pw" }]);
    await auth.reloadUsers();
    expect((await auth.identify(presented(header))).kind).toBe("refused");
    const again = await auth.identify(presented(basic("w", "new-pw")));
    expect(again.kind === "identified" && again.identity.role).toBe("operator");
    expect(auth.stats.verifications).toBe(3);
    auth.close();
  });

  it("answers an unknown user as a wrong password; a session of a removed user ends", async () => {
    const { dir } = workdir();
    const file = path.join(dir, "users.json");
    await writeUsers(file, [
      { name: "a", role: "admin", secret: "pw" },
      { name: "b", role: "viewer", secret: "pw" },
    ]);
    const auth = (await Authenticator.open(config(file)))!;
    const wrong = await auth.identify(presented(basic("a", "nope")));
    const unknown = await auth.identify(presented(basic("zed", "nope")));
    expect({ ...wrong, user: undefined }).toEqual({ ...unknown, user: undefined });
    expect(auth.stats.verifications).toBe(2);

    const login = await auth.login("b", "pw", "127.0.0.1");
    expect(login.kind).toBe("ok");
    const id = login.kind === "ok" ? login.session.id : "";
    expect((await auth.identify(presented(undefined, id))).kind).toBe("identified");
    // A new password (any `luigid user add` of that user: a new salt) ends the sessions opened before.
    const other = await auth.login("a", "pw", "127.0.0.1");
    const otherId = other.kind === "ok" ? other.session.id : "";
    await writeUsers(file, [
      { name: "a", role: "admin", secret: "new" },
      { name: "b", role: "viewer", secret: "pw" },
    ]);
    await auth.reloadUsers();
    expect((await auth.identify(presented(undefined, otherId))).kind).toBe("anonymous");
    await writeUsers(file, [{ name: "a", role: "admin", secret: "pw" }]);
    await auth.reloadUsers();
    expect((await auth.identify(presented(undefined, id))).kind).toBe("anonymous");
    expect((await auth.login("b", "pw", "127.0.0.1")).kind).toBe("refused");
    auth.close();
  });

  it("is off (undefined) without users_file and proxy_user_header", async () => {
    expect(await Authenticator.open(config(""))).toBeUndefined();
  });
});
