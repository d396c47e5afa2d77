/**
 * Access control for luigid's routes, and the record of who changed what.
 *
 * With `[auth]` on (an Authenticator given), every request but the open ones (HEAD / for health checks,
 * `GET /`'s redirect, CORS preflights, the login routes) is identified before it is routed:
 * - `/api/<method>` needs the method's role (src/rpc/methods.ts); an unknown method needs viewer;
 *   pages (the visualiser, the history) and everything else (/metrics) need viewer;
 * - no credentials: a page asked for by a browser is redirected to the login form; anything else
 *   answers 401 AUTH_REQUIRED with `WWW-Authenticate: Basic` (not to a page's own fetch() calls, where it
 *   would pop up the browser's password dialog);
 * - wrong credentials: 401 AUTH_FAILED; too many failures: 429 AUTH_THROTTLED; a role lacking the
 *   method: 403 FORBIDDEN naming the method and the role needed;
 * - a state change authenticated by the session cookie must carry the session's CSRF token in
 *   `X-CSRF-Token` (else 403 CSRF_TOKEN): another site can make a browser send the cookie, not read it.
 *
 * With or without `[auth]`, a call of a method that needs operator or admin (the visualiser's actions) is
 * logged at info with the user, role and address, and runs as that caller for the step history (its
 * events name who asked). Workers' calls are not logged: there are thousands a second.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Identity } from "../auth/authenticator.js";
import { roleAllows, type Role } from "../auth/roles.js";
import { ErrorCode } from "../errors.js";
import { describeActor, runAsActor, type ChangeActor } from "../history/actor.js";
import type { Logger } from "../log/logger.js";
import { apiMethodOf, decodeArgs } from "../rpc/decode.js";
import { JSON_CONTENT_TYPE, type RpcResult } from "../rpc/error-body.js";
import { hasEffects, rpcMethod } from "../rpc/methods.js";
import { clientAddress, presentedBy, sendError } from "./auth-request.js";
import { csrfMatches, LOGIN_PATHS, registerLoginRoutes } from "./login-routes.js";

export type AccessRule =
  | { readonly kind: "open" }
  | { readonly kind: "api"; readonly method: string; readonly role: Role; readonly effects: boolean }
  /** HTML for people: a browser without a session is sent to the login form. */
  | { readonly kind: "page"; readonly role: Role }
  | { readonly kind: "other"; readonly role: Role };

type GatedRule = Exclude<AccessRule, { readonly kind: "open" }>;

/** Which rule a request falls under, from its method and target alone (before any routing). */
export function accessRule(verb: string, target: string): AccessRule {
  if (verb === "OPTIONS") return { kind: "open" };
  const path = pathOf(target);
  if (path === "/" && (verb === "HEAD" || verb === "GET")) return { kind: "open" };
  if (LOGIN_PATHS.has(path)) return { kind: "open" };
  // The RPC handler's own reading of the target, so that the check and the dispatch never disagree.
  const method = apiMethodOf(target);
  if (method !== null) {
    const spec = rpcMethod(method);
    return { kind: "api", method, role: spec?.role ?? "viewer", effects: spec ? hasEffects(spec) : false };
  }
  if (
    path.startsWith("/static/") ||
    path === "/history" ||
    path.startsWith("/history/") ||
    path.startsWith("/tasklist")
  ) {
    return { kind: "page", role: "viewer" };
  }
  return { kind: "other", role: "viewer" };
}

interface Caller {
  readonly rule: AccessRule;
  readonly address: string;
  identity?: Identity;
}

export interface Access {
  /**
   * Runs an RPC call as its caller: for the methods that need operator or admin, inside the history's
   * actor context, and logged once answered. Other calls run as they are.
   */
  callAs(request: FastifyRequest, run: () => Promise<RpcResult | null>): Promise<RpcResult | null>;
}

export interface AccessOptions {
  /** undefined: no authentication (everybody may call everything, as with Luigi). */
  auth: Authenticator | undefined;
  logger: Logger;
}

export function registerAccess(app: FastifyInstance, options: AccessOptions): Access {
  const { auth, logger } = options;
  const callers = new WeakMap<FastifyRequest, Caller>();
  if (!auth) {
    // The visualiser asks; the answer says there is nobody to be.
    app.get("/auth/session", async (_request, reply) =>
      reply.type(JSON_CONTENT_TYPE).header("cache-control", "no-store").send('{"auth":false}'),
    );
  } else {
    registerLoginRoutes(app, auth, logger);
    app.addHook("onRequest", async (request, reply) => {
      const rule = accessRule(request.method, request.raw.url ?? request.url);
      if (rule.kind === "open") return;
      const address = clientAddress(request);
      const caller: Caller = { rule, address };
      callers.set(request, caller);
      const refused = await check(auth, logger, request, reply, rule, caller);
      if (refused) return refused;
    });
  }

  return {
    callAs: async (request, run) => {
      const known = callers.get(request);
      const rule = known?.rule ?? accessRule(request.method, request.raw.url ?? request.url);
      if (rule.kind !== "api" || !roleAllows(rule.role, "operator")) return run();
      const actor: ChangeActor = {
        user: known?.identity?.user ?? null,
        role: known?.identity?.role ?? null,
        address: known?.address ?? clientAddress(request),
      };
      const result = await runAsActor(actor, run);
      if (result && result.status < 400) {
        logger.info(
          {
            method: rule.method,
            user: actor.user,
            role: actor.role,
            address: actor.address,
            args: argsOf(request, rule.method),
          },
          `${rule.method}${actor.user === null ? "" : " by"} ${describeActor(actor)}`,
        );
      }
      return result;
    },
  };
}

