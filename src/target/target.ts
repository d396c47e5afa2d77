import type { Readable, Writable } from "node:stream";

/**
 * Something a step produces or needs. Only `exists()` is required, so users can implement Target for any
 * store (a database row, an object in a bucket, a flag in a service).
 */
export interface Target {
  exists(): Promise<boolean>;
}

/** A target whose content can be read as text. */
export interface ReadableTarget {
  read(): Promise<string>;
}

/**
 * How stored bytes map to what callers read and write. "text": UTF-8, `openRead()` yields strings;
 * "binary": bytes as they are, `openRead()` yields Buffers; "gzip": compressed on disk, transparently
 * (de)compressed, `openRead()` yields Buffers.
 */
export type FileFormat = "text" | "binary" | "gzip";

/** A file-like target. Writes are atomic: readers see the old content or the whole new content, never a part. */
export interface FileTarget extends Target, ReadableTarget {
  readonly path: string;
  readonly format: FileFormat;
  /** The whole content as UTF-8 text. A missing target -> TargetError TARGET_NOT_FOUND. */
  read(): Promise<string>;
  /** The whole content as bytes (decompressed for gzip). */
  readBytes(): Promise<Buffer>;
  /** Replaces the content atomically. */
  write(data: string | Uint8Array): Promise<void>;
  /** A stream of the content; a missing target makes it emit TargetError TARGET_NOT_FOUND. */
  openRead(): Readable;
  /**
   * A stream that commits atomically when it finishes successfully (`end()`), and discards everything
   * when it is destroyed or fails: nothing is visible at `path` before the commit.
   */
  openWrite(): Writable;
  /** Deletes the target; no error when it does not exist. */
  remove(): Promise<void>;
}

/** True for anything with an `exists()` method: how the framework recognises a user-defined Target. */
export function isTarget(value: unknown): value is Target {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { exists?: unknown }).exists === "function"
  );
}
