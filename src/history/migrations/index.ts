import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { HistoryError } from "../../errors.js";
import type { HistoryDialect } from "../dialects/types.js";
import { initial } from "./0001_initial.js";
import { decodeErrorText } from "./0002_decode_error_text.js";
import { eventActor } from "./0003_event_actor.js";
import { stepLogs } from "./0004_step_logs.js";

/** Every migration in order. Append only: a released migration never changes. */
function allMigrations(dialect: HistoryDialect["name"]): Record<string, Migration> {
  return {
    "0001_initial": initial(dialect),
    "0002_decode_error_text": decodeErrorText,
    "0003_event_actor": eventActor,
    "0004_step_logs": stepLogs(dialect),
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: HistoryDialect["name"]) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return allMigrations(this.dialect);
  }
}

/**
 * Brings the schema up to date; returns the names of the migrations applied now (none when it already
 * was). Kysely's Migrator keeps its own tables and lock, so two luigids starting at once are safe.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: HistoryDialect["name"],
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new HistoryError("the step history's schema migration failed", { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
