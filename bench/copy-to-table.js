// Rows per second loaded by CopyToTable into PostgreSQL and MySQL/MariaDB (1 M rows by default), against
// the plain way of loading the same rows with the same client in the same run: one COPY FROM STDIN of
// the rows as tab-separated text (pg-copy-streams), and for MySQL LOAD DATA LOCAL INFILE from a stream
// and multi-row INSERTs of 10,000 rows (mysql2). Every load is one transaction into a fresh table;
// each round runs every case, the order turned each round; prints medians of ROUNDS (3), then a JSON
// line. The servers come from LUIGI_TEST_POSTGRES_URL / LUIGI_TEST_MYSQL_URL; a store without its
// variable is skipped. Usage: npm run build && flock /tmp/bench.lock node bench/copy-to-table.js [rows]
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import mysql from "mysql2/promise";
import pg from "pg";
import copyStreams from "pg-copy-streams";
import { LuigiConfig, param, setActiveConfig } from "luigi-ts";
import { closeMySqlConnections, CopyToTable as MyCopy } from "luigi-ts/mysql";
import { closePostgresConnections, CopyToTable as PgCopy } from "luigi-ts/postgres";

const ROWS = Number(process.argv[2] ?? "1000000");
const rounds = Number(process.env.BENCH_ROUNDS ?? "3");
const PG_URL = process.env.LUIGI_TEST_POSTGRES_URL ?? "";
const MY_URL = process.env.LUIGI_TEST_MYSQL_URL ?? "";
const SCHEMA = `luigi_bench_${process.pid}`;
setActiveConfig(LuigiConfig.fromString("", "cfg"));

