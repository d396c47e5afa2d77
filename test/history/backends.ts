// The databases the history suite runs against: SQLite always, PostgreSQL and MariaDB/MySQL when
// LUIGI_TEST_POSTGRES_URL / LUIGI_TEST_MYSQL_URL are set. Each test file gets its own database
// (created here, dropped at the end), so files running at once never see each other's rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";

export interface Backend {
  name: "sqlite" | "postgres" | "mysql";
  /** Set when the backend can run here; the suite is skipped (and reported so) otherwise. */
  available: boolean;
  /** A fresh, empty database and its db_connection URL. */
  create(): Promise<{ url: string; drop: () => Promise<void> }>;
}

const unique = (): string =>
  `luigi_hist_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

function withDatabase(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    available: true,
    async create() {
      const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-history-"));
      return {
        url: `sqlite:///${path.join(dir, "history.db")}`,
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "postgres",
    available: Boolean(process.env.LUIGI_TEST_POSTGRES_URL),
    async create() {
      const base = process.env.LUIGI_TEST_POSTGRES_URL as string;
      const name = unique();
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return {
        url: withDatabase(base, name),
        drop: async () => {
          const c = new pg.Client({ connectionString: base });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  },
  {
    name: "mysql",
    available: Boolean(process.env.LUIGI_TEST_MYSQL_URL),
    async create() {
      const base = process.env.LUIGI_TEST_MYSQL_URL as string;
      const name = unique();
      const admin = await mysql.createConnection(base);
      await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
      await admin.end();
      return {
        url: withDatabase(base, name),
        drop: async () => {
          const c = await mysql.createConnection(base);
          await c.query(`DROP DATABASE IF EXISTS ${name}`);
          await c.end();
        },
      };
    },
  },
];
