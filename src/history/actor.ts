/**
 * Who asked for a change, for the step history: luigid runs an operator's call (mark as done, forgive,
 * re-enable) inside `runAsActor`, and the recorder, called synchronously by the scheduler during that
 * call, stamps the step's event with it. Carried by AsyncLocalStorage so that neither the scheduler's
 * API nor its pure core learns about callers; a worker's calls never enter it (nothing to pay there).
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface ChangeActor {
  /** The user's name; null when luigid authenticates nobody. */
  readonly user: string | null;
  readonly role: string | null;
  /** The client's address. */
  readonly address: string;
}

const current = new AsyncLocalStorage<ChangeActor>();

export function runAsActor<T>(actor: ChangeActor, fn: () => T): T {
  return current.run(actor, fn);
}

export function currentActor(): ChangeActor | undefined {
  return current.getStore();
}

/** "alice (operator) from 10.0.0.7", or "from 10.0.0.7" without authentication. */
export function describeActor(actor: ChangeActor): string {
  const who = actor.user === null ? "" : `${actor.user}${actor.role === null ? "" : ` (${actor.role})`} `;
  return `${who}from ${actor.address}`;
}
