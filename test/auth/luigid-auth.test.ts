/**
 * luigid with `[auth]`, as a real process on 127.0.0.1, called over real HTTP: every role against every
 * method, no credentials, wrong ones, tokens, a login session with and without its CSRF token, the proxy
 * header from a trusted and an untrusted address (127.0.0.2: a loopback address luigid does not trust),
 * the slowing of failed logins, who changed what in the log and the step history, and the users file
 * changed while luigid runs.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleAllows, ROLES, type Role } from "../../src/auth/roles.js";
import { RPC_METHODS } from "../../src/rpc/methods.js";
import { workdir } from "../helpers/cli.js";
import { startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { until } from "../helpers/wait.js";
import {
  basic,
  errorOf,
  login,
  luigidUser,
  request,
  rpcAs,
  startAuthLuigid,
  tokenUser,
  writeUsers,
  type TestUser,
} from "./helpers.js";

const PASSWORDS: Record<Role, string> = {
  viewer: "view-pw",
  worker: "work-pw",
  operator: "op-pw",
  admin: "admin-pw",
};
const USERS: TestUser[] = ROLES.map((role) => ({ name: `${role}1`, role, secret: PASSWORDS[role] }));
const TOKEN_WORKER = tokenUser("robot", "worker");
const VICTIM: TestUser = { name: "victim", role: "viewer", secret: "victim-pw" };

const EXTRA = `proxy_user_header = X-Forwarded-User
proxy_role_header = X-Forwarded-Role
trusted_proxies = 127.0.0.1
[scheduler]
record_step_history = True
retry_delay = 3600
`;

describe("luigid with [auth] (real process, real HTTP)", () => {
  let daemon: RunningLuigid;
  let dir: string;
  let usersFile: string;
  const as = (u: TestUser) => ({ authorization: basic(u.name, u.secret) });
  const user = (role: Role) => USERS.find((u) => u.role === role) as TestUser;

  beforeAll(async () => {
    dir = workdir().dir;
    usersFile = path.join(dir, "users.json");
    await writeUsers(usersFile, [...USERS, TOKEN_WORKER, VICTIM]);
    daemon = await startAuthLuigid(dir, usersFile, EXTRA);
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
  });

  it("answers each role for each method: allowed, or 403 naming the method and the role needed", async () => {
    for (const u of [...USERS, TOKEN_WORKER]) {
      for (const [name, spec] of RPC_METHODS) {
        // Empty arguments: a method that needs some answers 400, which still shows the gate let it by.
        const res = await rpcAs(daemon.url, name, {}, as(u));
        if (roleAllows(u.role, spec.role)) {
          expect([401, 403], `${u.name} (${u.role}) -> ${name}: ${res.text}`).not.toContain(res.status);
        } else {
          expect(res.status, `${u.name} (${u.role}) -> ${name}`).toBe(403);
          expect(errorOf(res)).toMatchObject({ code: "FORBIDDEN", method: name, role: spec.role });
          expect(errorOf(res).message).toContain(`needs the ${spec.role} role`);
        }
      }
    }
    // pause was among the calls: undo it for the tests below.
    expect((await rpcAs(daemon.url, "unpause", {}, as(user("operator")))).status).toBe(200);
    // /metrics and the history pages need viewer, which every role includes.
    for (const u of USERS) {
      expect((await request(`${daemon.url}/metrics`, { headers: as(u) })).status).toBe(200);
      expect((await request(`${daemon.url}/history?format=json`, { headers: as(u) })).status).toBe(200);
    }
  });

  it("without credentials: 401 with WWW-Authenticate: Basic from the API and /metrics, pages send a browser to the login form, HEAD / stays open", async () => {
    for (const method of ["task_list", "get_work", "mark_as_done", "no_such_method"]) {
      const res = await rpcAs(daemon.url, method, { worker: "w" });
      expect(res.status, method).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Basic realm="luigid", charset="UTF-8"');
      expect(errorOf(res).code).toBe("AUTH_REQUIRED");
    }
    const metrics = await request(`${daemon.url}/metrics`);
    expect(metrics.status).toBe(401);
    expect(metrics.headers["www-authenticate"]).toContain("Basic");
    // A page's own fetch() gets no challenge: the browser would pop up its password dialog.
    const fromPage = await rpcAs(daemon.url, "task_list", {}, { "sec-fetch-mode": "cors" });
    expect(fromPage.status).toBe(401);
    expect(fromPage.headers["www-authenticate"]).toBeUndefined();

    const html = { accept: "text/html,application/xhtml+xml" };
    const visualiser = await request(`${daemon.url}/static/visualiser/index.html`, { headers: html });
    expect(visualiser.status).toBe(302);
    expect(visualiser.headers.location).toBe("../../login?next=static%2Fvisualiser%2Findex.html");
    const history = await request(`${daemon.url}/history/by_id/3?x=1`, { headers: html });
    expect(history.headers.location).toBe("../../login?next=history%2Fby_id%2F3%3Fx%3D1");
    expect((await request(`${daemon.url}/history?format=json`)).status).toBe(401);

    expect((await request(`${daemon.url}/`, { method: "HEAD" })).status).toBe(204);
    const form = await request(`${daemon.url}/login`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method="post" action="login">');
    // No inline script or style: the page stands under a strict Content-Security-Policy.
    expect(form.text).not.toMatch(/<script|<style|style=/);
  });

  it("a wrong password and an unknown user get the same answer; tokens work as Bearer and as a basic-auth password", async () => {
    const wrong = await rpcAs(daemon.url, "task_list", {}, { authorization: basic("viewer1", "nope") });
    const unknown = await rpcAs(daemon.url, "task_list", {}, { authorization: basic("nobody", "nope") });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(errorOf(wrong).code).toBe("AUTH_FAILED");
    expect(errorOf(wrong).message).toBe("wrong user name or password");

    const bearer = { authorization: `Bearer ${TOKEN_WORKER.secret}` };
    expect((await rpcAs(daemon.url, "ping", { worker: "robot-w" }, bearer)).status).toBe(200);
    expect((await rpcAs(daemon.url, "pause", {}, bearer)).status).toBe(403);
    const tokenAsPassword = { authorization: basic("robot", TOKEN_WORKER.secret) };
    expect((await rpcAs(daemon.url, "ping", { worker: "robot-w" }, tokenAsPassword)).status).toBe(200);
    const badToken = await rpcAs(daemon.url, "ping", { worker: "w" }, { authorization: "Bearer lt_nothing" });
    expect(badToken.status).toBe(401);
    expect(errorOf(badToken).code).toBe("AUTH_FAILED");
    // Another user's token is not a password of this one.
    expect(
      (
        await rpcAs(
          daemon.url,
          "ping",
          { worker: "w" },
          { authorization: basic("worker1", TOKEN_WORKER.secret) },
        )
      ).status,
    ).toBe(401);
  });

  it("a login session: reads without the CSRF token, state changes only with it; logout ends it", async () => {
    const cookie = await login(daemon.url, "operator1", PASSWORDS.operator);
    const session = await request(`${daemon.url}/auth/session`, { headers: { cookie } });
    expect(session.json).toMatchObject({ auth: true, user: "operator1", role: "operator", via: "session" });
    const csrf = session.json?.csrf_token as string;
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await rpcAs(daemon.url, "is_paused", {}, { cookie })).status).toBe(200);
    const noToken = await rpcAs(daemon.url, "pause", {}, { cookie });
    expect(noToken.status).toBe(403);
    expect(errorOf(noToken).code).toBe("CSRF_TOKEN");
    const badToken = await rpcAs(
      daemon.url,
      "pause",
      {},
      { cookie, "x-csrf-token": `${csrf.slice(0, -1)}x` },
    );
    expect(errorOf(badToken).code).toBe("CSRF_TOKEN");
    expect((await rpcAs(daemon.url, "pause", {}, { cookie, "x-csrf-token": csrf })).status).toBe(200);
    expect((await rpcAs(daemon.url, "unpause", {}, { cookie, "x-csrf-token": csrf })).status).toBe(200);
    // Another session's token does not do.
    const other = await login(daemon.url, "admin1", PASSWORDS.admin);
    expect((await rpcAs(daemon.url, "pause", {}, { cookie: other, "x-csrf-token": csrf })).status).toBe(403);

    // Logout needs the token too (else any page could log you out), then the cookie is dead.
    expect((await request(`${daemon.url}/logout`, { headers: { cookie }, body: "" })).status).toBe(403);
    const out = await request(`${daemon.url}/logout`, {
      headers: { cookie },
      body: new URLSearchParams({ csrf }).toString(),
    });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe("login?bye=1");
    expect([out.headers["set-cookie"]].flat()[0]).toMatch(
      /^luigid_session=; Max-Age=0; HttpOnly; SameSite=Lax/,
    );
    expect((await rpcAs(daemon.url, "is_paused", {}, { cookie })).status).toBe(401);
    expect((await request(`${daemon.url}/auth/session`, { headers: { cookie } })).status).toBe(401);

    // A failed login: the form again, 401, the name kept, the password not.
    const failed = await request(`${daemon.url}/login`, {
      body: new URLSearchParams({ user: "operator1", password: "wrong", next: "history" }).toString(),
    });
    expect(failed.status).toBe(401);
    expect(failed.text).toContain("Wrong user name or password.");
    expect(failed.text).toContain('value="operator1"');
    expect(failed.headers["set-cookie"]).toBeUndefined();
    // `next` never leads off luigid.
    const away = await request(`${daemon.url}/login`, {
      body: new URLSearchParams({
        user: "viewer1",
        password: PASSWORDS.viewer,
        next: "//evil.example/x",
      }).toString(),
    });
    expect(away.headers.location).toBe("static/visualiser/index.html");
  });

  it("refuses cross-site state changes with authentication on too, whatever the credentials", async () => {
    const evil = { origin: "http://evil.example", "sec-fetch-site": "cross-site" };
    const cookie = await login(daemon.url, "operator1", PASSWORDS.operator);
    const session = await request(`${daemon.url}/auth/session`, { headers: { cookie } });
    const csrf = session.json?.csrf_token as string;
    for (const headers of [
      { ...evil, authorization: basic("operator1", PASSWORDS.operator) },
      { ...evil, cookie, "x-csrf-token": csrf },
    ]) {
      const refused = await rpcAs(daemon.url, "pause", {}, headers);
      expect(refused.status).toBe(403);
      expect(errorOf(refused).code).toBe("CROSS_SITE_REFUSED");
    }
    expect((await rpcAs(daemon.url, "is_paused", {})).status).toBe(401);
    const paused = await rpcAs(
      daemon.url,
      "is_paused",
      {},
      { authorization: basic("operator1", PASSWORDS.operator) },
    );
    expect(paused.json).toEqual({ response: { paused: false } });
  });

  it("believes the proxy header from a trusted address (127.0.0.1) only, not from 127.0.0.2", async () => {
    const proxied = { "x-forwarded-user": "carol@example.com", "x-forwarded-role": "operator" };
    const trusted = await rpcAs(daemon.url, "pause", {}, proxied);
    expect(trusted.status).toBe(200);
    expect((await rpcAs(daemon.url, "unpause", {}, proxied)).status).toBe(200);
    const untrusted = await rpcAs(daemon.url, "pause", {}, proxied, { localAddress: "127.0.0.2" });
    expect(untrusted.status).toBe(401);
    expect(errorOf(untrusted).code).toBe("AUTH_REQUIRED");
    // Without a role header: proxy_default_role (viewer).
    const viewer = await rpcAs(daemon.url, "pause", {}, { "x-forwarded-user": "dave" });
    expect(errorOf(viewer)).toMatchObject({ code: "FORBIDDEN", role: "operator" });
    expect((await rpcAs(daemon.url, "is_paused", {}, { "x-forwarded-user": "dave" })).status).toBe(200);
    const badRole = await rpcAs(
      daemon.url,
      "is_paused",
      {},
      { "x-forwarded-user": "eve", "x-forwarded-role": "root" },
    );
    expect(badRole.status).toBe(401);
    expect(daemon.output()).toContain("carol@example.com");
  });

  it("slows failed logins per user and address: a burst from one address is refused, another address is not", async () => {
    // Different guesses: the same header sent in parallel is verified once for all of its requests.
    const guess = (i: number) => ({ authorization: basic("victim", `guess-${i}`) });
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => rpcAs(daemon.url, "is_paused", {}, guess(i))),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const throttled = burst.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(Number(throttled[0]?.headers["retry-after"])).toBeGreaterThan(0);
    expect(errorOf(throttled[0]!).code).toBe("AUTH_THROTTLED");
    // The same user from another address, with the right password, is not slowed by that burst.
    const good = await rpcAs(daemon.url, "is_paused", {}, as(VICTIM), { localAddress: "127.0.0.2" });
    expect(good.status).toBe(200);
  });

  it("records who marked a step done, forgave it and re-enabled it, in luigid's log and the step history", async () => {
    const worker = as(user("worker"));
    const cookie = await login(daemon.url, "operator1", PASSWORDS.operator);
    const csrf = (await request(`${daemon.url}/auth/session`, { headers: { cookie } })).json
      ?.csrf_token as string;
    const operator = { cookie, "x-csrf-token": csrf };
    const add = (id: string, extra: Record<string, unknown> = {}) =>
      rpcAs(
        daemon.url,
        "add_task",
        { task_id: id, family: "Audit", worker: "w-audit", status: "FAILED", ...extra },
        worker,
      );

    for (let round = 1; round <= 3; round++) {
      const forgiven = `Audit_forgive_${round}`;
      const done = `Audit_done_${round}`;
      const disabled = `Audit_disabled_${round}`;
      expect((await add(forgiven)).status).toBe(200);
      expect((await add(done)).status).toBe(200);
      // A failure of a known step counts: with retry_count 1, the first one disables it.
      expect((await add(disabled, { status: "PENDING", retry_policy_dict: { retry_count: 1 } })).status).toBe(
        200,
      );
      expect((await add(disabled)).status).toBe(200);
      expect((await rpcAs(daemon.url, "forgive_failures", { task_id: forgiven }, operator)).json).toEqual({
        response: { task_id: forgiven, status: "PENDING" },
      });
      expect((await rpcAs(daemon.url, "mark_as_done", { task_id: done }, operator)).status).toBe(200);
      const reEnabled = await rpcAs(daemon.url, "re_enable_task", { task_id: disabled }, as(user("admin")));
      expect(reEnabled.status, reEnabled.text).toBe(200);

      const eventsOf = async (stepId: string) => {
        const runs = await request(`${daemon.url}/history/by_task_id/${stepId}?format=json`, {
          headers: worker,
        });
        const id = (runs.json?.runs as { id: number }[] | undefined)?.[0]?.id;
        if (id === undefined) return undefined;
        const run = await request(`${daemon.url}/history/by_id/${id}?format=json`, { headers: worker });
        return run.json?.events as { event: string; message: string | null; actor: string | null }[];
      };
      const byEvent = async (stepId: string, event: string) =>
        until(`${event} of ${stepId} in the history`, async () =>
          (await eventsOf(stepId))?.find((e) => e.event === event),
        );
      expect(await byEvent(forgiven, "PENDING")).toMatchObject({
        message: "forgiven",
        actor: "operator1 (operator) from 127.0.0.1",
      });
      expect(await byEvent(done, "DONE")).toMatchObject({
        message: "marked-done",
        actor: "operator1 (operator) from 127.0.0.1",
      });
      // The re-enable turns the disabled step FAILED again; the worker's own FAILED names nobody.
      const events = await until("the re-enable in the history", async () => {
        const list = await eventsOf(disabled);
        return list?.some((e) => e.message === "re-enabled") ? list : undefined;
      });
      expect(events.find((e) => e.message === "re-enabled")?.actor).toBe("admin1 (admin) from 127.0.0.1");
      expect(events.find((e) => e.event === "DISABLED")?.actor).toBeNull();

      const log = daemon.output();
      expect(log).toContain(`mark_as_done by operator1 (operator) from 127.0.0.1`);
      expect(log).toMatch(
        new RegExp(`forgive_failures by operator1 \\(operator\\) from 127\\.0\\.0\\.1.*${forgiven}`),
      );
    }
    // A worker's calls are not logged one by one.
    expect(daemon.output()).not.toContain("add_task by");
  });

  it("follows the users file while running: a user added, its role changed, removed (cached credentials too)", async () => {
    const env = { LUIGI_CONFIG_PATH: path.join(dir, "luigid.cfg") };
    const newbie = { authorization: basic("newbie", "fresh-pw") };
    const call = async (method: string) => (await rpcAs(daemon.url, method, {}, newbie)).status;
    const addNewbie = async (role: Role) => {
      const added = await luigidUser(["add", "newbie", "--role", role], {
        cwd: dir,
        stdin: "fresh-pw\n",
        env,
      });
      expect(added.code, added.stderr).toBe(0);
    };
    expect(await call("is_paused")).toBe(401);
    for (let round = 1; round <= 3; round++) {
      // The users file comes from [auth] users_file, as luigid reads it.
      await addNewbie("viewer");
      await until("newbie to be known", async () => (await call("is_paused")) === 200);
      expect(await call("pause")).toBe(403);
      await addNewbie("operator");
      await until("newbie to be an operator", async () => (await call("pause")) === 200);
      expect(await call("unpause")).toBe(200);

      const removed = await luigidUser(["remove", "newbie"], { cwd: dir, env });
      expect(removed.code, removed.stderr).toBe(0);
      await until("newbie to be gone", async () => (await call("is_paused")) === 401);
    }
    // The others were not disturbed.
    expect((await rpcAs(daemon.url, "is_paused", {}, as(user("viewer")))).status).toBe(200);
    expect(daemon.output()).toContain("users file re-read");
  });
});

describe("luigid without [auth]", () => {
  it("answers everybody as before, says so at /auth/session, and still logs who (by address) acted", async () => {
    const { dir } = workdir();
    const daemon = await startLuigid(["--state-path", path.join(dir, "state.json")], { cwd: dir });
    try {
      expect((await rpcAs(daemon.url, "task_list", {})).status).toBe(200);
      expect((await rpcAs(daemon.url, "prune", {})).status).toBe(200);
      expect((await request(`${daemon.url}/metrics`)).status).toBe(200);
      expect((await request(`${daemon.url}/static/visualiser/index.html`)).status).toBe(200);
      expect((await request(`${daemon.url}/auth/session`)).json).toEqual({ auth: false });
      expect((await request(`${daemon.url}/login`)).status).toBe(404);
      expect((await rpcAs(daemon.url, "pause", {})).status).toBe(200);
      expect((await rpcAs(daemon.url, "unpause", {})).status).toBe(200);
      expect(daemon.output()).toContain("pause from 127.0.0.1");
    } finally {
      await daemon.stop();
    }
  });
});
