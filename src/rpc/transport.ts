/**
 * One HTTP POST to the scheduler with node:http / node:https, bounded by a single deadline that covers
 * connecting, sending and reading the whole answer (Luigi uses rpc_connect_timeout for connect and read).
 * Retrying is the caller's business; this layer only reports what happened.
 */
import http from "node:http";
import https from "node:https";
import type { SchedulerEndpoint } from "./url.js";

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Connection refused, reset, timed out, ...: no HTTP answer at all. */
export class TransportError extends Error {
  override name = "TransportError";
  /** The system error code (`ECONNREFUSED`, ...), when there was one. */
  get code(): string | undefined {
    return (this.cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

export function createAgents(): Agents {
  // Keep-alive: a worker makes a call per step plus a ping per second; reconnecting each time is waste.
  // noDelay: a request is small and written in pieces; waiting for Nagle to coalesce them costs latency.
  return {
    http: new http.Agent({ keepAlive: true, noDelay: true }),
    https: new https.Agent({ keepAlive: true, noDelay: true }),
  };
}

export async function postForm(
  endpoint: SchedulerEndpoint,
  path: string,
  body: string,
  timeoutMs: number,
  agents: Agents,
  contentType = "application/x-www-form-urlencoded",
): Promise<HttpAnswer> {
  try {
    return await attempt(endpoint, path, body, timeoutMs, agents, contentType);
  } catch (err) {
    // A kept-alive socket the server closed just as we reused it: the request never arrived, so sending
    // it again at once is safe and must not cost a retry wait (Node documents this race).
    if (err instanceof StaleSocketError) return attempt(endpoint, path, body, timeoutMs, agents, contentType);
    throw err;
  }
}

class StaleSocketError extends TransportError {}

function attempt(
  endpoint: SchedulerEndpoint,
  path: string,
  body: string,
  timeoutMs: number,
  agents: Agents,
  contentType: string,
): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      "Content-Type": contentType,
      "Content-Length": Buffer.byteLength(body),
      Accept: "application/json",
    };
    if (endpoint.authorization !== undefined) headers.Authorization = endpoint.authorization;
    const options: http.RequestOptions = {
      method: "POST",
      path,
      headers,
      ...(endpoint.socketPath !== undefined
        ? { socketPath: endpoint.socketPath, host: endpoint.hostname }
        : { host: endpoint.hostname, ...(endpoint.port !== undefined ? { port: endpoint.port } : {}) }),
    };
    const req =
      endpoint.protocol === "https:"
        ? https.request({ ...options, agent: agents.https })
        : http.request({ ...options, agent: agents.http });

    const timer = setTimeout(() => {
      finish(new TransportError(`timed out after ${timeoutMs / 1000}s`));
      req.destroy();
    }, timeoutMs);
    let settled = false;
    let answered = false;
    const finish = (err: Error | null, answer?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(answer as HttpAnswer);
    };

    req.on("error", (err: NodeJS.ErrnoException) => {
      if (!answered && req.reusedSocket && err.code === "ECONNRESET") {
        finish(new StaleSocketError(err.message));
      } else {
        finish(err instanceof TransportError ? err : new TransportError(describe(err), { cause: err }));
      }
    });
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (err) => finish(new TransportError(describe(err), { cause: err })));
      res.on("end", () => {
        finish(null, {
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"] ?? "",
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("close", () => {
        if (!res.complete) finish(new TransportError("connection closed before the answer was complete"));
      });
    });
    req.end(body);
  });
}

function describe(err: NodeJS.ErrnoException): string {
  return err.code !== undefined && !err.message.includes(err.code)
    ? `${err.code}: ${err.message}`
    : err.message;
}
