/**
 * The routes people log in and out with, registered only when luigid authenticates:
 *
 * - `GET /login?next=PATH`: the form; `POST /login` (user, password, next): a session cookie and a 303 to
 *   `next` (a path relative to luigid's root, by default the visualiser), or the form again with 401
 *   (429 while too many attempts failed);
 * - `POST /logout` (the session's CSRF token in the form field `csrf` or `X-CSRF-Token`): ends the
 *   session, 303 to the form;
 * - `GET /auth/session`: who the request is, as JSON, with the session's CSRF token for the visualiser
 *   (`{"auth": true, "user", "role", "via", "csrf_token", "expires"}`); 401 without credentials (without
 *   `[auth]`, access.ts answers `{"auth": false}`);
 * - `GET /auth/login.css`: the form's stylesheet.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator } from "../auth/authenticator.js";
import type { Session } from "../auth/sessions.js";
import { ErrorCode } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { JSON_CONTENT_TYPE } from "../rpc/error-body.js";
import {
  clientAddress,
  overTls,
  presentedBy,
  sendError,
  sessionCookie,
  sessionIdOf,
} from "./auth-request.js";
import { LOGIN_CSS, loginPage } from "./login-page.js";

/** Paths the access check leaves open: one cannot need a login to log in. */
export const LOGIN_PATHS: ReadonlySet<string> = new Set([
  "/login",
  "/logout",
  "/auth/session",
  "/auth/login.css",
]);

export const DEFAULT_NEXT = "static/visualiser/index.html";

const HTML = "text/html; charset=UTF-8";

export function registerLoginRoutes(app: FastifyInstance, auth: Authenticator, logger: Logger): void {
  app.get("/auth/login.css", async (_request, reply) =>
    reply.type("text/css; charset=UTF-8").header("cache-control", "no-cache").send(LOGIN_CSS),
  );

  app.get("/login", async (request, reply) => {
    const next = safeNext(queryValue(request, "next"));
    const notice = queryValue(request, "bye") === undefined ? undefined : "You are logged out.";
    return page(reply, 200, { next, ...(notice ? { notice } : {}) });
  });

  app.post("/login", async (request, reply) => {
    const form = formOf(request);
    const user = form.get("user")?.trim() ?? "";
    const password = form.get("password") ?? "";
    const next = safeNext(form.get("next") ?? undefined);
    const address = clientAddress(request);
    if (user === "" || password === "") {
      return page(reply, 400, { next, user, problem: "Enter a user name and a password." });
    }
    const result = await auth.login(user, password, address);
    if (result.kind === "throttled") {
      logger.warn({ user, address }, `login of ${user} from ${address} refused: too many failed attempts`);
      return page(reply.header("retry-after", String(result.retryAfterSeconds)), 429, {
        next,
        user,
        problem: `Too many failed attempts: wait ${result.retryAfterSeconds} s and try again.`,
      });
    }
    if (result.kind === "refused") {
      logger.warn({ user, address }, `failed login for ${user} from ${address}`);
      return page(reply, 401, { next, user, problem: "Wrong user name or password." });
    }
    logger.info({ user, role: result.role, address }, `login: ${user} (${result.role}) from ${address}`);
    return reply
      .header(
        "set-cookie",
        sessionCookie(result.session.id, auth.sessions.maxAgeSeconds, overTls(request, auth, address)),
      )
      .header("cache-control", "no-store")
      .redirect(next, 303);
  });

  app.post("/logout", async (request, reply) => {
    const id = sessionIdOf(request);
    const session = id === undefined ? undefined : auth.sessions.get(id);
    if (session) {
      const token = formOf(request).get("csrf") ?? headerValue(request, "x-csrf-token");
      if (!csrfMatches(session, token)) {
        return sendError(reply, 403, ErrorCode.CSRF_TOKEN, "logout needs the session's CSRF token");
      }
      auth.logout(session.id);
      logger.info({ user: session.user, address: clientAddress(request) }, `logout: ${session.user}`);
    }
    const address = clientAddress(request);
    return reply
      .header("set-cookie", sessionCookie("", 0, overTls(request, auth, address)))
      .header("cache-control", "no-store")
      .redirect("login?bye=1", 303);
  });

  app.get("/auth/session", async (request, reply) => {
    const verdict = await auth.identify(presentedBy(request, clientAddress(request)));
    if (verdict.kind === "throttled") {
      reply.header("retry-after", String(verdict.retryAfterSeconds));
      return sendError(reply, 429, ErrorCode.AUTH_THROTTLED, "too many failed attempts");
    }
    if (verdict.kind === "refused") return sendError(reply, 401, ErrorCode.AUTH_FAILED, verdict.message);
    if (verdict.kind === "anonymous") return sendError(reply, 401, ErrorCode.AUTH_REQUIRED, "not logged in");
    const { user, role, via, session } = verdict.identity;
    return reply
      .type(JSON_CONTENT_TYPE)
      .header("cache-control", "no-store")
      .send(
        JSON.stringify({
          auth: true,
          user,
          role,
          via,
          csrf_token: session?.csrfToken ?? null,
          expires: session ? new Date(session.expires).toISOString() : null,
        }),
      );
  });
}

/** Whether `token` is the session's CSRF token (compared in constant time). */
export function csrfMatches(session: Session, token: string | null | undefined): boolean {
  if (typeof token !== "string") return false;
  const a = Buffer.from(token);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Where a login may send the browser: a path relative to luigid's root (so that a proxy's prefix is kept),
 * printable, without a scheme, a host or a leading slash; anything else goes to the visualiser. This
 * keeps `/login?next=https://elsewhere` from sending a freshly logged-in user to another site.
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || next === "" || next.length > 2000) return DEFAULT_NEXT;
  if (!/^[\x21-\x7e]+$/.test(next) || /^[/\\]/.test(next) || next.includes("\\")) return DEFAULT_NEXT;
  if (/^[a-z][a-z0-9+.-]*:/i.test(next.split(/[/?#]/, 1)[0] ?? "")) return DEFAULT_NEXT;
  try {
    const base = new URL("http://luigid.invalid/root/");
    const url = new URL(next, base);
    return url.origin === base.origin ? next : DEFAULT_NEXT;
  } catch {
    return DEFAULT_NEXT;
  }
}

function page(reply: FastifyReply, status: number, options: Parameters<typeof loginPage>[0]): FastifyReply {
  return reply.code(status).type(HTML).header("cache-control", "no-store").send(loginPage(options));
}

function formOf(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(typeof request.body === "string" ? request.body : "");
}

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const v = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
