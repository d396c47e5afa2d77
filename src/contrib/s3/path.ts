import { ErrorCode, TargetError } from "../../errors.js";

/** A bucket and a key: `s3://bucket/dir/file.csv` is `{ bucket: "bucket", key: "dir/file.csv" }`. */
export interface S3Location {
  bucket: string;
  /** "" for the bucket's root; a trailing "/" kept (a directory's path). */
  key: string;
}

const S3_URL = /^s3:\/\/([^/]*)(?:\/(.*))?$/s;
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Splits `s3://bucket/key` (the key as it is: no %-decoding, as Luigi's). Anything else, an empty or
 * malformed bucket name included, is a TargetError TARGET_PATH_INVALID saying what was expected.
 */
export function parseS3Path(path: string): S3Location {
  const match = typeof path === "string" ? S3_URL.exec(path) : null;
  const bucket = match?.[1] ?? "";
  if (match === null || !BUCKET.test(bucket)) {
    const shown = typeof path === "string" ? JSON.stringify(path) : String(path);
    const why = match === null ? "it does not start with s3://" : "its bucket name is missing or malformed";
    throw new TargetError(
      ErrorCode.TARGET_PATH_INVALID,
      `Not an S3 path: ${shown} (${why}; expected s3://bucket/key)`,
      { details: { path } },
    );
  }
  return { bucket, key: match[2] ?? "" };
}

export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The key without its trailing slashes: what a directory's objects start with, before the "/". */
export function dirKey(key: string): string {
  return key.replace(/\/+$/, "");
}
