/**
 * The one way the visualiser talks to luigid: its public RPC API, `GET ../../api/<method>?data=<json>` as
 * Luigi's visualiser calls it (relative, so the page works behind a path prefix), and a form POST for the
 * methods that change state (POSTED_METHODS). Failures become an ApiError with luigid's
 * `{error: {code, message}}` text, for the page to show.
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
 * The state-changing methods (the `mutating` ones of src/rpc/methods.ts) the visualiser may call: sent by
 * POST, so that no state change rides on a URL (a link, a prefetch, a history entry). A test holds this
 * list to the method table.
 */
export const POSTED_METHODS: ReadonlySet<string> = new Set([
  "pause",
  "unpause",
  "forgive_failures",
  "mark_as_done",
  "re_enable_task",
  "disable_worker",
  "set_worker_processes",
  "send_scheduler_message",
  "get_scheduler_message_response",
  "update_resource",
  "update_resources",
]);

function request(method: string, args: object): { url: string; init: RequestInit } {
  const data = JSON.stringify(args);
  const headers = { accept: "application/json" };
  if (!POSTED_METHODS.has(method)) {
    return { url: `${API_BASE}${method}?data=${encodeURIComponent(data)}`, init: { headers } };
  }
  return {
    url: `${API_BASE}${method}`,
    init: { method: "POST", headers, body: new URLSearchParams({ data }) },
  };
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

export async function call<T>(method: string, args: object = {}, signal?: AbortSignal): Promise<T> {
  const { url, init } = request(method, args);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: signal ?? null });
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
