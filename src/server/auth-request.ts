/**
 * The HTTP side of authentication shared by the access check (access.ts) and the login routes
 * (login-routes.ts): what a request presents, the session cookie, and the JSON answers that refuse one.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Presented } from "../auth/authenticator.js";
import { plainAddress } from "../auth/trusted-proxies.js";
import type { ErrorCode } from "../errors.js";
import { JSON_CONTENT_TYPE } from "../rpc/error-body.js";
import { escapeScriptClose } from "../rpc/wire-json.js";

export const SESSION_COOKIE = "luigid_session";

/** The TCP peer, IPv4 clients of a dual-stack socket as plain IPv4 ("127.0.0.1"). */
export function clientAddress(request: FastifyRequest): string {
  return plainAddress(request.socket.remoteAddress ?? "");
}

export function presentedBy(request: FastifyRequest, address: string): Presented {
  return {
    authorization: request.headers.authorization,
    sessionId: sessionIdOf(request),
    address,
    header: (name) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
  };
}

export function sessionIdOf(request: FastifyRequest): string | undefined {
  const cookie = request.headers.cookie;
  if (cookie === undefined) return undefined;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (another site's forms and scripts do not
 * send it), Secure under TLS. No Path: the browser then scopes it to the login page's folder, which is
 * luigid's root, behind a proxy's path prefix too.
 */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${Math.floor(maxAgeSeconds)}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** Whether the client reached luigid over TLS: its own, or a trusted proxy's (`X-Forwarded-Proto: https`). */
export function overTls(request: FastifyRequest, auth: Authenticator, address: string): boolean {
  if (request.protocol === "https") return true;
  const forwarded = request.headers["x-forwarded-proto"];
  const proto = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  return proto?.split(",")[0]?.trim().toLowerCase() === "https" && auth.trustsProxy(address);
}

export interface ErrorFields {
  method?: string | undefined;
  role?: string | undefined;
}

/** luigid's JSON error body (see src/rpc/error-body.ts), with the role needed for a 403. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  fields: ErrorFields = {},
): FastifyReply {
  const error: Record<string, string> = { code, message };
  if (fields.method !== undefined) error.method = fields.method;
  if (fields.role !== undefined) error.role = fields.role;
  return reply
    .code(status)
    .type(JSON_CONTENT_TYPE)
    .header("cache-control", "no-store")
    .send(escapeScriptClose(JSON.stringify({ error })));
}
