import { PassThrough, Writable } from "node:stream";
import { createGzip, type Gzip } from "node:zlib";
import type * as S3 from "@aws-sdk/client-s3";
import type * as Storage from "@aws-sdk/lib-storage";
import { requireOptional } from "../../loader/optional-package.js";
import { s3Error, type S3Settings } from "./client.js";

/** S3's smallest part (but the last): 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface S3WriteOptions {
  /** Bytes per part of the multipart upload; default and minimum 5 MiB (S3's), at most 10,000 parts. */
  partSize?: number;
  /** Parts uploaded at once; default 4 (so about partSize × 5 in memory). */
  queueSize?: number;
  /** Gzip what is written (the stored object is compressed). */
  gzip?: boolean;
  contentType?: string;
}

interface Connection {
  client: S3.S3Client;
  settings: S3Settings;
}

/**
 * A Writable that uploads to `s3://bucket/key` as it is written, with `@aws-sdk/lib-storage`'s Upload:
 * one PutObject for less than a part, else a multipart upload. The object appears only when the stream
 * ends and the upload completes (PutObject, or CompleteMultipartUpload); destroying the stream, or any
 * failure, ends the body with that error, so the upload is aborted (AbortMultipartUpload) and nothing
 * is left at the key.
 */
export class S3WriteStream extends Writable {
  readonly path: string;
  private readonly opts: S3WriteOptions & { connect: () => Connection; bucket: string; key: string };
  private body: PassThrough | undefined;
  private head: Writable | undefined;
  private compressor: Gzip | undefined;
  private done: Promise<unknown> | undefined;
  private settings: S3Settings | undefined;
  private committed = false;

  constructor(
    opts: S3WriteOptions & { connect: () => Connection; bucket: string; key: string; path: string },
  ) {
    super();
    this.path = opts.path;
    this.opts = opts;
  }

  private fail(err: unknown): Error {
    return this.settings === undefined ? (err as Error) : s3Error(err, this.settings, "write", this.path);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    try {
      const { client, settings } = this.opts.connect();
      this.settings = settings;
      const { Upload } = requireOptional<typeof Storage>(
        "@aws-sdk/lib-storage",
        "luigi-ts/s3's streaming writes",
      );
      const partSize = Math.max(MIN_PART_SIZE, this.opts.partSize ?? MIN_PART_SIZE);
      this.body = new PassThrough({ highWaterMark: 1024 * 1024 });
      this.head = this.body;
      if (this.opts.gzip === true) {
        this.compressor = createGzip();
        this.compressor.on("error", (err) => this.destroy(this.fail(err)));
        this.compressor.pipe(this.body);
        this.head = this.compressor;
      }
      const upload = new Upload({
        client,
        params: {
          Bucket: this.opts.bucket,
          Key: this.opts.key,
          Body: this.body,
          ...(this.opts.contentType === undefined ? {} : { ContentType: this.opts.contentType }),
        },
        partSize,
        queueSize: this.opts.queueSize ?? 4,
        leavePartsOnError: false,
      });
      this.done = upload.done();
      // Until _final awaits it, a failed upload (the server refusing a part) ends this stream.
      this.done.catch((err: unknown) => {
        if (!this.committed) this.destroy(this.fail(err));
      });
      callback();
    } catch (err) {
      callback(this.fail(err));
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const head = this.head as Writable;
    // Backpressure: wait while the uploader has not taken what it was given.
    if (head.write(chunk)) callback();
    else head.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    const done = this.done as Promise<unknown>;
    (this.head as Writable).end();
    done.then(
      () => {
        this.committed = true;
        callback();
      },
      (err: unknown) => callback(this.fail(err)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.committed || this.body === undefined) {
      callback(error);
      return;
    }
    // Ending the body with an error makes the Upload abort the multipart upload before done() rejects;
    // a PutObject is sent only for a body that ended, so none is.
    this.compressor?.destroy();
    this.body.destroy(error ?? new Error("the write was abandoned"));
    const done = this.done ?? Promise.resolve();
    done.then(
      () => callback(error),
      () => callback(error),
    );
  }
}
