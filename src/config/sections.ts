import { CORE_SECTION } from "./core.js";
import { DEFAULT_SECTION } from "./entry.js";
import { EXECUTION_SUMMARY_SECTION } from "./execution-summary.js";
import { STEP_HISTORY_SECTION } from "./history.js";
import { AUTH_SECTION } from "./auth.js";
import { BATCH_EMAIL_SECTION } from "./batch-email.js";
import { EMAIL_SECTION, SMTP_SECTION } from "./email.js";
import type { SectionDef } from "./keys.js";
import { RETCODE_SECTION } from "./retcode.js";
import { SCHEDULER_SECTION } from "./scheduler.js";
import { MYSQL_SECTION, POSTGRES_SECTION, REDIS_SECTION, S3_SECTION } from "./stores.js";
import { UPSTREAM_SECTION } from "./upstream.js";
import { WEBHOOK_SECTION } from "./webhook.js";
import { WORKER_SECTION } from "./worker.js";

/** Every settings section luigi-ts reads, in the order `luigi --help-all` shows them. */
export const SETTINGS_SECTIONS: readonly SectionDef[] = [
  CORE_SECTION,
  WORKER_SECTION,
  SCHEDULER_SECTION,
  RETCODE_SECTION,
  EXECUTION_SUMMARY_SECTION,
  STEP_HISTORY_SECTION,
  AUTH_SECTION,
  EMAIL_SECTION,
  SMTP_SECTION,
  BATCH_EMAIL_SECTION,
  WEBHOOK_SECTION,
  UPSTREAM_SECTION,
  POSTGRES_SECTION,
  MYSQL_SECTION,
  REDIS_SECTION,
  S3_SECTION,
];

/** Sections whose keys are the user's to name: `[resources]` capacities, and INI's `[DEFAULT]`. */
export const OPEN_SECTIONS: ReadonlySet<string> = new Set(["resources", DEFAULT_SECTION]);

/**
 * What Luigi reads and luigi-ts does not (yet): whole sections (SendGrid, CORS, the TOML logging
 * config, the contrib modules' settings), and single keys of sections luigi-ts does read. A
 * configuration written for Luigi that sets them gets one "not used by luigi-ts" notice each, instead
 * of a "did you mean" warning. Facts about Luigi, from its Config classes and configuration reads.
 */
export const LUIGI_ONLY_SECTIONS: ReadonlySet<string> = new Set([
  "sendgrid",
  "cors",
  "logging",
  // luigi.contrib
  "bigquery",
  "datadog",
  "elasticsearch",
  "hadoop",
  "hadoopcli",
  "hdfs",
  "hive",
  "kubernetes",
  "OpenPai",
  "pig",
  "presto",
  "prometheus",
  "redshift",
  "salesforce",
  "scalding",
  "spark",
  "webhdfs",
]);

export const LUIGI_ONLY_KEYS: Readonly<Record<string, readonly string[]>> = {
  core: ["logging_conf_file", "history-filename", "tmp-dir", "hdfs-tmp-dir", "retry-external-tasks"],
  worker: ["task_process_context"],
  scheduler: ["metrics_custom_import"],
  // CopyToTable streams its rows to COPY: there is no local temporary file to place.
  postgres: ["local-tmp-dir"],
};
