/**
 * The server side of the protocol: method name and decoded arguments in, HTTP status and JSON body out.
 * Unknown method -> 404, invalid arguments -> 400 naming the argument, success -> 200 `{"response": ...}`,
 * anything else -> 500 INTERNAL (body format in error-body.ts).
 */
import { ErrorCode, SchedulerError } from "../errors.js";
import type { SchedulerApi } from "../scheduler/api.js";
import { badRequest, errorResult } from "./error-body.js";
import type { RpcResult } from "./error-body.js";
import { rpcMethod } from "./methods.js";
import type { RpcMethod } from "./methods.js";
import { isPlainObject, validateArgs } from "./schema.js";
import { encodeResponse } from "./wire-json.js";

export type Dispatch = (method: string, rawArgs: unknown) => Promise<RpcResult>;

export function createDispatcher(api: SchedulerApi): Dispatch {
  return async (method, rawArgs) => {
    const spec = rpcMethod(method);
    if (spec === undefined) {
      return errorResult(
        new SchedulerError(ErrorCode.UNKNOWN_METHOD, `unknown RPC method: ${method}`, {
          details: { method },
        }),
        method,
      );
    }
    try {
      const args = checkedArgs(spec, rawArgs ?? {});
      // Looked up by name on purpose (the table maps wire names to members); called with `api` as `this`.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      const fn: unknown = api[spec.call];
      // Guards a SchedulerApi implementation that predates a method (duck-typed or partial ones).
      if (typeof fn !== "function") {
        throw new SchedulerError(ErrorCode.UNKNOWN_METHOD, `${method} is not implemented by this scheduler`, {
          details: { method },
        });
      }
      const value: unknown = await (fn as (a: Record<string, unknown>) => Promise<unknown>).call(api, args);
      return { status: 200, body: encodeResponse(value) };
    } catch (err) {
      return errorResult(err, method);
    }
  };
}

/** Validated arguments with Luigi's defaults filled in for the omitted ones, as Python's call would. */
function checkedArgs(spec: RpcMethod, rawArgs: unknown): Record<string, unknown> {
  const problem = validateArgs(spec.args, rawArgs);
  if (problem)
    throw badRequest(`${spec.name}: ${problem.message}`, { method: spec.name, field: problem.field });
  // validateArgs has established that it is an object; copy it so that defaults never touch the caller's.
  // Object.assign, not a spread: on Node 20 (V8 11), adding a property to an object made by spreading
  // takes a slow path, about 1.5 µs each, here on every request (see docs/architecture.md).
  const args: Record<string, unknown> = isPlainObject(rawArgs) ? Object.assign({}, rawArgs) : {};
  for (const [name, schema] of Object.entries(spec.args.properties)) {
    if (!Object.hasOwn(args, name) && Object.hasOwn(schema, "default")) args[name] = schema.default;
  }
  return args;
}
