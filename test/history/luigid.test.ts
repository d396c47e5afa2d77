// End to end: a real luigid with history on, real `luigi` workers running a pipeline against it, every
// page fetched over HTTP; then luigid restarts on the same database and the earlier history is there.
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import { startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { BACKENDS } from "./backends.js";
import type { RunSummary } from "../../src/history/queries.js";

const SHARED = path.join(FIXTURES, "shared.ts");
const WORKER_CFG = `[core]
rpc_retry_wait = 0.5
rpc_retry_attempts = 40
[worker]
wait_interval = 0.1
wait_jitter = 0.2
ping_interval = 0.5
`;

type Run = Pick<RunSummary, "id" | "stepId" | "family" | "status" | "host" | "worker" | "params">;

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function pipeline(dir: string, daemon: RunningLuigid, n: number, workers: number): Promise<void> {
  const cfg = path.join(dir, "worker.cfg");
  writeFileSync(cfg, WORKER_CFG);
  const env = { LUIGI_CONFIG_PATH: cfg, OUT: path.join(dir, "out"), LOG: path.join(dir, "runs.log") };
  const args = ["--module", SHARED, "All", "--n", String(n), "--scheduler-url", daemon.url, "--no-lock"];
  const results = await Promise.all(
    Array.from({ length: workers }, () => collect(startLuigi(args, { cwd: dir, env }))),
  );
  for (const r of results) expect(r.code, r.stderr).toBe(0);
}

/** Polls until the writer has written what the pipeline did (it writes every 250 ms). */
async function runsOf(base: string, family: string, expected: number): Promise<Run[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await json<{ runs: Run[] }>(`${base}/history/by_name/${family}?limit=1000`).catch(() => ({
      runs: [] as Run[],
    }));
    const done = page.runs.filter((r) => r.status === "DONE");
    if (done.length >= expected || Date.now() > deadline) return page.runs;
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`luigid with step history on ${backend.name}`, () => {
    it("records every run of a real pipeline, serves every page, and keeps it across a restart", async () => {
      const db = await backend.create();
      const w = workdir();
      const cfg = path.join(w.dir, "luigid.cfg");
      // The document's example configuration, with this test's database.
      writeFileSync(
        cfg,
        `[scheduler]\nrecord_step_history = True\n\n[step_history]\ndb_connection = ${db.url}\n`,
      );
      const statePath = path.join(w.dir, "state.json");
      const start = (): Promise<RunningLuigid> =>
        startLuigid(["--state-path", statePath], { cwd: w.dir, env: { LUIGI_CONFIG_PATH: cfg } });
      let daemon = await start();
      try {
        await pipeline(w.dir, daemon, 12, 2);
        const nodes = await runsOf(daemon.url, "Node", 12);
        expect(nodes.filter((r) => r.status === "DONE")).toHaveLength(12);
        expect(new Set(nodes.map((r) => r.stepId)).size).toBe(12);
        for (const run of nodes) {
          expect(run.host).toBe(hostname());
          expect(run.worker).toMatch(/^Worker\(/);
        }
        const all = await runsOf(daemon.url, "All", 1);
        expect(all.map((r) => r.status)).toEqual(["DONE"]);

        const recent = await json<{ runs: Run[] }>(`${daemon.url}/history?limit=1000`);
        expect(recent.runs.map((r) => r.family).sort()).toEqual(["All", ...Array<string>(12).fill("Node")]);
        const html = await (await fetch(`${daemon.url}/history`)).text();
        expect(html).toContain(`href="/history/by_name/Node"`);

        const data = encodeURIComponent(JSON.stringify({ i: "3" }));
        const three = await json<{ runs: Run[] }>(`${daemon.url}/history/by_params/Node?data=${data}`);
        expect(three.runs).toHaveLength(1);
        expect(three.runs[0]?.params).toMatchObject({ i: "3", ms: "5" });
        const detail = await json<{ events: { event: string; host: string | null }[] }>(
          `${daemon.url}/history/by_id/${three.runs[0]!.id}`,
        );
        expect(detail.events.map((e) => e.event)).toEqual(["PENDING", "RUNNING", "DONE"]);
        const byStep = await json<{ runs: Run[] }>(
          `${daemon.url}/history/by_task_id/${encodeURIComponent(three.runs[0]!.stepId)}`,
        );
        expect(byStep.runs.map((r) => r.id)).toEqual([three.runs[0]!.id]);
        const page = await fetch(`${daemon.url}/history/by_id/${three.runs[0]!.id}`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain("RUNNING");

        expect(await daemon.stop()).toBe(0);
        expect(daemon.output()).toContain("schema migrated");

        daemon = await start();
        expect(daemon.output()).not.toContain("schema migrated");
        const kept = await runsOf(daemon.url, "Node", 12);
        expect(kept.map((r) => r.id).sort()).toEqual(nodes.map((r) => r.id).sort());
        // A bigger pipeline after the restart: only the new steps run, each recorded as a new run.
        await pipeline(w.dir, daemon, 15, 1);
        const after = await runsOf(daemon.url, "Node", 15);
        expect(after.filter((r) => r.status === "DONE")).toHaveLength(15);
        expect(new Set(after.map((r) => r.stepId)).size).toBe(15);
        expect(await daemon.stop()).toBe(0);
      } finally {
        await daemon.stop("SIGKILL");
        await db.drop();
      }
    }, 120_000);
  });
}

describe("luigid with a bad db_connection", () => {
  it("stops at start with a message naming the setting", async () => {
    const w = workdir();
    const cfg = path.join(w.dir, "luigid.cfg");
    writeFileSync(
      cfg,
      "[scheduler]\nrecord_step_history = true\n[task_history]\ndb_connection = oracle://x/y\n",
    );
    await expect(
      startLuigid(["--state-path", path.join(w.dir, "state.json")], {
        cwd: w.dir,
        env: { LUIGI_CONFIG_PATH: cfg },
      }),
    ).rejects.toThrow(/\[step_history\] db_connection = oracle:\/\/x\/y: unsupported database/);
  });
});
