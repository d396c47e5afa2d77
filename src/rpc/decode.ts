/**
 * Turns an HTTP request into an RPC call, independently of any HTTP framework. Luigi's encoding: one form
 * field `data` holding a JSON object of keyword arguments, in a form-encoded POST body or in the query
 * string of a GET (Tornado merges both, the last value wins). luigi-ts also accepts a plain JSON body
 * (`application/json`), whose object is the arguments themselves.
 */
import { badRequest } from "./error-body.js";
import { isPlainObject } from "./schema.js";
import { parseWireJson } from "./wire-json.js";

export interface RpcHttpRequest {
  /** GET, POST, ... (GET and POST are treated alike, as Luigi does). */
  httpMethod: string;
  /** The request target: path and query string, e.g. `/api/task_list?data=%7B%7D`. */
  url: string;
  contentType?: string | null | undefined;
  body?: string | Uint8Array | null | undefined;
}

export interface RpcCall {
  method: string;
  args: Record<string, unknown>;
}

/** `add_task` for `/api/add_task` (under any path prefix), null when the path is not an API path. */
export function apiMethodOf(url: string): string | null {
  const target = parseTarget(url);
  if (target === null) return null;
  const m = /(?:^|\/)api\/([^/]+)$/.exec(target.pathname);
  const segment = m?.[1];
  if (segment === undefined) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes: no such method, the dispatcher answers 404
  }
}

/** The keyword arguments of a request; `{}` when it carries none. Throws SchedulerError(BAD_REQUEST). */
export function decodeArgs(req: RpcHttpRequest, method?: string): Record<string, unknown> {
  const where = method === undefined ? {} : { method };
  const body = bodyText(req.body);
  const type = mediaType(req.contentType);
  if (body.trim() !== "" && (type === "application/json" || type.endsWith("+json"))) {
    return jsonObject(body, "request body", { ...where, field: "body" });
  }
  if (body !== "" && type !== "" && type !== "application/x-www-form-urlencoded") {
    throw badRequest(
      `unsupported Content-Type ${JSON.stringify(req.contentType)}: send application/x-www-form-urlencoded ` +
        "(data=<JSON>) or application/json",
      { ...where, field: "content-type" },
    );
  }
  // Query first, then the form body: the last `data` wins, as with Tornado's get_argument.
  const search = parseTarget(req.url)?.searchParams.getAll("data") ?? [];
  const form = body === "" ? [] : new URLSearchParams(body).getAll("data");
  const data = [...search, ...form].at(-1);
  if (data === undefined) return {};
  return jsonObject(data, "data", { ...where, field: "data" });
}

/** Method and arguments together; null when the path is not under `/api/`. */
export function decodeRequest(req: RpcHttpRequest): RpcCall | null {
  const method = apiMethodOf(req.url);
  if (method === null) return null;
  return { method, args: decodeArgs(req, method) };
}

function jsonObject(
  text: string,
  what: string,
  details: { method?: string; field: string },
): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseWireJson(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw badRequest(`${prefix(details.method)}${what} is not valid JSON: ${reason}`, details);
  }
  if (!isPlainObject(value)) {
    throw badRequest(`${prefix(details.method)}${what} must be a JSON object of arguments`, details);
  }
  return value;
}

/** The request target as a URL (any base: only path and query are read); null when unparsable. */
function parseTarget(url: string): URL | null {
  try {
    return new URL(url, "http://localhost");
  } catch {
    return null;
  }
}

function prefix(method: string | undefined): string {
  return method === undefined ? "" : `${method}: `;
}

function bodyText(body: string | Uint8Array | null | undefined): string {
  if (body === null || body === undefined) return "";
  return typeof body === "string"
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

/** `application/json` from `Application/JSON; charset=utf-8`; "" when absent. */
function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}
