/**
 * luigi-ts's error answers (Luigi itself answers HTML pages). The body is stable and documented:
 *
 *   {"error": {"code": "BAD_REQUEST", "message": "add_task: task_id is required",
 *              "method": "add_task", "field": "task_id"}}
 *
 * `code` is an ErrorCode (BAD_REQUEST 400, UNKNOWN_METHOD 404, STANDBY 503, INTERNAL 500); `method` and
 * `field` are present when known, and `active` (the active luigid's URL) with STANDBY. Never a stack
 * trace. A 503 is retried by workers, as any 5xx is, until the standby has taken over or they give up.
 */
import { ErrorCode, LuigiError, SchedulerError } from "../errors.js";
import { escapeScriptClose } from "./wire-json.js";

export interface RpcErrorBody {
  error: { code: ErrorCode; message: string; method?: string; field?: string; active?: string };
}

/** What the transport layer sends back: an HTTP status and a JSON body. */
export interface RpcResult {
  status: number;
  body: string;
}

export const JSON_CONTENT_TYPE = "application/json; charset=UTF-8";

export function badRequest(
  message: string,
  details: { method?: string; field?: string } = {},
): SchedulerError {
  return new SchedulerError(ErrorCode.BAD_REQUEST, message, { details });
}

export function httpStatusOf(code: ErrorCode): number {
  if (code === ErrorCode.BAD_REQUEST) return 400;
  if (code === ErrorCode.UNKNOWN_METHOD) return 404;
  if (code === ErrorCode.STANDBY) return 503;
  return 500;
}

/**
 * Turns anything thrown while answering `method` into a response. A LuigiError coded BAD_REQUEST or
 * UNKNOWN_METHOD keeps its code and message; everything else is an INTERNAL 500 whose message is the
 * error's own message only.
 */
export function errorResult(thrown: unknown, method?: string): RpcResult {
  let code: ErrorCode = ErrorCode.INTERNAL;
  let message: string;
  let field: unknown;
  let active: unknown;
  if (thrown instanceof LuigiError) {
    if (
      thrown.code === ErrorCode.BAD_REQUEST ||
      thrown.code === ErrorCode.UNKNOWN_METHOD ||
      thrown.code === ErrorCode.STANDBY
    )
      code = thrown.code;
    message = thrown.message;
    field = thrown.details.field;
    active = thrown.details.active;
    method ??= typeof thrown.details.method === "string" ? thrown.details.method : undefined;
  } else {
    message = thrown instanceof Error ? thrown.message : String(thrown);
  }
  if (code === ErrorCode.INTERNAL) message = `${method ?? "request"} failed: ${message}`;
  const error: RpcErrorBody["error"] = { code, message };
  if (method !== undefined) error.method = method;
  if (typeof field === "string") error.field = field;
  if (typeof active === "string") error.active = active;
  return { status: httpStatusOf(code), body: escapeScriptClose(JSON.stringify({ error })) };
}

/** Reads an error body back (client side); null when the body is not luigi-ts's format (e.g. Luigi's HTML). */
export function parseErrorBody(body: string): RpcErrorBody["error"] | null {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== "object" || parsed === null) return null;
    const error = (parsed as { error?: unknown }).error;
    if (typeof error !== "object" || error === null) return null;
    const { code, message, method, field, active } = error as Record<string, unknown>;
    if (typeof code !== "string" || typeof message !== "string") return null;
    const out: RpcErrorBody["error"] = { code: code as ErrorCode, message };
    if (typeof method === "string") out.method = method;
    if (typeof field === "string") out.field = field;
    if (typeof active === "string") out.active = active;
    return out;
  } catch {
    return null;
  }
}
