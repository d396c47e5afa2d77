/**
 * The one way the visualiser talks to luigid: its public RPC API, `POST ../../api/<method>` with Luigi's
 * form body `data=<json>` (relative, so the page works behind a path prefix). POST, not Luigi's GET: a
 * state change must never ride on a link or an image another site could embed. Failures become an
 * ApiError with luigid's `{error: {code, message}}` text, for the page to show.
 *
 * A luigid with `[auth]` knows the page's user by a session cookie; every call then carries the session's
 * CSRF token (`X-CSRF-Token`, from `GET ../../auth/session`), and a call answered 401 (the session ended)
 * sends the browser to the login form, which brings it back here afterwards.
 */

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** luigid's root relative to the page (/static/visualiser/index.html -> /). */
const LUIGID_ROOT = "../../";

/** Where the API lives relative to the page (/static/visualiser/index.html -> /api/). */
export const API_BASE = `${LUIGID_ROOT}api/`;

/**
 * The URL of the luigid that served the page at `pageHref`, as `--scheduler-url` takes it: its root
 * (with a reverse proxy's path prefix, if any), without credentials, query, fragment or final slash.
 */
export function schedulerUrlOf(pageHref: string): string {
  const url = new URL(LUIGID_ROOT, pageHref);
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  return url.href.replace(/\/+$/, "");
}

/**
 * The login form's URL for the page at `pageHref`, with the page (relative to luigid's root, view state
 * in the fragment included) as where to come back to.
 */
export function loginUrlOf(pageHref: string): string {
  const root = new URL(LUIGID_ROOT, pageHref);
  const next = pageHref.startsWith(root.href) ? pageHref.slice(root.href.length) : "";
  return new URL(`login?next=${encodeURIComponent(next)}`, root).href;
}

/** Who the page's user is; `auth: false` when luigid authenticates nobody (then everybody may do everything). */
export interface SessionInfo {
  auth: boolean;
  user: string | null;
  role: string | null;
  /** "session" (logged in here: can log out), "password", "token" or "proxy". */
  via: string | null;
  csrfToken: string | null;
}

const NO_AUTH: SessionInfo = { auth: false, user: null, role: null, via: null, csrfToken: null };

let session: Promise<SessionInfo> | undefined;

/** The session, asked for once per page load. */
export function currentSession(): Promise<SessionInfo> {
  session ??= fetchSession().catch((err: unknown) => {
    session = undefined;
    throw err;
  });
  return session;
}

async function fetchSession(): Promise<SessionInfo> {
  let res: Response;
  try {
    res = await fetch(`${LUIGID_ROOT}auth/session`, { headers: { accept: "application/json" } });
  } catch (err) {
    throw new ApiError("auth/session", "NETWORK", `luigid is unreachable (${String(err)})`, 0);
  }
  if (res.status === 401) throw toLogin("auth/session");
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw answerError("auth/session", res.status, body);
  // A luigid without [auth]: nobody to be.
  if (body.auth === false) return NO_AUTH;
  const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
  return {
    auth: true,
    user: text(body.user),
    role: text(body.role),
    via: text(body.via),
    csrfToken: text(body.csrf_token),
  };
}

/** Sends the browser to the login form (it comes back to this page); the error to throw meanwhile. */
/** Set once the page is on its way to the login form. */
let leaving = false;

function toLogin(method: string): ApiError {
  // globalThis: this module is also compiled (and unit-tested) for Node, which has no `window`.
  const { location } = globalThis as unknown as { location: { href: string; assign(url: string): void } };
  // Once only: the page's other calls answered 401 at the same time would restart the navigation, and a
  // navigation started again aborts the one under way.
  if (!leaving) {
    leaving = true;
    location.assign(loginUrlOf(location.href));
  }
  return new ApiError(method, "AUTH_REQUIRED", "not logged in: opening the login page", 401);
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

function answerError(method: string, status: number, body: unknown): ApiError {
  const error = (body as ErrorBody | undefined)?.error;
  const code = typeof error?.code === "string" ? error.code : `HTTP_${status}`;
  const message = typeof error?.message === "string" ? error.message : `${method}: HTTP ${status}`;
  return new ApiError(method, code, message, status);
}

export async function call<T>(method: string, args: object = {}, signal?: AbortSignal): Promise<T> {
  const { csrfToken } = await currentSession();
  const headers: Record<string, string> = {
    accept: "application/json",
    "content-type": "application/x-www-form-urlencoded",
  };
  if (csrfToken !== null) headers["x-csrf-token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${method}`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ data: JSON.stringify(args) }).toString(),
      signal: signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(method, "NETWORK", `${method}: luigid is unreachable (${String(err)})`, 0);
  }
  if (res.status === 401) throw toLogin(method);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) throw answerError(method, res.status, body);
  if (typeof body !== "object" || body === null || !("response" in body)) {
    throw new ApiError(
      method,
      "BAD_ANSWER",
      `${method}: luigid answered something that is not JSON`,
      res.status,
    );
  }
  return (body as { response: T }).response;
}