const DAY = new Date("2026-11-20");
/** The same rows for every case: an id, a day, a shop name and an amount. */
function* rows() {
  for (let i = 0; i < ROWS; i++) yield [i, DAY, `shop-${i % 997}`, (i * 7919) % 100_000];
}
/** The plain loads' text: the rows as tab-separated lines, 10,000 to a chunk. */
function* tsvChunks() {
  let chunk = "";
  let n = 0;
  for (const [id, , shop, amount] of rows()) {
    chunk += `${id}\t2026-11-20\t${shop}\t${amount}\n`;
    if (++n % 10_000 === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}
const COLUMNS = [
  ["id", "INTEGER"],
  ["day", "DATE"],
  ["shop", "VARCHAR(32)"],
  ["amount", "INTEGER"],
];
const DDL = COLUMNS.map(([n, t]) => `${n} ${t}`).join(", ");
let round = 0;

async function timed(fn) {
  const began = performance.now();
  await fn();
  return (performance.now() - began) / 1000;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function postgresCases() {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  class Load extends PgCopy.with({ round: param.int() }) {
    table = `${SCHEMA}.step_load`;
    connectionUrl = PG_URL;
    markerTable = `${SCHEMA}.table_updates`;
    columns = COLUMNS;
    rows() {
      return rows();
    }
  }
  const fresh = async (table) => {
    await admin.query(`DROP TABLE IF EXISTS ${SCHEMA}.${table}`);
    await admin.query(`CREATE TABLE ${SCHEMA}.${table} (${DDL})`);
  };
  const count = async (table) =>
    Number((await admin.query(`SELECT count(*) AS n FROM ${SCHEMA}.${table}`)).rows[0].n);
  const cases = {
    CopyToTable: async () => {
      await fresh("step_load");
      const seconds = await timed(() => new Load({ round: round++ }).run());
      if ((await count("step_load")) !== ROWS) throw new Error("CopyToTable lost rows");
      return seconds;
    },
    "plain COPY": async () => {
      await fresh("plain_copy");
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      const seconds = await timed(async () => {
        await client.query("BEGIN");
        const sink = client.query(
          copyStreams.from(`COPY ${SCHEMA}.plain_copy (id, day, shop, amount) FROM STDIN`),
        );
        await pipeline(Readable.from(tsvChunks()), sink);
        await client.query("COMMIT");
      });
      await client.end();
      if ((await count("plain_copy")) !== ROWS) throw new Error("plain COPY lost rows");
      return seconds;
    },
  };
  return {
    cases,
    done: async () => {
      await closePostgresConnections();
      await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.end();
    },
  };
}

async function mysqlCases() {
  const admin = await mysql.createConnection({ uri: MY_URL });
  await admin.query(`DROP DATABASE IF EXISTS ${SCHEMA}`);
  await admin.query(`CREATE DATABASE ${SCHEMA}`);
  class Load extends MyCopy.with({ round: param.int() }) {
    table = `${SCHEMA}.step_load`;
    connectionUrl = MY_URL;
    markerTable = `${SCHEMA}.table_updates`;
    columns = COLUMNS;
    rows() {
      return rows();
    }
  }
  const fresh = async (table) => {
    await admin.query(`DROP TABLE IF EXISTS ${SCHEMA}.${table}`);
    await admin.query(`CREATE TABLE ${SCHEMA}.${table} (${DDL}) ENGINE=InnoDB`);
  };
  const count = async (table) => {
    const [r] = await admin.query(`SELECT count(*) AS n FROM ${SCHEMA}.${table}`);
    return Number(r[0].n);
  };
  const plain = async (table, load) => {
    await fresh(table);
    const conn = await mysql.createConnection({
      uri: MY_URL,
      timezone: "Z",
      infileStreamFactory: () => Readable.from(tsvChunks(), { objectMode: false }).map((s) => Buffer.from(s)),
    });
    const seconds = await timed(async () => {
      await conn.beginTransaction();
      await load(conn);
      await conn.commit();
    });
    await conn.end();
    if ((await count(table)) !== ROWS) throw new Error(`${table} lost rows`);
    return seconds;
  };
  const cases = {
    CopyToTable: async () => {
      await fresh("step_load");
      const seconds = await timed(() => new Load({ round: round++ }).run());
      if ((await count("step_load")) !== ROWS) throw new Error("CopyToTable lost rows");
      return seconds;
    },
    "plain LOAD DATA": () =>
      plain("load_data", (conn) =>
        conn.query(
          `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE ${SCHEMA}.load_data (id, day, shop, amount)`,
        ),
      ),
    "plain INSERTs": () =>
      plain("inserts", async (conn) => {
        let batch = [];
        for (const row of rows()) {
          batch.push(row);
          if (batch.length === 10_000) {
            await conn.query(`INSERT INTO ${SCHEMA}.inserts (id, day, shop, amount) VALUES ?`, [batch]);
            batch = [];
          }
        }
        if (batch.length > 0)
          await conn.query(`INSERT INTO ${SCHEMA}.inserts (id, day, shop, amount) VALUES ?`, [batch]);
      }),
  };
  return {
    cases,
    done: async () => {
      await closeMySqlConnections();
      await admin.query(`DROP DATABASE IF EXISTS ${SCHEMA}`);
      await admin.end();
    },
  };
}

const result = { rows: ROWS, rounds };
for (const [store, url, make, baseline] of [
  ["PostgreSQL", PG_URL, postgresCases, "plain COPY"],
  ["MySQL", MY_URL, mysqlCases, "plain LOAD DATA"],
]) {
  if (url === "") {
    console.log(
      `${store}: skipped (no ${store === "MySQL" ? "LUIGI_TEST_MYSQL_URL" : "LUIGI_TEST_POSTGRES_URL"})`,
    );
    continue;
  }
  const { cases, done } = await make();
  const names = Object.keys(cases);
  const seconds = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) seconds[name].push(await cases[name]());
  }
  await done();
  const perSecond = Object.fromEntries(names.map((n) => [n, ROWS / median(seconds[n])]));
  console.log(`${store}: ${ROWS.toLocaleString("en-US")} rows, one transaction each, median of ${rounds}:`);
  for (const name of names) {
    const ratio = perSecond[name] / perSecond[baseline];
    console.log(
      `  ${name.padEnd(16)} ${median(seconds[name]).toFixed(2).padStart(6)} s ${Math.round(perSecond[name]).toLocaleString("en-US").padStart(10)} rows/s   ${ratio.toFixed(2)} x ${baseline}`,
    );
  }
  result[store === "MySQL" ? "mysql" : "postgres"] = Object.fromEntries(
    names.map((n) => [
      n,
      { seconds: Number(median(seconds[n]).toFixed(3)), rowsPerSecond: Math.round(perSecond[n]) },
    ]),
  );
}
console.log(JSON.stringify(result));
