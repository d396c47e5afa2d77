// A schema of its own for a test file's use of the PostgreSQL of LUIGI_TEST_POSTGRES_URL, so that suites
// running at once do not share tables, advisory locks or NOTIFY channels. Dropped by dropAll().
import pg from "pg";

export const PG_URL = process.env.LUIGI_TEST_POSTGRES_URL ?? "";

/** Why a suite is skipped without PostgreSQL. */
export const PG_SKIP_REASON =
  "LUIGI_TEST_POSTGRES_URL is not set: the PostgreSQL state tests need a real server";

const made: string[] = [];

/** Creates a fresh schema; answers its name and a URL whose connections use it (search_path). */
export async function freshSchema(prefix: string): Promise<{ schema: string; url: string }> {
  const schema = `${prefix}_${process.pid}_${Date.now().toString(36)}_${made.length}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  made.push(schema);
  const sep = PG_URL.includes("?") ? "&" : "?";
  return { schema, url: `${PG_URL}${sep}options=-csearch_path=${schema}` };
}

/** One query as the admin connection (outside the schema unless it is named). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    return (await admin.query<R>(text, values)).rows;
  } finally {
    await admin.end();
  }
}

export async function dropAll(): Promise<void> {
  if (PG_URL === "") return;
  for (const schema of made.splice(0)) await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
