/**
 * Cross-site request refusal: a page on another site must not change luigid's state through the browser
 * of an operator who visits it (a form POST to /api/pause, an `<img src=/api/pause?data={}>`). Browsers
 * say where a request comes from; Luigi's clients (Python, luigi-ts workers, curl) say nothing and are
 * never refused. With authentication on or off alike.
 *
 * State-changing: an RPC method above the viewer role (by GET or POST: Luigi's visualiser mutates over
 * GET; see hasEffects), and any other request that is not GET, HEAD or OPTIONS. The viewer's read-only
 * RPC methods are never refused.
 *
 * Such a request is refused with 403 when
 * - `Sec-Fetch-Site` says `cross-site` or `same-site` (another port of the same host is same-site) and its
 *   `Origin` is not one of `[auth] allowed_origins`; `same-origin` and `none` (typed or bookmarked by the
 *   user) pass whatever the Origin: the browser itself compared the page with luigid's address, which
 *   also holds behind a reverse proxy;
 * - or, from a browser without Sec-Fetch-Site, its `Origin` is neither luigid's own (the request's scheme
 *   and Host header) nor an allowed one. `Origin: null` (sandboxed frames, file: pages) is never allowed.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { ConfigError, ErrorCode } from "../errors.js";
import { apiMethodOf } from "../rpc/decode.js";
import { hasEffects, rpcMethod } from "../rpc/methods.js";

const SAFE_VERBS = new Set(["GET", "HEAD", "OPTIONS"]);

/** `scheme://host[:port]` as browsers send it, or undefined for anything that is not one. */
function normaliseOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  // An origin is scheme, host and port only; URL.origin drops a default port and lower-cases the host.
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "") return undefined;
  return url.origin;
}

/** `[auth] allowed_origins` checked once, at start: a typo would otherwise silently allow nothing. */
export function parseAllowedOrigins(entries: readonly string[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const entry of entries) {
    const origin = normaliseOrigin(entry.replace(/\/$/, ""));
    if (origin === undefined) {
      throw new ConfigError(
        `[auth] allowed_origins: ${JSON.stringify(entry)} is not an origin; expected scheme://host[:port], e.g. https://ops.example.com`,
        { section: "auth", key: "allowed_origins", value: entry },
      );
    }
    out.add(origin);
  }
  return out;
}

/** Whether this request would change state if it were obeyed. */
export function changesState(httpMethod: string, url: string): boolean {
  const name = apiMethodOf(url);
  const method = name === null ? undefined : rpcMethod(name);
  if (method !== undefined) return hasEffects(method);
  return !SAFE_VERBS.has(httpMethod.toUpperCase());
}

export interface RequestOrigin {
  httpMethod: string;
  url: string;
  /** "http" or "https": how the request reached luigid. */
  scheme: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
}

/** Why the request is refused, or undefined when it may go on. */
export function crossSiteRefusal(req: RequestOrigin, allowed: ReadonlySet<string>): string | undefined {
  if (!changesState(req.httpMethod, req.url)) return undefined;
  const site = req.secFetchSite?.trim().toLowerCase();
  if (site === "same-origin" || site === "none") return undefined;
  const origin = req.origin === undefined ? undefined : (normaliseOrigin(req.origin) ?? req.origin);
  if (origin !== undefined && allowed.has(origin)) return undefined;
  if (site === "cross-site" || site === "same-site") {
    return origin === undefined ? `a ${site} request` : `a ${site} request from ${origin}`;
  }
  if (origin === undefined) return undefined;
  const own = req.host === undefined ? undefined : normaliseOrigin(`${req.scheme}://${req.host}`);
  return origin === own ? undefined : `a request from ${origin}`;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A Fastify onRequest hook answering 403 CROSS_SITE_REFUSED to what crossSiteRefusal refuses. */
export function crossSiteGuard(
  allowedOrigins: readonly string[],
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const allowed = parseAllowedOrigins(allowedOrigins);
  return async (request, reply) => {
    const url = request.raw.url ?? request.url;
    const why = crossSiteRefusal(
      {
        httpMethod: request.method,
        url,
        scheme: request.protocol,
        host: header(request, "host"),
        origin: header(request, "origin"),
        secFetchSite: header(request, "sec-fetch-site"),
      },
      allowed,
    );
    if (why === undefined) return undefined;
    const path = url.split("?")[0] ?? url;
    const message =
      `${request.method} ${path} refused: ${why} would change luigid's state. State changes are accepted ` +
      `from luigid's own pages and from the origins listed in [auth] allowed_origins (behind a reverse ` +
      `proxy, list the address users open there, e.g. https://luigi.example.com).`;
    return reply
      .code(403)
      .type("application/json; charset=UTF-8")
      .send(JSON.stringify({ error: { code: ErrorCode.CROSS_SITE_REFUSED, message } }));
  };
}
