/**
 * One HTTP POST to the scheduler with node:http / node:https, bounded by a single deadline that covers
 * connecting, sending and reading the whole answer (Luigi uses rpc_connect_timeout for connect and read).
 * Retrying is the caller's business; this layer only reports what happened.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { ConfigError, ErrorCode, SchedulerError } from "../errors.js";
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

export interface AgentOptions {
  /**
   * A PEM file of the CA certificate(s) an https luigid's certificate must chain to (`[core] rpc_ca_file`),
   * trusted instead of the system's list. Unset: the system's list, plus NODE_EXTRA_CA_CERTS.
   */
  caFile?: string | undefined;
}

export function createAgents(options: AgentOptions = {}): Agents {
  const ca = options.caFile ? readCaFile(options.caFile) : undefined;
  // Keep-alive: a worker makes a call per step plus a ping per second; reconnecting each time is waste.
  // noDelay: a request is small and written in pieces; waiting for Nagle to coalesce them costs latency.
  return {
    http: new http.Agent({ keepAlive: true, noDelay: true }),
    https: new https.Agent({ keepAlive: true, noDelay: true, ...(ca ? { ca } : {}) }),
  };
}

/** The CA file's certificates; a file that is not there, or holds none, is refused naming it. */
function readCaFile(file: string): string[] {
  const bad = (why: string): ConfigError =>
    new ConfigError(`[core] rpc_ca_file = ${file}: ${why}`, { section: "core", key: "rpc_ca_file", file });
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw bad(`cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw bad("no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw bad(`a certificate in it does not parse (${(err as Error).message})`);
    }
  }
  return blocks;
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
      const tls = endpoint.protocol === "https:" ? tlsProblem(endpoint, err) : undefined;
      if (!answered && req.reusedSocket && err.code === "ECONNRESET") {
        finish(new StaleSocketError(err.message));
      } else if (tls) {
        finish(tls);
      } else if (
        endpoint.protocol === "http:" &&
        !req.reusedSocket &&
        err.code === "ECONNRESET" &&
        !answered
      ) {
        // What a luigid serving HTTPS does to a plain-HTTP request: it says nothing and hangs up.
        const hint = "the connection was closed unanswered; if luigid serves HTTPS, use an https:// URL";
        finish(new TransportError(`${describe(err)} (${hint})`, { cause: err }));
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

/** OpenSSL's verification failures, as Node names them in `err.code`. */
const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "INVALID_CA",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * A certificate this worker does not trust, or a luigid that does not speak TLS, is no passing trouble:
 * retrying cannot help, so it is a SchedulerError at once (not a TransportError, which is retried),
 * saying what to set.
 */
function tlsProblem(endpoint: SchedulerEndpoint, err: NodeJS.ErrnoException): SchedulerError | undefined {
  const where = endpoint.display;
  const details = { url: where, cause: err.code ?? err.message };
  if (err.code !== undefined && UNTRUSTED.has(err.code)) {
    const fix =
      err.code === "ERR_TLS_CERT_ALTNAME_INVALID"
        ? "use the host name or address the certificate names, or a certificate that names this one"
        : err.code === "CERT_HAS_EXPIRED" || err.code === "CERT_NOT_YET_VALID"
          ? "renew luigid's certificate (luigid --certfile)"
          : "if it comes from a private CA, set [core] rpc_ca_file (or NODE_EXTRA_CA_CERTS) to that CA's certificate (PEM)";
    return new SchedulerError(
      ErrorCode.SCHEDULER_TLS,
      `the scheduler at ${where} has a TLS certificate this worker does not trust (${err.code}: ${err.message}): ${fix}`,
      { details },
    );
  }
  // An https:// URL at a luigid that speaks plain HTTP: OpenSSL reads its answer as a broken handshake.
  if (/wrong version number|packet length too long/i.test(err.message)) {
    return new SchedulerError(
      ErrorCode.SCHEDULER_TLS,
      `the scheduler at ${where} does not speak TLS (${err.message.trim()}): use an http:// URL, or start luigid with --certfile and --keyfile`,
      { details },
    );
  }
  return undefined;
}

function describe(err: NodeJS.ErrnoException): string {
  return err.code !== undefined && !err.message.includes(err.code)
    ? `${err.code}: ${err.message}`
    : err.message;
}
