/** Configuration: Luigi's luigi.cfg / luigi.toml files, their search order, and the typed sections. */
export { LuigiConfig, type ConfigFormat } from "./config.js";
export type { Env } from "./entry.js";
export { loadConfig, type LoadConfigOptions } from "./load.js";
export { MAX_INTERPOLATION_DEPTH } from "./interpolate.js";
export { coreConfig, type CoreConfig, type LogLevel } from "./core.js";
export { workerConfig, type WorkerConfig } from "./worker.js";
export { pruneIntervalConfig, schedulerConfig, tlsFilesConfig, type TlsFilesConfig } from "./scheduler.js";
export { authConfig, AUTH_SECTION, type AuthConfig } from "./auth.js";
export {
  emailConfig,
  smtpConfig,
  SUPPORTED_EMAIL_METHODS,
  EMAIL_SECTION,
  SMTP_SECTION,
  type EmailConfig,
  type EmailFormat,
  type EmailMethod,
  type SmtpConfig,
} from "./email.js";
export {
  batchEmailConfig,
  BATCH_EMAIL_SECTION,
  type BatchEmailConfig,
  type BatchMode,
} from "./batch-email.js";
export {
  webhookConfig,
  WEBHOOK_EVENTS,
  WEBHOOK_SECTION,
  type WebhookConfig,
  type WebhookEvent,
} from "./webhook.js";
export { upstreamFamilyConfig, UPSTREAM_SECTION } from "./upstream.js";
export {
  mysqlConfig,
  MYSQL_SECTION,
  postgresConfig,
  POSTGRES_SECTION,
  redisConfig,
  REDIS_SECTION,
  s3Config,
  S3_SECTION,
  type S3Config,
  type StoreConfig,
} from "./stores.js";
export { stepHistoryConfig, DEFAULT_HISTORY_FILE, type StepHistoryConfig } from "./history.js";
export { retcodeConfig, DEFAULT_RETCODES, type RetcodeConfig } from "./retcode.js";
export { stepDefaults } from "./step.js";
export { commaList, toBool, toDuration, toFloat, toInt, type ValueSource } from "./values.js";
export { executionSummaryConfig, type ExecutionSummaryConfig } from "./execution-summary.js";
export type { FlagStyle, KeyKind, KeySpec, LegacyKey, SectionDef } from "./keys.js";
export { LUIGI_ONLY_KEYS, LUIGI_ONLY_SECTIONS, OPEN_SECTIONS, SETTINGS_SECTIONS } from "./sections.js";
