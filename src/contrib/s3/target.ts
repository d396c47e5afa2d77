import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ErrorCode, TargetError } from "../../errors.js";
import { ioError } from "../../target/errors.js";
import { FileSystemTarget } from "../../target/file-system-target.js";
import { decode, encode, readStreamFor, toBuffer } from "../../target/format.js";
import type { FileFormat, FileTarget } from "../../target/target.js";
import { existsInBulkBy } from "../shared/bulk-exists.js";
import type { S3Options } from "./client.js";
import { FOLDER_SUFFIX, S3FileSystem } from "./file-system.js";
import { dirKey, parseS3Path, type S3Location } from "./path.js";

export interface S3TargetOptions {
  /** Default "text"; "gzip" stores the object compressed, as LocalTarget's. */
  format?: FileFormat;
  /** The file system (Luigi's client) to use; default one made from `s3` (else `[s3]`, else the SDK's chain). */
  fs?: S3FileSystem;
  /** Where and as whom to connect, when no `fs` is given. */
  s3?: S3Options;
  /** Bytes per part of a streaming write (openWrite); default and minimum 5 MiB. */
  partSize?: number;
  /** The objects' Content-Type. */
  contentType?: string;
}

/**
 * An object in S3 (Luigi's S3Target), at `s3://bucket/key`. Writes are atomic from a reader's view:
 * `write()` is one PutObject, and `openWrite()` a multipart upload completed only when the stream ends
 * successfully (aborted when it is destroyed or fails), so a failing step leaves no object and the
 * step stays incomplete. Formats as LocalTarget's. A path that is not `s3://bucket/key` is a
 * TargetError TARGET_PATH_INVALID.
 *
 *     output() { return new S3Target(`s3://archive/sales/${isoDay(this.day)}.csv`); }
 */
export class S3Target extends FileSystemTarget implements FileTarget {
  readonly path: string;
  readonly format: FileFormat;
  readonly fs: S3FileSystem;
  readonly bucket: string;
  readonly key: string;
  private readonly partSize: number | undefined;
  private readonly contentType: string | undefined;

  constructor(path: string, opts: S3TargetOptions = {}) {
    super();
    const where: S3Location = parseS3Path(path);
    this.path = path;
    this.bucket = where.bucket;
    this.key = where.key;
    this.format = opts.format ?? "text";
    this.fs = opts.fs ?? new S3FileSystem(opts.s3);
    this.partSize = opts.partSize;
    this.contentType = opts.contentType;
  }

  /** A target for `dest` on the same file system and in the same format. */
  protected sibling(dest: string): S3Target {
    return new S3Target(dest, {
      format: this.format,
      fs: this.fs,
      ...(this.partSize === undefined ? {} : { partSize: this.partSize }),
      ...(this.contentType === undefined ? {} : { contentType: this.contentType }),
    });
  }

  override exists(): Promise<boolean> {
    return this.fs.exists(this.path);
  }

  /**
   * Which of `targets` exist, with one ListObjectsV2 (Delimiter "/") per directory instead of up to
   * three requests per target: a month of daily objects under one prefix costs one listing. The answers
   * are exists()'s (an object, a sub-directory's prefix, a `_$folder$` marker); an S3FlagTarget's is its
   * flag's. A subclass's own exists() is called as it is.
   */
  static existsInBulk(targets: readonly S3Target[]): Promise<boolean[]> {
    return existsInBulkBy(
      targets,
      (t) => bulkKey(t) !== undefined,
      (t) => JSON.stringify([t.fs.connectionKey(), t.bucket, parentPrefix(bulkKey(t) as string)]),
      async (group) => {
        const first = group[0] as S3Target;
        const listed = await first.fs.listLevel(first.bucket, parentPrefix(bulkKey(first) as string));
        return group.map((t) => {
          const key = bulkKey(t) as string;
          return (
            listed.objects.has(key) ||
            listed.prefixes.has(`${key}/`) ||
            listed.objects.has(key + FOLDER_SUFFIX)
          );
        });
      },
    );
  }

  async readBytes(): Promise<Buffer> {
    const stored = await this.fs.get(this.path);
    try {
      return await decode(stored, this.format);
    } catch (err) {
      throw ioError(err, this.path, "decode");
    }
  }

  async read(): Promise<string> {
    return (await this.readBytes()).toString("utf8");
  }

  /** One PutObject of the whole content: readers see the old object or the new one. */
  async write(data: string | Uint8Array): Promise<void> {
    await this.fs.put(this.path, await encode(toBuffer(data), this.format), this.putOptions());
  }