/** The refusal sent, or undefined when the request may go on (its identity then set on `caller`). */
async function check(
  auth: Authenticator,
  logger: Logger,
  request: FastifyRequest,
  reply: FastifyReply,
  rule: GatedRule,
  caller: Caller,
): Promise<FastifyReply | undefined> {
  const { address } = caller;
  const method = rule.kind === "api" ? rule.method : undefined;
  const verdict = await auth.identify(presentedBy(request, address));
  if (verdict.kind === "throttled") {
    reply.header("retry-after", String(verdict.retryAfterSeconds));
    return sendError(
      reply,
      429,
      ErrorCode.AUTH_THROTTLED,
      `too many failed logins from ${address}: wait ${verdict.retryAfterSeconds} s`,
      { method },
    );
  }
  if (verdict.kind === "refused") {
    const who = verdict.user === undefined ? "" : ` for ${verdict.user}`;
    logger.warn(
      { user: verdict.user, address, method, reason: verdict.message },
      `refused credentials${who} from ${address}: ${verdict.message}`,
    );
    challenge(request, reply);
    return sendError(reply, 401, ErrorCode.AUTH_FAILED, verdict.message, { method });
  }
  if (verdict.kind === "anonymous") {
    if (rule.kind === "page" && wantsHtml(request))
      return reply.redirect(loginRedirect(request.raw.url ?? request.url), 302);
    challenge(request, reply);
    return sendError(
      reply,
      401,
      ErrorCode.AUTH_REQUIRED,
      `luigid needs credentials${method ? ` for ${method}` : ""}: basic auth (--scheduler-url http://USER:PASSWORD@HOST:PORT/), a bearer token, or a login at /login`,
      { method },
    );
  }
  const identity = verdict.identity;
  caller.identity = identity;
  if (!roleAllows(identity.role, rule.role)) {
    logger.warn(
      { user: identity.user, role: identity.role, address, method },
      `${identity.user} (${identity.role}) may not call ${method ?? request.url}`,
    );
    return sendError(
      reply,
      403,
      ErrorCode.FORBIDDEN,
      `${method ?? "this"} needs the ${rule.role} role; ${identity.user} is ${identity.role}`,
      { method, role: rule.role },
    );
  }
  if (rule.kind === "api" && rule.effects && identity.session) {
    const token = request.headers["x-csrf-token"];
    if (!csrfMatches(identity.session, Array.isArray(token) ? token[0] : token)) {
      logger.warn(
        { user: identity.user, address, method },
        `${method} by ${identity.user} without the session's CSRF token`,
      );
      return sendError(
        reply,
        403,
        ErrorCode.CSRF_TOKEN,
        `${rule.method} over a login session needs the session's CSRF token in X-CSRF-Token (see GET /auth/session)`,
        { method },
      );
    }
  }
  return undefined;
}

/** `WWW-Authenticate: Basic`, except to a page's own fetch() calls (the browser would prompt for a password). */
function challenge(request: FastifyRequest, reply: FastifyReply): void {
  const mode = request.headers["sec-fetch-mode"];
  if (mode !== undefined && mode !== "navigate") return;
  reply.header("www-authenticate", 'Basic realm="luigid", charset="UTF-8"');
}

function wantsHtml(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (/[?&]format=json(&|$)/.test(request.url)) return false;
  return (request.headers.accept ?? "").includes("text/html");
}

/**
 * The login form's address relative to the page asked for (`/history/by_id/3` -> `../../login?next=...`),
 * so that it works behind a proxy's path prefix; `next` is the page, relative to luigid's root.
 */
export function loginRedirect(target: string): string {
  const q = target.indexOf("?");
  const path = pathOf(target);
  const depth = Math.max(0, path.split("/").length - 2);
  const next = path.slice(1) + (q < 0 ? "" : target.slice(q));
  return `${"../".repeat(depth)}login?next=${encodeURIComponent(next)}`;
}

/** The path of a request target, duplicate slashes collapsed (as the router treats them). */
function pathOf(target: string): string {
  const q = target.indexOf("?");
  return (q < 0 ? target : target.slice(0, q)).replace(/\/{2,}/g, "/");
}

/** The call's arguments, for the log line (short: an operator's call carries an id or two). */
function argsOf(request: FastifyRequest, method: string): unknown {
  try {
    const args = decodeArgs(
      {
        httpMethod: request.method,
        url: request.raw.url ?? request.url,
        contentType: request.headers["content-type"],
        body: typeof request.body === "string" ? request.body : undefined,
      },
      method,
    );
    const text = JSON.stringify(args);
    return text.length <= 1000 ? args : `${text.slice(0, 1000)}...`;
  } catch {
    return undefined;
  }
}
