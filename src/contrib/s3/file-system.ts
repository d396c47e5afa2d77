import type { Readable, Writable } from "node:stream";
import type * as S3 from "@aws-sdk/client-s3";
import { ErrorCode, TargetError } from "../../errors.js";
import { alreadyExists, notADirectory, notFound, parentMissing } from "../../target/errors.js";
import type { FileSystem } from "../../target/file-system.js";
import {
  clientFor,
  isNotFound,
  loadSdk,
  resolveSettings,
  s3Error,
  type S3Options,
  type S3Sdk,
  type S3Settings,
} from "./client.js";
import { dirKey, parseS3Path, s3Url } from "./path.js";
import { S3WriteStream, type S3WriteOptions } from "./write-stream.js";

/** Luigi's directory marker of tools that write `dir_$folder$` (the other kind is an empty `dir/`). */
export const FOLDER_SUFFIX = "_$folder$";

const EMPTY = new Uint8Array(0);

/** At most this many keys per DeleteObjects request (S3's limit). */
const DELETE_BATCH = 1000;
/** Copies of a directory's objects, or parts of a large object, in flight at once. */
const COPY_CONCURRENCY = 8;
/** CopyObject's limit: a larger object is copied in parts (UploadPartCopy). */
const COPY_OBJECT_LIMIT = 5 * 1024 ** 3;
/** The parts of such a copy, unless told. */
const COPY_PART_SIZE = 512 * 1024 ** 2;
/** S3's smallest part but the last. */
const MIN_PART = 5 * 1024 ** 2;

/** A connected client: the SDK, its client and the settings it was made with. */
interface Connection {
  sdk: S3Sdk;
  client: S3.S3Client;
  settings: S3Settings;
}

/**
 * S3 as a FileSystem (Luigi's S3Client) on paths `s3://bucket/key`. S3 has no directories: a directory
 * is a key prefix ending in `/`, present when an object starts with it, or when a marker says so (an
 * empty object `dir/`, which `mkdir` writes, or Luigi's `dir_$folder$`). The bucket's root always is a
 * directory when the bucket exists. The connection comes from the options given, else `[s3]`, else the
 * AWS SDK's own chain (AWS_* variables, profile, instance role), resolved on first use; the SDK is
 * loaded then too. Failures are TargetErrors naming the endpoint, the action and the path.
 */
export class S3FileSystem implements FileSystem {
  private readonly options: S3Options;
  private connection: Connection | undefined;

  constructor(opts: S3Options = {}) {
    this.options = { ...opts };
  }

  /** The endpoint, region and whether credentials were given, for messages (never the keys themselves). */
  describe(): { endpointUrl: string | undefined; region: string | undefined; forcePathStyle: boolean } {
    const { settings } = this.connect();
    return {
      endpointUrl: settings.endpointUrl,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
    };
  }

  /** @internal What existsInBulk groups targets by: the same settings mean the same client. */
  connectionKey(): string {
    return JSON.stringify(this.connect().settings);
  }

  private connect(): Connection {
    if (this.connection === undefined) {
      const settings = resolveSettings(this.options);
      const sdk = loadSdk();
      this.connection = { sdk, client: clientFor(sdk, settings), settings };
    }
    return this.connection;
  }

  /** Runs one request; failures become TargetErrors saying what was being done to `path`. */
  private async call<T>(action: string, path: string, fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = this.connect();
    try {
      return await fn(c);
    } catch (err) {
      throw s3Error(err, c.settings, action, path);
    }
  }