  private putOptions(): { contentType?: string } {
    return this.contentType === undefined ? {} : { contentType: this.contentType };
  }

  /** A stream of the content (GetObject, decompressed for gzip, strings for text). */
  openRead(): Readable {
    const out = readStreamFor(this.format);
    this.fs.openObject(this.path).then(
      (body) => {
        // A consumer that gave up before the response came: nothing to read it for.
        if (out.destroyed) {
          body.destroy();
          return;
        }
        body.on("error", (err) => out.destroy(ioError(err, this.path, "read")));
        // A consumer that stops early must not leave the response open.
        out.on("close", () => body.destroy());
        body.pipe(out);
      },
      (err: unknown) => out.destroy(err as Error),
    );
    return out;
  }

  /** A streaming, multipart upload that becomes the object only when the stream ends successfully. */
  openWrite(): Writable {
    return this.fs.openWriteStream(this.path, {
      gzip: this.format === "gzip",
      ...(this.partSize === undefined ? {} : { partSize: this.partSize }),
      ...this.putOptions(),
    });
  }

  /** Writes what `source` yields (strings or bytes) through openWrite(): the object appears once it is all there. */
  async writeFrom(source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void> {
    await pipeline(Readable.from(source), this.openWrite());
  }

  /** Moves the object (copy, then delete) to `dest` and returns a target for it. */
  async move(dest: string, opts: { raiseIfExists?: boolean } = {}): Promise<S3Target> {
    const target = this.sibling(dest);
    await this.fs.move(this.path, dest, opts);
    return target;
  }

  /** Copies the object on the server (CopyObject) to `dest` and returns a target for it. */
  async copy(dest: string, opts: { raiseIfExists?: boolean } = {}): Promise<S3Target> {
    const target = this.sibling(dest);
    await this.fs.copy(this.path, dest, opts);
    return target;
  }
}

export interface S3FlagTargetOptions extends S3TargetOptions {
  /** The flag object's name in the directory; default `_SUCCESS`, as Hadoop and Spark write. */
  flag?: string;
}

/**
 * A directory in S3 whose completion is a flag object (Luigi's S3FlagTarget): a job writes many objects
 * under `s3://bucket/dir/`, then the flag (`_SUCCESS` unless told) last, and the target exists only once
 * the flag does. The path must end with "/". `touch()` writes the flag; `flagPath` is where.
 */
export class S3FlagTarget extends S3Target {
  readonly flag: string;

  constructor(path: string, opts: S3FlagTargetOptions = {}) {
    super(path, opts);
    if (!path.endsWith("/")) {
      throw new TargetError(
        ErrorCode.TARGET_PATH_INVALID,
        `S3FlagTarget ${path}: the path must be a directory's, ending with "/"`,
        { details: { path } },
      );
    }
    const flag = opts.flag ?? "_SUCCESS";
    if (flag === "" || flag.includes("/")) {
      throw new TargetError(
        ErrorCode.TARGET_PATH_INVALID,
        `S3FlagTarget flag ${JSON.stringify(flag)}: expected a name without "/"`,
        {
          details: { path, flag },
        },
      );
    }
    this.flag = flag;
  }

  get flagPath(): string {
    return this.path + this.flag;
  }

  override exists(): Promise<boolean> {
    return this.fs.exists(this.flagPath);
  }

  /** Writes the (empty) flag: what a step does last, once everything under the directory is written. */
  async touch(): Promise<void> {
    await this.fs.put(this.flagPath, "");
  }

  /** The objects of the directory (its flag included), as s3:// paths. */
  listdir(): Promise<string[]> {
    return this.fs.listdir(this.path);
  }

  /** A target for one object of the directory, on the same file system. */
  child(name: string, opts: { format?: FileFormat } = {}): S3Target {
    return new S3Target(this.path + name, { fs: this.fs, format: opts.format ?? this.format });
  }
}

/** The key whose presence answers the target's exists(), when it is the class's own; else undefined. */
function bulkKey(t: S3Target): string | undefined {
  if (t.exists === S3Target.prototype.exists) return t.key === "" || t.key.endsWith("/") ? undefined : t.key;
  if (t instanceof S3FlagTarget && t.exists === S3FlagTarget.prototype.exists) return t.key + t.flag;
  return undefined;
}

/** "dir/sub/" for "dir/sub/name", "" for a top-level name. */
function parentPrefix(key: string): string {
  const cut = dirKey(key).lastIndexOf("/");
  return cut < 0 ? "" : key.slice(0, cut + 1);
}
