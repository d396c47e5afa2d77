/**
 * luigi-ts/postgres: PostgreSQL targets and steps (Luigi's luigi.contrib.postgres), on node-postgres
 * (`pg`, plus `pg-copy-streams` for CopyToTable), optional peer dependencies loaded on first use.
 * Connections: a target's or step's URL, else `[postgres] url`, else libpq's PG* environment variables.
 */
export { PostgresTarget, type PostgresTargetOptions } from "./target.js";
export { PostgresStep } from "./step.js";
export { CopyToTable } from "./copy-to-table.js";
export { PostgresQuery } from "./query.js";
export { closePostgresConnections } from "./close.js";
export type { PostgresClient } from "./hook-client.js";
export type { Column, Row } from "../shared/columns.js";
