/**
 * The one way the visualiser talks to luigid: its public RPC API, `GET ../../api/<method>?data=<json>` as
 * Luigi's visualiser calls it (relative, so the page works behind a path prefix). Failures become an
 * ApiError with luigid's `{error: {code, message}}` text, for the page to show.
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

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

export async function call<T>(method: string, args: object = {}, signal?: AbortSignal): Promise<T> {
  const url = `${API_BASE}${method}?data=${encodeURIComponent(JSON.stringify(args))}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ?? null, headers: { accept: "application/json" } });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(method, "NETWORK", `${method}: luigid is unreachable (${String(err)})`, 0);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = (body as ErrorBody | undefined)?.error;
    const code = typeof error?.code === "string" ? error.code : `HTTP_${res.status}`;
    const message = typeof error?.message === "string" ? error.message : `${method}: HTTP ${res.status}`;
    throw new ApiError(method, code, message, res.status);
  }
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
