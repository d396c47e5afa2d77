/** The wire protocol between workers, the visualiser and luigid (SPEC section 3). */
export { RemoteScheduler } from "./client.js";
export type { RemoteSchedulerOptions } from "./client.js";
export { apiMethodOf, decodeArgs, decodeRequest } from "./decode.js";
export type { RpcCall, RpcHttpRequest } from "./decode.js";
export { createDispatcher } from "./dispatch.js";
export type { Dispatch } from "./dispatch.js";
export { errorResult, JSON_CONTENT_TYPE, parseErrorBody } from "./error-body.js";
export type { RpcErrorBody, RpcResult } from "./error-body.js";
export { createRpcHandler } from "./handler.js";
export type { RpcHandler } from "./handler.js";
export { MUTATING_METHODS, RPC_METHODS, rpcMethod } from "./methods.js";
export type { RpcMethod } from "./methods.js";
export { validateArgs } from "./schema.js";
export type { ArgProblem, ArgSchema, JsonType, ObjectSchema } from "./schema.js";
export { parseSchedulerUrl, schedulerUrl } from "./url.js";
export type { SchedulerEndpoint } from "./url.js";
export { encodeResponse, encodeWireJson, parseWireJson } from "./wire-json.js";
