import type * as S3 from "@aws-sdk/client-s3";
import { s3Config } from "../../config/stores.js";
import { ConfigError, ErrorCode, LuigiError, TargetError } from "../../errors.js";
import { requireOptional } from "../../loader/optional-package.js";
import { activeConfig } from "../../step/context.js";
import { maskUrl } from "../shared/mask.js";

/**
 * The S3 clients of luigi-ts/s3, on the AWS SDK v3 (`@aws-sdk/client-s3`, an optional peer loaded on
 * first use): one client per set of settings, shared by every S3FileSystem that resolves to it.
 */

const FOR_WHAT = "luigi-ts/s3";

/** Where and as whom to connect; what is not given here comes from `[s3]`, else the AWS SDK's own chain. */
export interface S3Options {
  /** An S3-compatible store's URL (http://127.0.0.1:9000); default `[s3] endpoint_url`, else the SDK's. */
  endpointUrl?: string;
  /** Default `[s3] region`, else AWS_REGION or the AWS profile's; us-east-1 when an endpoint URL is set. */
  region?: string;
  /** With `secretAccessKey`; default `[s3] access_key_id`, else the SDK's chain (AWS_ACCESS_KEY_ID, ...). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Bucket in the path rather than in the host name; default `[s3] force_path_style` (false). */
  forcePathStyle?: boolean;
}

/** The options in force for one file system. */
export interface S3Settings {
  endpointUrl: string | undefined;
  region: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  forcePathStyle: boolean;
}

export type S3Sdk = typeof S3;

export function loadSdk(): S3Sdk {
  return requireOptional<S3Sdk>("@aws-sdk/client-s3", FOR_WHAT);
}

/** Options first, then `[s3]`; a half pair of keys or an endpoint that is not an http(s) URL is a ConfigError. */
export function resolveSettings(opts: S3Options): S3Settings {
  const cfg = s3Config(activeConfig());
  const endpointUrl = (opts.endpointUrl ?? cfg.endpointUrl) || undefined;
  if (endpointUrl !== undefined) checkEndpoint(endpointUrl);
  const fromOptions = opts.accessKeyId !== undefined || opts.secretAccessKey !== undefined;
  const where = fromOptions ? "the S3 options" : "[s3]";
  const id = fromOptions ? (opts.accessKeyId ?? "") : cfg.accessKeyId;
  const secret = fromOptions ? (opts.secretAccessKey ?? "") : cfg.secretAccessKey;
  const token = fromOptions ? (opts.sessionToken ?? "") : cfg.sessionToken;
  if ((id === "") !== (secret === "")) {
    const [given, missing] =
      id === "" ? ["a secret access key", "access key id"] : ["an access key id", "secret access key"];
    throw new ConfigError(`${where} give ${given} without its ${missing}: set both, or neither`, {
      section: "s3",
      key: id === "" ? "access_key_id" : "secret_access_key",
    });
  }
  let region = (opts.region ?? cfg.region) || undefined;
  // An S3-compatible store takes the region only as a signing label; the SDK refuses to sign without one.
  if (region === undefined && endpointUrl !== undefined && !process.env["AWS_REGION"]) region = "us-east-1";
  return {
    endpointUrl,
    region,
    credentials:
      id === ""
        ? undefined
        : { accessKeyId: id, secretAccessKey: secret, ...(token === "" ? {} : { sessionToken: token }) },
    forcePathStyle: opts.forcePathStyle ?? cfg.forcePathStyle,
  };
}

function checkEndpoint(url: string): void {
  let protocol = "";
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new ConfigError(`S3 endpoint URL ${maskUrl(url)}: expected an http:// or https:// URL`, {
      section: "s3",
      key: "endpoint_url",
    });
  }
}

/** "S3 at http://127.0.0.1:9000" or "S3 (the AWS SDK's endpoint)": what messages name, never a secret. */
export function shownS3(settings: S3Settings): string {
  return settings.endpointUrl === undefined
    ? "S3 (the AWS SDK's endpoint)"
    : `S3 at ${maskUrl(settings.endpointUrl)}`;
}

const clients = new Map<string, S3.S3Client>();

/** The shared client for `settings` (the key holds the secret, in this process's memory only). */
export function clientFor(sdk: S3Sdk, settings: S3Settings): S3.S3Client {
  const id = JSON.stringify(settings);
  let client = clients.get(id);
  if (client === undefined) {
    client = new sdk.S3Client({
      ...(settings.endpointUrl === undefined ? {} : { endpoint: settings.endpointUrl }),
      ...(settings.region === undefined ? {} : { region: settings.region }),
      ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
      forcePathStyle: settings.forcePathStyle,
    });
    clients.set(id, client);
  }
  return client;
}

/** The HTTP status of an SDK error, when the service answered. */
export function statusOf(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof meta?.httpStatusCode === "number" ? meta.httpStatusCode : undefined;
}

export function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : "Error";
}

/** A missing object (or bucket): HEAD answers 404 without a body, GET NoSuchKey. */
export function isNotFound(err: unknown): boolean {
  const name = nameOf(err);
  return name === "NotFound" || name === "NoSuchKey" || (statusOf(err) === 404 && name !== "NoSuchBucket");
}

/**
 * A failure as a TargetError naming the store, the action and the path. Its cause is a plain Error with
 * the SDK error's name and message only: the SDK's error carries the request and response, which
 * nothing should log.
 */
export function s3Error(
  err: unknown,
  settings: S3Settings,
  action: string,
  path: string,
  code: ErrorCode = ErrorCode.TARGET_IO,
): LuigiError {
  if (err instanceof LuigiError) return err;
  const name = nameOf(err);
  let reason = err instanceof Error ? err.message : String(err);
  if (reason === "" || reason === "UnknownError") reason = `HTTP ${statusOf(err) ?? "error"}`;
  if (/region is missing/i.test(reason)) reason += " (set [s3] region, or AWS_REGION)";
  const status = statusOf(err);
  const cause = new Error(`${name}: ${reason}`);
  return new TargetError(code, `${shownS3(settings)}: cannot ${action} ${path}: ${reason}`, {
    cause,
    details: {
      store: "s3",
      action,
      path,
      endpoint: settings.endpointUrl === undefined ? undefined : maskUrl(settings.endpointUrl),
      error: name,
      ...(status === undefined ? {} : { status }),
    },
  });
}

/** Closes every client of luigi-ts/s3 (their keep-alive sockets); the next use opens new ones. */
export function closeS3Connections(): void {
  const all = [...clients.values()];
  clients.clear();
  for (const client of all) client.destroy();
}
