import { endPools } from "./client.js";

/**
 * Closes every pool of luigi-ts/postgres (tests, or a program that wants to exit at once). In a file of
 * its own so that the public declarations do not reach client.ts, whose declarations name pg's types.
 */
export function closePostgresConnections(): Promise<void> {
  return endPools();
}
