// check_claims is soft state of the active luigid: never journaled, and a standby refuses it with
// STANDBY (so that a worker's client follows to the active one) instead of answering from its copy.
// Against the real PostgreSQL of LUIGI_TEST_POSTGRES_URL (skipped without it).
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors.js";
import { silentLogger } from "../../src/log/logger.js";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { PgStateStore } from "../../src/scheduler/persistence/pg-store.js";
import { adminQuery, dropAll, freshSchema, PG_URL } from "../helpers/pg-schema.js";

const W = "Worker(salt=1, workers=1, host=h, username=u, pid=1)";
const opened: DurableScheduler[] = [];

async function openOn(url: string, name: string): Promise<DurableScheduler> {
  const { store, stored } = await PgStateStore.connect({ url, logger: silentLogger(), interval: 0.2 });
  const durable = DurableScheduler.fromStore({ logger: silentLogger() }, store, stored, "standby");
  store.advertise(`http://${name}:8082`);
  durable.start();
  opened.push(durable);
  return durable;
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  for (const d of opened) await d.shutdown().catch(() => undefined);
  await dropAll();
});

describe.skipIf(PG_URL === "")("check_claims on luigids sharing a state_url", () => {
  it("the active one answers without journaling; a standby refuses with STANDBY naming the active one", async () => {
    const { schema, url } = await freshSchema("luigid_claims");
    const a = await openOn(url, "a");
    await until(() => a.role === "active");
    const b = await openOn(url, "b");
    await new Promise((r) => setTimeout(r, 300));
    expect(b.role).toBe("standby");
    await a.api.addTask({ worker: W, task_id: "Done", status: "DONE" });
    expect((await a.api.checkClaims({ worker: W, task_ids: ["Done", "New"] })).verdicts).toEqual([
      "done",
      "yours",
    ]);
    const rows = await adminQuery<{ method: string }>(
      `SELECT method FROM "${schema}".luigid_state_journal ORDER BY seq`,
    );
    expect(rows.map((r) => r.method)).toEqual(["addTask"]);
    await until(() => b.core.stepCount === 1);
    expect(() => b.api.checkClaims({ worker: W, task_ids: ["New"] })).toThrow(
      expect.objectContaining({ code: ErrorCode.STANDBY, details: { active: "http://a:8082" } }) as Error,
    );
  });
});
