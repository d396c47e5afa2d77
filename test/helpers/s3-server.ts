/**
 * A real S3-compatible server for the tests of luigi-ts/s3: S3rver (the maintained fork
 * @20minutes/s3rver) serving the S3 REST protocol on 127.0.0.1, in a child process (see
 * s3-server-main.mjs), with its objects in a temporary directory. `requests` records every request
 * line it received, so a test can tell a multipart upload from a PutObject and see an upload aborted.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** S3rver's one account: what the SDK must sign with (an unknown key id is refused). */
export const S3RVER_KEY_ID = "S3RVER";
export const S3RVER_SECRET = "S3RVER";

export interface S3TestServer {
  endpoint: string;
  /** The request lines ("PUT /bucket/key?partNumber=1&uploadId=..."), as received. */
  requests: string[];
  /** Resolves once every request the server has received so far is in `requests`. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "s3-server-main.mjs");

export async function startS3Server(buckets: readonly string[]): Promise<S3TestServer> {
  const directory = mkdtempSync(path.join(tmpdir(), "luigi-ts-s3-"));
  const child = fork(MAIN, [directory, ...buckets], {
    execArgv: ["--openssl-legacy-provider"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const requests: string[] = [];
  const waiting: (() => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the S3 server exited (${code}) before it listened`)));
    child.on("message", (message: unknown) => {
      if (message === "synced") waiting.shift()?.();
      else if (typeof message === "object" && message !== null) {
        const m = message as { port?: number; request?: string };
        if (m.request !== undefined) requests.push(m.request);
        if (m.port !== undefined) resolve(m.port);
      }
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    sync: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        child.send("sync");
      }),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.send("stop");
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
