import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";

/*
 * The settings of the stores' sub-path exports (`luigi-ts/postgres`, ...): where to connect and what the
 * marker is called. Config only (no flags): a URL often carries a password, and a flag would show it in
 * `ps`. The URLs are never logged; messages show them with the password masked.
 */

/** A store's connection URL ("" = the client library's own defaults) and marker name. */
export interface StoreConfig {
  url: string;
  marker: string;
}

export const POSTGRES_SECTION = defineSection({
  name: "postgres",
  flags: "none",
  help: "luigi-ts/postgres: where PostgresTarget, CopyToTable and PostgresQuery connect",
  keys: {
    url: key.string(
      "",
      "postgresql://user:password@host:5432/db?sslmode=require; unset: libpq's PG* environment variables; never logged",
      { shown: "PGHOST, PGUSER, ... as libpq" },
    ),
    marker_table: key.string("table_updates", "the table of markers (Luigi's marker-table)"),
  },
});

export function postgresConfig(cfg: LuigiConfig): StoreConfig {
  const v = readSection(cfg, POSTGRES_SECTION);
  return { url: v.url.trim(), marker: v.marker_table.trim() || "table_updates" };
}

export const MYSQL_SECTION = defineSection({
  name: "mysql",
  flags: "none",
  help: "luigi-ts/mysql: where MySqlTarget, CopyToTable and MySqlQuery connect (MariaDB too)",
  keys: {
    url: key.string(
      "",
      "mysql://user:password@host:3306/db; unset: MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_PWD as the mysql client; never logged",
      { shown: "MYSQL_HOST, ... as the mysql client" },
    ),
    marker_table: key.string("table_updates", "the table of markers (Luigi's marker-table)"),
  },
});

export function mysqlConfig(cfg: LuigiConfig): StoreConfig {
  const v = readSection(cfg, MYSQL_SECTION);
  return { url: v.url.trim(), marker: v.marker_table.trim() || "table_updates" };
}

export const REDIS_SECTION = defineSection({
  name: "redis",
  flags: "none",
  help: "luigi-ts/redis: where RedisTarget connects, and its keys' prefix",
  keys: {
    url: key.string(
      "",
      "redis://user:password@host:6379/0 (rediss:// for TLS); unset: REDIS_URL, else redis://localhost:6379; never logged",
      { shown: "REDIS_URL, else redis://localhost:6379" },
    ),
    marker_prefix: key.string("luigi", "marker keys are <prefix>:<update id> (Luigi's marker-prefix)"),
  },
});

export function redisConfig(cfg: LuigiConfig): StoreConfig {
  const v = readSection(cfg, REDIS_SECTION);
  return { url: v.url.trim(), marker: v.marker_prefix.trim() || "luigi" };
}

export const S3_SECTION = defineSection({
  name: "s3",
  flags: "none",
  help: "luigi-ts/s3: the S3 service (or S3-compatible store) of S3Target, S3FlagTarget and S3FileSystem",
  keys: {
    endpoint_url: key.string(
      "",
      "http://127.0.0.1:9000 for an S3-compatible store; unset: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS's own",
      { shown: "the AWS SDK's (AWS_ENDPOINT_URL_S3, ...)" },
    ),
    region: key.string("", "us-east-1, ...; unset: AWS_REGION, the AWS profile's region", {
      shown: "the AWS SDK's (AWS_REGION, profile)",
    }),
    access_key_id: key.string(
      "",
      "with secret_access_key; unset: the AWS SDK's chain (AWS_ACCESS_KEY_ID, profile, instance role); never logged",
      { shown: "the AWS SDK's chain" },
    ),
    secret_access_key: key.string("", "with access_key_id; never logged", { shown: "the AWS SDK's chain" }),
    session_token: key.string("", "for temporary credentials, with the two keys above; never logged"),
    force_path_style: key.bool(
      false,
      "http://host/bucket/key instead of http://bucket.host/key, as most S3-compatible stores want",
    ),
  },
});

/** `[s3]` as luigi-ts/s3 reads it: "" for what is left to the AWS SDK. */
export interface S3Config {
  endpointUrl: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  forcePathStyle: boolean;
}

export function s3Config(cfg: LuigiConfig): S3Config {
  const v = readSection(cfg, S3_SECTION);
  return {
    endpointUrl: v.endpoint_url.trim(),
    region: v.region.trim(),
    accessKeyId: v.access_key_id.trim(),
    secretAccessKey: v.secret_access_key.trim(),
    sessionToken: v.session_token.trim(),
    forcePathStyle: v.force_path_style,
  };
}
