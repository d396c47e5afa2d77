/**
 * luigi-ts/mysql: MySQL and MariaDB targets and steps (Luigi's luigi.contrib.mysqldb), on `mysql2`, an
 * optional peer dependency loaded on first use. Connections: a target's or step's URL, else
 * `[mysql] url`, else the mysql client's MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_PWD and USER.
 */
export { MySqlTarget, type MySqlTargetOptions } from "./target.js";
export { MySqlStep } from "./step.js";
export { CopyToTable } from "./copy-to-table.js";
export { MySqlQuery } from "./query.js";
export { closeMySqlConnections, type MySqlClient } from "./client.js";
export type { Column, Row } from "../shared/columns.js";
