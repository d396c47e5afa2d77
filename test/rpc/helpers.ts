/**
 * A real node:http server speaking the RPC protocol through src/rpc's handler over a real LocalScheduler,
 * recording what it received so tests can assert on the wire (headers, paths, bodies).
 */
import http from "node:http";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, expect } from "vitest";
import { SchedulerError } from "../../src/errors.js";
import type { Logger } from "../../src/log/logger.js";
import { createRpcHandler, JSON_CONTENT_TYPE, RemoteScheduler } from "../../src/rpc/index.js";
import type { SchedulerApi } from "../../src/scheduler/api.js";
import { LocalScheduler } from "../../src/scheduler/local.js";

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers a request itself when it returns true (to simulate failures); otherwise the RPC handler does. */
export type Intercept = (req: Received, res: http.ServerResponse) => boolean;

export interface TestServer {
  /** `http://127.0.0.1:PORT/` (or the socket path for a unix socket server). */
  url: string;
  port: number;
  api: SchedulerApi;
  received: Received[];
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Listen on this port (default 0, any free one) or on a unix socket path. */
  port?: number;
  socketPath?: string;
  api?: SchedulerApi;
  intercept?: Intercept;
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const api = options.api ?? new LocalScheduler();
  const handle = createRpcHandler(api);
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rec: Received = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(rec);
      if (options.intercept?.(rec, res)) return;
      handle({
        httpMethod: rec.method,
        url: rec.url,
        contentType: req.headers["content-type"],
        body: rec.body,
      })
        .then((result) => {
          if (result === null) {
            res.writeHead(404, { "Content-Type": "text/plain" }).end("not an API path");
          } else if (result.status === 204) {
            res.writeHead(204).end();
          } else {
            res.writeHead(result.status, { "Content-Type": JSON_CONTENT_TYPE }).end(result.body);
          }
        })
        .catch((err: unknown) => res.writeHead(599).end(String(err)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (options.socketPath !== undefined) server.listen(options.socketPath, resolve);
    else server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: options.socketPath ?? `http://127.0.0.1:${port}/`,
    port,
    api,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (taken, then released). */
export async function freePort(): Promise<number> {
  const s = await startServer();
  await s.close();
  return s.port;
}

/** Sends one raw request with fetch and returns status, content type and parsed-if-JSON body. */
export async function send(
  base: string,
  path: string,
  init: { method?: string; contentType?: string | null; body?: string | null } = {},
): Promise<{ status: number; contentType: string; text: string; json: unknown }> {
  const headers: Record<string, string> = {};
  if (init.contentType) headers["Content-Type"] = init.contentType;
  const res = await fetch(new URL(path.replace(/^\//, ""), base), {
    method: init.method ?? "POST",
    headers,
    ...(init.body !== undefined && init.body !== null ? { body: init.body } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, json };
}

/** `data=<url-encoded JSON>`, as Luigi's Python client writes a body. */
export function form(args: unknown): string {
  return new URLSearchParams({ data: JSON.stringify(args) }).toString();
}

/** A pino logger collecting its records, to assert on logged retries. */
export function recordingLogger(): {
  logger: Logger;
  records: Record<string, unknown>[];
  onRecord: (fn: () => void) => void;
} {
  const records: Record<string, unknown>[] = [];
  const listeners: (() => void)[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() !== "") records.push(JSON.parse(line) as Record<string, unknown>);
      }
      for (const fn of listeners.splice(0)) fn();
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), records, onRecord: (fn) => listeners.push(fn) };
}

/**
 * Servers, clients and other things a test file's tests start, closed after each test (in reverse order).
 * Call once at the top of a test file: it registers the afterEach.
 */
export function perTest(): {
  cleanups: (() => Promise<void> | void)[];
  server: (options?: ServerOptions) => Promise<TestServer>;
  client: (options: ConstructorParameters<typeof RemoteScheduler>[0]) => RemoteScheduler;
} {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  return {
    cleanups,
    server: async (options = {}) => {
      const s = await startServer(options);
      cleanups.push(() => s.close());
      return s;
    },
    client: (options) => {
      const c = new RemoteScheduler({ retryWait: 0.01, ...options });
      cleanups.push(() => c.close());
      return c;
    },
  };
}

/** The SchedulerError `promise` rejects with (it must reject with one). */
export async function rejection(promise: Promise<unknown>): Promise<SchedulerError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SchedulerError);
  return err as SchedulerError;
}
