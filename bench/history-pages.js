// History pages at scale: fills a fresh history database with synthetic runs (3 events each, so about
// EVENTS event rows; 2 parameters per run; 100 families; spread over 30 days up to now), starts luigid
// on it, and times each page over HTTP (median of several requests, after a warm-up).
// Prints one JSON line. Usage: node bench/history-pages.js sqlite|postgres [EVENTS]
// postgres needs LUIGI_TEST_POSTGRES_URL (a database is created for the run and dropped after).
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { median, ROOT, startLuigid, tempDir } from "./lib.js";

const [backend = "sqlite", eventsText = "1000000"] = process.argv.slice(2);
const runs = Math.ceil(Number(eventsText) / 3);
const now = Date.now();
const spread = (30 * 86_400_000) / runs;
const dir = tempDir();

const { StepHistory } = await import(path.join(ROOT, "dist/history/service.js"));
const { silentLogger } = await import(path.join(ROOT, "dist/log/logger.js"));

/** Creates the schema the way luigid does (Kysely migrations). */
async function migrate(url) {
  const history = new StepHistory({ url, logger: silentLogger() });
  history.start();
  await history.writer.flush();
  await history.close();
}

// Shared shapes of the generated rows, as SQL over a sequence n = 1..runs.
const STARTED = `(${now} - (${runs} - n) * ${spread.toFixed(3)})`;

async function loadSqlite() {
  const file = path.join(dir, "history.db");
  const url = `sqlite:///${file}`;
  await migrate(url);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${runs})`;
  db.transaction(() => {
    db.exec(`${seq}
      INSERT INTO steps (id, step_id, family, status, host, worker, started_at, running_at, finished_at, updated_at, error)
      SELECT n, 'Family' || (n % 100) || '_' || n || '_' || substr(hex(n * 2654435761), 1, 10), 'Family' || (n % 100),
        CASE WHEN n % 50 = 0 THEN 'FAILED' ELSE 'DONE' END, 'host-' || (n % 8), 'Worker(salt=' || (n % 8) || ')',
        CAST(${STARTED} AS INTEGER), CAST(${STARTED} AS INTEGER) + 1000, CAST(${STARTED} AS INTEGER) + 5000 + (n % 100) * 10,
        CAST(${STARTED} AS INTEGER) + 5000 + (n % 100) * 10, CASE WHEN n % 50 = 0 THEN 'Traceback: ValueError' END
      FROM seq`);
    db.exec(
      `INSERT INTO step_events (run_id, event, ts, worker) SELECT id, 'PENDING', started_at, worker FROM steps`,
    );
    db.exec(
      `INSERT INTO step_events (run_id, event, ts, host, worker) SELECT id, 'RUNNING', running_at, host, worker FROM steps`,
    );
    db.exec(
      `INSERT INTO step_events (run_id, event, ts, host, worker, message) SELECT id, status, finished_at, host, worker, error FROM steps`,
    );
    db.exec(`INSERT INTO step_parameters (run_id, name, value, value_key)
      SELECT id, 'day', date(started_at / 1000, 'unixepoch'), date(started_at / 1000, 'unixepoch') FROM steps`);
    db.exec(
      `INSERT INTO step_parameters (run_id, name, value, value_key) SELECT id, 'part', id % 1000, id % 1000 FROM steps`,
    );
  })();
  db.close();
  return { url, drop: async () => undefined };
}

async function loadPostgres() {
  const base = process.env.LUIGI_TEST_POSTGRES_URL;
  if (!base) throw new Error("LUIGI_TEST_POSTGRES_URL is not set");
  const name = `luigi_hist_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query("BEGIN");
  await c.query(`INSERT INTO steps (id, step_id, family, status, host, worker, started_at, running_at, finished_at, updated_at, error)
    SELECT n, 'Family' || (n % 100) || '_' || n || '_' || substr(md5(n::text), 1, 10), 'Family' || (n % 100),
      CASE WHEN n % 50 = 0 THEN 'FAILED' ELSE 'DONE' END, 'host-' || (n % 8), 'Worker(salt=' || (n % 8) || ')',
      ${STARTED}::bigint, ${STARTED}::bigint + 1000, ${STARTED}::bigint + 5000 + (n % 100) * 10,
      ${STARTED}::bigint + 5000 + (n % 100) * 10, CASE WHEN n % 50 = 0 THEN 'Traceback: ValueError' END
    FROM generate_series(1, ${runs}) AS n`);
  await c.query(
    `INSERT INTO step_events (run_id, event, ts, worker) SELECT id, 'PENDING', started_at, worker FROM steps`,
  );
  await c.query(
    `INSERT INTO step_events (run_id, event, ts, host, worker) SELECT id, 'RUNNING', running_at, host, worker FROM steps`,
  );
  await c.query(
    `INSERT INTO step_events (run_id, event, ts, host, worker, message) SELECT id, status, finished_at, host, worker, error FROM steps`,
  );
  const day = `to_char(to_timestamp(started_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
  await c.query(
    `INSERT INTO step_parameters (run_id, name, value, value_key) SELECT id, 'day', ${day}, ${day} FROM steps`,
  );
  await c.query(
    `INSERT INTO step_parameters (run_id, name, value, value_key) SELECT id, 'part', (id % 1000)::text, (id % 1000)::text FROM steps`,
  );
  await c.query(`SELECT setval('steps_id_seq', (SELECT max(id) FROM steps))`);
  await c.query("COMMIT");
  // What autovacuum does on a live database; a freshly bulk-loaded one has no statistics yet.
  await c.query("ANALYZE");
  await c.end();
  return {
    url,
    drop: async () => {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

const loadStarted = performance.now();
const db = backend === "postgres" ? await loadPostgres() : await loadSqlite();
const loadSeconds = (performance.now() - loadStarted) / 1000;

const daemon = await startLuigid(path.join(dir, "state.json"), {
  config: `[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = ${db.url}\n`,
});
const mid = Math.floor(runs / 2);
const sample = await (
  await fetch(`${daemon.url}/history/by_id/${mid}`, { headers: { accept: "application/json" } })
).json();
const midDay = new Date(sample.startedAt).toISOString().slice(0, 10);
const pages = {
  "/history": "/history",
  "/history/by_id/{id}": `/history/by_id/${mid}`,
  "/history/by_name/{name}": `/history/by_name/${sample.family}`,
  "/history/by_name/{name}?page=20": `/history/by_name/${sample.family}?page=20`,
  "/history/by_params/{name}?data=": `/history/by_params/${sample.family}?data=${encodeURIComponent(JSON.stringify({ day: midDay }))}`,
  "/history/by_task_id/{id}": `/history/by_task_id/${encodeURIComponent(sample.stepId)}`,
};
const millis = {};
const rows = {};
for (const [label, url] of Object.entries(pages)) {
  const times = [];
  for (let k = 0; k < 9; k++) {
    const t = performance.now();
    const res = await fetch(`${daemon.url}${url}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    if (k >= 2) times.push(performance.now() - t);
    rows[label] = (text.match(/<tr>/g) ?? []).length;
  }
  millis[label] = median(times);
}
await daemon.stop("SIGTERM");
await db.drop();
console.log(JSON.stringify({ backend, runs, events: runs * 3, loadSeconds, millis, rows }));
