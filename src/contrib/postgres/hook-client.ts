/**
 * What hooks (`initCopy`, `postCopy`, `createTable`) and `PostgresTarget.touch` get: a connection
 * inside the load's transaction. luigi-ts's own type, so that the public declarations never name
 * node-postgres's types (which live in @types/pg, a package a user need not have).
 */
export interface PostgresClient {
  query(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}
