// DurableScheduler on PgStateStore against the real PostgreSQL of LUIGI_TEST_POSTGRES_URL (skipped
// without it): group commit, following, takeover and fencing. Every test has a schema of its own.
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCode, LuigiError } from "../../src/errors.js";
import { silentLogger } from "../../src/log/logger.js";
import { DurableScheduler } from "../../src/scheduler/persistence/durable.js";
import { PgStateStore } from "../../src/scheduler/persistence/pg-store.js";
import { adminQuery, dropAll, freshSchema, PG_SKIP_REASON, PG_URL } from "../helpers/pg-schema.js";

const W = "Worker(salt=1, workers=1, host=h, username=u, pid=1)";

interface Opened {
  store: PgStateStore;
  durable: DurableScheduler;
}

const opened: Opened[] = [];

async function openOn(
  url: string,
  name: string,
  compactEvery?: number,
  compaction: "thread" | "inline" = "inline",
): Promise<Opened> {
  const { store, stored } = await PgStateStore.connect({ url, logger: silentLogger(), interval: 0.2 });
  const durable = DurableScheduler.fromStore(
    { logger: silentLogger(), compaction, ...(compactEvery ? { compactEvery } : {}) },
    store,
    stored,
    "standby",
  );
  store.advertise(`http://${name}:8082`);
  durable.start();
  const o = { store, durable };
  opened.push(o);
  return o;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

async function exercise(api: DurableScheduler["api"], n: number): Promise<void> {
  await api.addWorker({ worker: W, info: { host: "h", workers: 2 } });
  await api.addTasks({
    worker: W,
    tasks: [
      { task_id: "Root", family: "Root", status: "PENDING", deps: ["A", "B"], priority: 3 },
      { task_id: "A", family: "A", status: "PENDING", resources: { db: 1 } },
      { task_id: "B", family: "B", status: "PENDING" },
    ],
  });
  const first = await api.getWork({ worker: W, host: "h" });
  await api.addTask({ worker: W, task_id: first.task_id ?? "", status: "DONE" });
  await api.getWork({ worker: W, host: "h" });
  await api.setTaskStatusMessage({ task_id: "B", status_message: "half way" });
  await api.updateResources({ db: 3 });
  for (let i = 0; i < n; i++) await api.addTask({ worker: W, task_id: `T${i}`, status: "PENDING" });
}

function stateOf(d: DurableScheduler): unknown {
  return d.core.exportState();
}

afterAll(async () => {
  for (const o of opened) await o.durable.shutdown().catch(() => undefined);
  await dropAll();
});

describe.skipIf(PG_URL === "")("DurableScheduler on PostgreSQL (state_url)", () => {
  it("takes a free lead, answers only once committed, and groups the calls that arrive during a commit", async () => {
    const { schema, url } = await freshSchema("luigid_pgstate");
    const a = await openOn(url, "a");
    await until(() => a.durable.role === "active");
    expect(a.store.leadGeneration).toBe(1);
    const count = async (): Promise<number> =>
      Number(
        (await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".luigid_state_journal`))[0]?.n,
      );
    // One call: its row is there when the answer is.
    await a.durable.api.addTask({ worker: W, task_id: "One", status: "PENDING" });
    expect(await count()).toBe(1);
    // 200 calls at once: all committed when answered, in far fewer transactions than calls.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        a.durable.api.addTask({ worker: W, task_id: `G${i}`, status: "PENDING" }),
      ),
    );
    expect(await count()).toBe(201);
    const txns = Number(
      (
        await adminQuery<{ n: string }>(
          `SELECT count(DISTINCT xmin::text) AS n FROM "${schema}".luigid_state_journal WHERE seq > 1`,
        )
      )[0]?.n,
    );
    expect(txns).toBeGreaterThanOrEqual(1);
    expect(txns).toBeLessThan(20);
  });

  it("a standby follows the journal across compactions, refuses writes naming the active one, and takes over with everything acknowledged", async () => {
    const { schema, url } = await freshSchema("luigid_pgstate");
    const a = await openOn(url, "a", 25);
    await until(() => a.durable.role === "active");
    const b = await openOn(url, "b", 25);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.durable.role).toBe("standby");
    // 60 calls: the journal is folded into the snapshot twice while b follows.
    await exercise(a.durable.api, 60);
    await until(() => b.durable.core.stepCount === a.durable.core.stepCount);
    await until(() => JSON.stringify(stateOf(b.durable)) === JSON.stringify(stateOf(a.durable)));
    expect(stateOf(b.durable)).toEqual(stateOf(a.durable));
    const snap = await adminQuery<{ seq: string }>(`SELECT seq FROM "${schema}".luigid_state_snapshot`);
    expect(Number(snap[0]?.seq)).toBeGreaterThan(25);
    // Each compaction deleted the journal rows it folded, in its own transaction.
    const left = await adminQuery<{ s: string | null }>(
      `SELECT min(seq) AS s FROM "${schema}".luigid_state_journal`,
    );
    if (left[0]?.s !== null) expect(Number(left[0]?.s)).toBeGreaterThan(Number(snap[0]?.seq));
    // Reads answer on the standby; writes are refused with STANDBY naming a.
    const list = await b.durable.api.taskList({ status: "DONE" });
    expect(Object.keys(list)).toHaveLength(1);
    const refused = await Promise.resolve()
      .then(() => b.durable.api.addTask({ worker: W, task_id: "No", status: "PENDING" }))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(LuigiError);
    expect((refused as LuigiError).code).toBe(ErrorCode.STANDBY);
    expect((refused as LuigiError).details.active).toBe("http://a:8082");
    expect(JSON.parse(JSON.stringify(refused)) as unknown).toMatchObject({ code: "STANDBY" });
    // a stops (its lock goes with its connection): b takes over with all that a acknowledged.
    const before = stateOf(a.durable);
    await a.durable.shutdown();
    const took = await until(() => b.durable.role === "active", 5000);
    expect(took).toBeLessThan(3000);
    expect(b.store.leadGeneration).toBe(2);
    expect(stateOf(b.durable)).toEqual(before);
    await b.durable.api.addTask({ worker: W, task_id: "AfterTakeover", status: "PENDING" });
    expect(b.durable.core.stepCount).toBe(a.durable.core.stepCount + 1);
  });

  it("compaction in a worker thread: the standby follows, a crash of the active one loses nothing, and the new active one compacts in its thread", async () => {
    const { schema, url } = await freshSchema("luigid_pgstate");
    const a = await openOn(url, "a", 25, "thread");
    await until(() => a.durable.role === "active");
    const b = await openOn(url, "b", 25, "thread");
    await exercise(a.durable.api, 60);
    const snapSeq = async (): Promise<number> =>
      Number(
        (await adminQuery<{ seq: string }>(`SELECT seq FROM "${schema}".luigid_state_snapshot`))[0]?.seq ?? 0,
      );
    await until(async () => (await snapSeq()) > 25);
    await until(() => JSON.stringify(stateOf(b.durable)) === JSON.stringify(stateOf(a.durable)));
    const before = stateOf(a.durable);
    a.durable.abandon(); // as kill -9
    await until(() => b.durable.role === "active", 5000);
    expect(stateOf(b.durable)).toEqual(before);
    const seqBefore = await snapSeq();
    for (let i = 0; i < 40; i++)
      await b.durable.api.addTask({ worker: W, task_id: `U${i}`, status: "PENDING" });
    await until(async () => (await snapSeq()) > seqBefore);
    const after = stateOf(b.durable);
    b.durable.abandon();
    const c = await openOn(url, "c");
    await until(() => c.durable.role === "active", 5000);
    expect(stateOf(c.durable)).toEqual(after);
  });

  it("a restart after a crash (no last snapshot) rebuilds exactly the state from the snapshot and the journal", async () => {
    const { url } = await freshSchema("luigid_pgstate");
    const a = await openOn(url, "a", 20);
    await until(() => a.durable.role === "active");
    await exercise(a.durable.api, 30);
    const before = stateOf(a.durable);
    // As kill -9: nothing more is written, the connections just go.
    a.durable.abandon();
    const again = await openOn(url, "a");
    await until(() => again.durable.role === "active", 5000);
    expect(again.store.leadGeneration).toBe(2);
    expect(again.durable.report.replayed).toBeGreaterThan(0);
    expect(stateOf(again.durable)).toEqual(before);
  });

  it("fencing: an active one whose generation was raised by another commits nothing more and stops serving writes", async () => {
    const { schema, url } = await freshSchema("luigid_pgstate");
    const a = await openOn(url, "a");
    await until(() => a.durable.role === "active");
    await a.durable.api.addTask({ worker: W, task_id: "Kept", status: "PENDING" });
    const roles: string[] = [];
    a.durable.onRole((role) => roles.push(role));
    // What a new active one does under the lock, while this one (paused, say) still thinks it leads.
    await adminQuery(`UPDATE "${schema}".luigid_state_meta SET generation = generation + 1`);
    await expect(a.durable.api.addTask({ worker: W, task_id: "Fenced", status: "PENDING" })).rejects.toThrow(
      /another luigid took the lead \(generation 2, this one's 1\)/,
    );
    expect(a.durable.role).toBe("lost");
    expect(roles).toEqual(["lost"]);
    const rows = await adminQuery<{ method: string; args: string }>(
      `SELECT method, args FROM "${schema}".luigid_state_journal ORDER BY seq`,
    );
    expect(rows.map((r) => (JSON.parse(r.args) as { task_id: string }).task_id)).toEqual(["Kept"]);
    // Every later change is refused at once.
    expect(() => a.durable.api.addTask({ worker: W, task_id: "Later", status: "PENDING" })).toThrow(
      expect.objectContaining({ code: ErrorCode.STANDBY }) as Error,
    );
  });

  it("stops serving writes as soon as its lock connection drops, and the standby takes over", async () => {
    const { url } = await freshSchema("luigid_pgstate");
    const a = await openOn(url, "a");
    await until(() => a.durable.role === "active");
    const b = await openOn(url, "b");
    await a.durable.api.addTask({ worker: W, task_id: "Before", status: "PENDING" });
    await until(() => b.durable.core.stepCount === 1);
    // The backend holding a's advisory lock, cut off as a network partition or a DBA would.
    const holder = await adminQuery<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = ($1::bigint & 4294967295)::oid AND classid = (($1::bigint >> 32) & 4294967295)::oid",
      [lockKeyOf(a.store)],
    );
    expect(holder).toHaveLength(1);
    await adminQuery("SELECT pg_terminate_backend($1)", [holder[0]?.pid]);
    await until(() => a.durable.role === "lost", 3000);
    await until(() => b.durable.role === "active", 5000);
    await b.durable.api.addTask({ worker: W, task_id: "After", status: "PENDING" });
    expect(b.durable.core.stepCount).toBe(2);
  });
});

if (PG_URL === "")
  describe("DurableScheduler on PostgreSQL (state_url)", () => it.skip(PG_SKIP_REASON, () => undefined));

function lockKeyOf(store: PgStateStore): string {
  return (store as unknown as { lockKey: string }).lockKey;
}
