/**
 * The real servers notifications go to in tests: an SMTP server (smtp-server, the server side of
 * nodemailer's project) that keeps every message it accepts, an SMTP "server" that misbehaves (closes
 * at once, or never greets), and an HTTP server that keeps every request. All on loopback, ephemeral ports.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { SMTPServer } from "smtp-server";
import { waitFor } from "../helpers/wait.js";

export interface ReceivedMail {
  /** MAIL FROM and RCPT TO, as the client said them. */
  envelope: { from: string; to: string[] };
  /** Header name (lower case) -> value, unfolded and with encoded words decoded. */
  headers: Map<string, string>;
  /** The body, its transfer encoding undone. */
  body: string;
  contentType: string;
}

export interface SmtpServerHandle {
  port: number;
  mails: ReceivedMail[];
  /** Usernames that tried to log in, and whether they were let in. */
  logins: { username: string; accepted: boolean }[];
  waitForMails(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpServer(
  options: { users?: Record<string, string> } = {},
): Promise<SmtpServerHandle> {
  const mails: ReceivedMail[] = [];
  const logins: SmtpServerHandle["logins"] = [];
  const server = new SMTPServer({
    logger: false,
    // Plain SMTP on loopback: the client's STARTTLS upgrade needs a certificate it trusts, which is not
    // what these tests are about.
    disabledCommands: options.users ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: options.users === undefined,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const accepted = options.users?.[auth.username ?? ""] === auth.password;
      logins.push({ username: auth.username ?? "", accepted });
      if (accepted) callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const from = session.envelope.mailFrom;
        mails.push({
          envelope: {
            from: from === false ? "" : from.address,
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          ...parseMessage(Buffer.concat(chunks).toString("utf8")),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    logins,
    waitForMails: (n) => waitFor(() => mails.length >= n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP server that is no SMTP server: "close" hangs up on every connection, "silent" never says a word. */
export async function startBrokenSmtpServer(mode: "close" | "silent"): Promise<{
  port: number;
  connections: () => number;
  closedByClient: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let closedByClient = 0;
  const server = createTcpServer((socket) => {
    connections++;
    if (mode === "close") {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      closedByClient++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    closedByClient: () => closedByClient,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound once, then released). */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

export interface HttpServerHandle {
  url: string;
  requests: ReceivedRequest[];
  /** The status every request is answered with. Default 200. */
  status: number;
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHttpServer(): Promise<HttpServerHandle> {
  const handle = { requests: [] as ReceivedRequest[], status: 200 };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // kept as text
      }
      handle.requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        json,
      });
      res.writeHead(handle.status, { "content-type": "text/plain" });
      res.end(handle.status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(handle, {
    url: `http://127.0.0.1:${port}`,
    waitForRequests: (n: number) => waitFor(() => handle.requests.length >= n),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

// ---------------------------------------------------------------- reading a mail

function decodeWords(value: string): string {
  // Whitespace between two encoded words is folding, not text (RFC 2047).
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : decodeQuotedPrintable(text.replaceAll("_", " ")),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i] as string;
    const hex = soft.slice(i + 1, i + 3);
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** A single-part message as nodemailer writes one: headers, a blank line, the encoded body. */
export function parseMessage(raw: string): Omit<ReceivedMail, "envelope"> {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const encoded = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const body =
    encoding === "quoted-printable"
      ? decodeQuotedPrintable(encoded)
      : encoding === "base64"
        ? Buffer.from(encoded.replace(/\s+/g, ""), "base64").toString("utf8")
        : encoded;
  return { headers, body: body.replace(/\r\n/g, "\n"), contentType: headers.get("content-type") ?? "" };
}
