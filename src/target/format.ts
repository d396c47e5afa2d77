import { PassThrough, type Transform } from "node:stream";
import { promisify } from "node:util";
import { createGunzip, gunzip, gzip } from "node:zlib";
import type { FileFormat } from "./target.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function toBuffer(data: string | Uint8Array): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** What callers write -> what is stored. */
export async function encode(data: Buffer, format: FileFormat): Promise<Buffer> {
  return format === "gzip" ? gzipAsync(data) : data;
}

/** What is stored -> what callers read. */
export async function decode(stored: Buffer, format: FileFormat): Promise<Buffer> {
  return format === "gzip" ? gunzipAsync(stored) : stored;
}

/**
 * The stream `openRead()` returns: stored bytes go in, content comes out (decompressed for gzip, as
 * strings for text: setEncoding decodes UTF-8 across chunk boundaries).
 */
export function readStreamFor(format: FileFormat): Transform {
  const out = format === "gzip" ? createGunzip() : new PassThrough();
  if (format === "text") out.setEncoding("utf8");
  return out;
}