  /** The object's size, or undefined when there is none at `key`. */
  private async head(bucket: string, key: string, action: string): Promise<number | undefined> {
    return this.call(action, s3Url(bucket, key), async ({ sdk, client }) => {
      try {
        const out = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return out.ContentLength ?? 0;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });
  }

  private async bucketExists(bucket: string, action: string): Promise<boolean> {
    return this.call(action, s3Url(bucket, ""), async ({ sdk, client }) => {
      try {
        await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
        return true;
      } catch (err) {
        if (isNotFound(err) || (err instanceof Error && err.name === "NoSuchBucket")) return false;
        throw err;
      }
    });
  }

  /** Every object key starting with `prefix`, page by page (ListObjectsV2, 1,000 a page). */
  private async *keys(bucket: string, prefix: string, action: string, max?: number): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.call(action, s3Url(bucket, prefix), ({ sdk, client }) =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(max === undefined ? {} : { MaxKeys: max }),
          }),
        ),
      );
      for (const item of page.Contents ?? []) if (item.Key !== undefined) yield item.Key;
      token = page.IsTruncated === true && max === undefined ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /**
   * One ListObjectsV2 with Delimiter "/" under `prefix` (every page): the objects directly in it and its
   * sub-directories' prefixes. What existsInBulk answers a directory's targets from.
   */
  async listLevel(bucket: string, prefix: string): Promise<{ objects: Set<string>; prefixes: Set<string> }> {
    const objects = new Set<string>();
    const prefixes = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.call("list", s3Url(bucket, prefix), ({ sdk, client }) =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: "/",
            ContinuationToken: token,
          }),
        ),
      );
      for (const item of page.Contents ?? []) if (item.Key !== undefined) objects.add(item.Key);
      for (const item of page.CommonPrefixes ?? []) if (item.Prefix !== undefined) prefixes.add(item.Prefix);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return { objects, prefixes };
  }

  private async hasAny(bucket: string, prefix: string, action: string): Promise<boolean> {
    for await (const _ of this.keys(bucket, prefix, action, 1)) return true;
    return false;
  }

  /** True for an object at the path, a directory (see isdir) and a bucket's root when the bucket exists. */
  async exists(path: string): Promise<boolean> {
    const { bucket, key } = parseS3Path(path);
    if (key === "") return this.bucketExists(bucket, "check");
    if (!key.endsWith("/") && (await this.head(bucket, key, "check")) !== undefined) return true;
    return this.isdirAt(bucket, key);
  }

  /** True for the root of an existing bucket, a prefix some object starts with (`dir/...`), or a marker. */
  async isdir(path: string): Promise<boolean> {
    const { bucket, key } = parseS3Path(path);
    if (key === "") return this.bucketExists(bucket, "check");
    return this.isdirAt(bucket, key);
  }

  private async isdirAt(bucket: string, key: string): Promise<boolean> {
    const dir = dirKey(key);
    // Both at once: one round trip. `dir/` itself (mkdir's marker) is listed under the prefix too.
    const [listed, marker] = await Promise.all([
      this.hasAny(bucket, `${dir}/`, "check"),
      this.head(bucket, dir + FOLDER_SUFFIX, "check"),
    ]);
    return listed || marker !== undefined;
  }

  /**
   * Removes the object at the path, or with `recursive` (the default) every object under the directory
   * and its markers, in DeleteObjects requests of 1,000. Nothing there is no error; a bucket's root
   * cannot be removed, and a directory with `recursive: false` is TARGET_IO (as Luigi's).
   */
  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const { bucket, key } = parseS3Path(path);
    if (key === "") {
      throw new TargetError(
        ErrorCode.TARGET_IO,
        `Cannot remove ${path}: it is the root of bucket ${bucket}`,
        {
          details: { path, action: "remove" },
        },
      );
    }
    if (!key.endsWith("/") && (await this.head(bucket, key, "remove")) !== undefined) {
      await this.call("remove", path, ({ sdk, client }) =>
        client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })),
      );
      return;
    }
    const dir = dirKey(key);
    const doomed: string[] = [];
    for await (const k of this.keys(bucket, `${dir}/`, "remove")) doomed.push(k);
    if ((await this.head(bucket, dir + FOLDER_SUFFIX, "remove")) !== undefined)
      doomed.push(dir + FOLDER_SUFFIX);
    if (doomed.length === 0) return;
    if (opts.recursive === false) {
      throw new TargetError(
        ErrorCode.TARGET_IO,
        `Cannot remove ${path}: it is a directory (recursive: false)`,
        { details: { path, action: "remove" } },
      );
    }
    await this.deleteKeys(bucket, doomed, path);
  }

  private async deleteKeys(bucket: string, keys: readonly string[], path: string): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const out = await this.call("remove", path, ({ sdk, client }) =>
        client.send(
          new sdk.DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const failed = out.Errors?.[0];
      if (failed !== undefined) {
        throw new TargetError(
          ErrorCode.TARGET_IO,
          `Cannot remove ${s3Url(bucket, failed.Key ?? "")}: ${failed.Code ?? "error"}: ${failed.Message ?? ""}`,
          { details: { path, action: "remove", failed: out.Errors?.length } },
        );
      }
    }
  }

  /**
   * Makes the path a directory: an empty marker object `dir/` (Luigi's mkdir). `parents: false` wants the
   * parent to be a directory already (TARGET_PARENT_MISSING); an object at the path is
   * TARGET_NOT_A_DIRECTORY; an existing directory is fine unless `raiseIfExists` (TARGET_EXISTS).
   */
  async mkdir(path: string, opts: { parents?: boolean; raiseIfExists?: boolean } = {}): Promise<void> {
    const { bucket, key } = parseS3Path(path);
    if (opts.raiseIfExists === true && (await this.isdir(path)))
      throw alreadyExists(path, "create the directory");
    if (key === "") return;
    const dir = dirKey(key);
    if ((await this.head(bucket, dir, "create the directory")) !== undefined)
      throw notADirectory(path, "create the directory");
    const cut = dir.lastIndexOf("/");
    if (opts.parents === false && cut > 0 && !(await this.isdirAt(bucket, dir.slice(0, cut)))) {
      throw parentMissing(path);
    }
    await this.call("create the directory", path, ({ sdk, client }) =>
      client.send(
        new sdk.PutObjectCommand({ Bucket: bucket, Key: `${dir}/`, Body: EMPTY, ContentLength: 0 }),
      ),
    );
  }

  /**
   * Every object under the directory, recursively, as s3:// paths in sorted order; directory markers
   * (`x/`, `x_$folder$`) are not files and are left out. Nothing there gives [], an object
   * TARGET_NOT_A_DIRECTORY.
   */
  async listdir(path: string): Promise<string[]> {
    const { bucket, key } = parseS3Path(path);
    const prefix = key === "" ? "" : `${dirKey(key)}/`;
    const files: string[] = [];
    let any = false;
    for await (const k of this.keys(bucket, prefix, "list")) {
      any = true;
      if (!k.endsWith("/") && !k.endsWith(FOLDER_SUFFIX)) files.push(s3Url(bucket, k));
    }
    if (!any && key !== "" && !key.endsWith("/") && (await this.head(bucket, key, "list")) !== undefined) {
      throw notADirectory(path, "list");
    }
    return files.sort();
  }

  /**
   * Copies the object at the path to `dest`, or a directory's objects under `dest/`, on the server: an
   * object up to 5 GiB with one CopyObject, a larger one as a multipart upload of UploadPartCopy parts
   * (`partSize`, default 512 MiB; given, it is also the size above which a copy goes in parts, as
   * Luigi's part_size), completed only when every part is copied. Nothing at the path is
   * TARGET_NOT_FOUND; an existing `dest` is replaced unless `raiseIfExists` (TARGET_EXISTS).
   */
  async copy(
    path: string,
    dest: string,
    opts: { raiseIfExists?: boolean; partSize?: number } = {},
  ): Promise<void> {
    const partSize = opts.partSize;
    if (partSize !== undefined && !(Number.isInteger(partSize) && partSize >= MIN_PART)) {
      throw new RangeError(
        `S3 copy partSize = ${partSize}: expected whole bytes, at least 5 MiB (${MIN_PART})`,
      );
    }
    const from = parseS3Path(path);
    const to = parseS3Path(dest);
    if (opts.raiseIfExists === true && (await this.exists(dest)))
      throw alreadyExists(dest, `copy ${path} there`);
    const size =
      from.key === "" || from.key.endsWith("/") ? undefined : await this.head(from.bucket, from.key, "copy");
    if (size !== undefined) {
      if (size > (partSize ?? COPY_OBJECT_LIMIT)) {
        await this.copyInParts(from, to, size, partSize ?? COPY_PART_SIZE, path, dest);
      } else {
        await this.copyObject(from.bucket, from.key, to.bucket, to.key, path, dest);
      }
      return;
    }
    const fromPrefix = from.key === "" ? "" : `${dirKey(from.key)}/`;
    const toPrefix = to.key === "" ? "" : `${dirKey(to.key)}/`;
    const keys: string[] = [];
    for await (const k of this.keys(from.bucket, fromPrefix, "copy")) keys.push(k);
    if (keys.length === 0) throw notFound(path);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const k = keys[next++] as string;
        await this.copyObject(from.bucket, k, to.bucket, toPrefix + k.slice(fromPrefix.length), path, dest);
      }
    };
    await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, keys.length) }, worker));
  }

  private async copyInParts(
    from: { bucket: string; key: string },
    to: { bucket: string; key: string },
    size: number,
    partSize: number,
    path: string,
    dest: string,
  ): Promise<void> {
    const action = `copy to ${dest}`;
    const source = copySource(from.bucket, from.key);
    const { UploadId } = await this.call(action, path, ({ sdk, client }) =>
      client.send(new sdk.CreateMultipartUploadCommand({ Bucket: to.bucket, Key: to.key })),
    );
    const count = Math.ceil(size / partSize);
    const parts: { PartNumber: number; ETag: string | undefined }[] = [];
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < count) {
          const i = next++;
          const last = Math.min(size, (i + 1) * partSize) - 1;
          const out = await this.call(action, path, ({ sdk, client }) =>
            client.send(
              new sdk.UploadPartCopyCommand({
                Bucket: to.bucket,
                Key: to.key,
                UploadId,
                PartNumber: i + 1,
                CopySource: source,
                CopySourceRange: `bytes=${i * partSize}-${last}`,
              }),
            ),
          );
          parts[i] = { PartNumber: i + 1, ETag: out.CopyPartResult?.ETag };
        }
      };
      await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, count) }, worker));
      await this.call(action, path, ({ sdk, client }) =>
        client.send(
          new sdk.CompleteMultipartUploadCommand({
            Bucket: to.bucket,
            Key: to.key,
            UploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    } catch (err) {
      // Nothing appears at `dest`; the parts copied so far are dropped.
      await this.call(action, path, ({ sdk, client }) =>
        client.send(new sdk.AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId })),
      ).catch(() => undefined);
      throw err;
    }
  }

  private async copyObject(
    bucket: string,
    key: string,
    destBucket: string,
    destKey: string,
    path: string,
    dest: string,
  ): Promise<void> {
    await this.call(`copy to ${dest}`, path, ({ sdk, client }) =>
      client.send(
        new sdk.CopyObjectCommand({
          Bucket: destBucket,
          Key: destKey,
          CopySource: copySource(bucket, key),
        }),
      ),
    );
  }

  /** Copies, then removes the source (S3 has no rename): a directory is moved object by object. */
  async move(path: string, dest: string, opts: { raiseIfExists?: boolean } = {}): Promise<void> {
    await this.copy(path, dest, opts);
    await this.remove(path);
  }

  /** move(), refusing an existing `dest` (TARGET_EXISTS): what `temporaryPath()` commits with. */
  renameDontMove(path: string, dest: string): Promise<void> {
    return this.move(path, dest, { raiseIfExists: true });
  }

  /** The object's bytes as they are stored. Nothing there is TARGET_NOT_FOUND. */
  async get(path: string): Promise<Buffer> {
    const body = await this.openObject(path);
    const chunks: Buffer[] = [];
    const c = this.connect();
    try {
      for await (const chunk of body) chunks.push(chunk as Buffer);
    } catch (err) {
      throw s3Error(err, c.settings, "read", path);
    }
    return Buffer.concat(chunks);
  }

  /** A stream of the object's stored bytes (GetObject). Nothing there is TARGET_NOT_FOUND. */
  async openObject(path: string): Promise<Readable> {
    const { bucket, key } = parseS3Path(path);
    const c = this.connect();
    try {
      const out = await c.client.send(new c.sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw notFound(path);
      throw s3Error(err, c.settings, "read", path);
    }
  }

  /** Stores `bytes` at the path in one PutObject (atomic: readers see the old object or the new one). */
  async put(path: string, bytes: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    const { bucket, key } = parseS3Path(path);
    await this.call("write", path, ({ sdk, client }) =>
      client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentLength: typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength,
          ...(opts.contentType === undefined ? {} : { ContentType: opts.contentType }),
        }),
      ),
    );
  }

  /**
   * A stream that uploads to the path as it is written (multipart, in parts of `partSize`), completed
   * only when the stream ends successfully; destroyed or failed, the upload is aborted and nothing
   * appears at the path. Needs `@aws-sdk/lib-storage` too.
   */
  openWriteStream(path: string, opts: S3WriteOptions = {}): Writable {
    const { bucket, key } = parseS3Path(path);
    return new S3WriteStream({ connect: () => this.connect(), bucket, key, path, ...opts });
  }
}

/** CopySource as S3 wants it: `bucket/key`, the key URL-encoded but for its slashes. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, "/")}`;
}
