/**
 * decode + dispatch in one call, for any HTTP server: hand it the request line, content type and body,
 * send back the status and body it answers (always JSON, JSON_CONTENT_TYPE, except the empty 204).
 */
import type { SchedulerApi } from "../scheduler/api.js";
import { decodeArgs, apiMethodOf } from "./decode.js";
import type { RpcHttpRequest } from "./decode.js";
import { createDispatcher } from "./dispatch.js";
import { badRequest, errorResult } from "./error-body.js";
import type { RpcResult } from "./error-body.js";
import { rpcMethod } from "./methods.js";

export type RpcHandler = (req: RpcHttpRequest) => Promise<RpcResult | null>;

/** Answers null for paths outside `/api/`, so the server can route them elsewhere. */
export function createRpcHandler(api: SchedulerApi): RpcHandler {
  const dispatch = createDispatcher(api);
  return async (req) => {
    const method = apiMethodOf(req.url);
    if (method === null) return null;
    const verb = req.httpMethod.toUpperCase();
    // Luigi answers OPTIONS with 204 (CORS headers are the server's business).
    if (verb === "OPTIONS") return { status: 204, body: "" };
    if (verb !== "GET" && verb !== "POST") {
      const refused = badRequest(`HTTP method ${verb} not allowed; use GET or POST`, { method });
      return { ...errorResult(refused, method), status: 405 };
    }
    // An unknown method is a 404 whatever its body: there is nothing to decode it for.
    if (rpcMethod(method) === undefined) return dispatch(method, {});
    try {
      return await dispatch(method, decodeArgs(req, method));
    } catch (err) {
      return errorResult(err, method);
    }
  };
}
