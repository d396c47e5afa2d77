import { writeFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES, runLuigi, workdir } from "./cli.js";
import { startLuigid, type RunningLuigid } from "./luigid.js";

export interface HistoryRun {
  id: number;
  stepId: string;
  family: string;
}

/**
 * A luigid recording its step history in SQLite, after a real `luigi` ran test/fixtures/shared.ts's
 * `All --n N` against it (N + 1 runs), with the runs as /history lists them once all are written.
 */
export async function luigidWithHistory(n: number): Promise<{ daemon: RunningLuigid; runs: HistoryRun[] }> {
  const w = workdir();
  const cfg = path.join(w.dir, "luigi.cfg");
  const db = path.join(w.dir, "history.db");
  writeFileSync(
    cfg,
    `[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = sqlite:///${db}\n`,
  );
  const daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
    cwd: w.dir,
    env: { LUIGI_CONFIG_PATH: cfg },
  });
  const args = ["--module", path.join(FIXTURES, "shared.ts"), "All", "--n", String(n)];
  const run = await runLuigi([...args, "--scheduler-url", daemon.url, "--no-lock"], {
    cwd: w.dir,
    env: { OUT: w.out, LOG: w.log },
  });
  if (run.code !== 0) {
    await daemon.stop();
    throw new Error(`luigi exited with ${run.code}:\n${run.stderr}`);
  }
  // The history writer writes in batches: poll until every run is there.
  let runs: HistoryRun[] = [];
  for (let i = 0; i < 150 && runs.length < n + 1; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${daemon.url}/history?format=json`);
    runs = ((await res.json()) as { runs: HistoryRun[] }).runs;
  }
  return { daemon, runs };
}

/** Every kind of history page for these runs (a Node run's id, name, parameters, step id), then a 404. */
export function historyPages(runs: readonly HistoryRun[]): string[] {
  const node = runs.find((r) => r.family === "Node");
  if (node === undefined) throw new Error(`no run of Node among ${JSON.stringify(runs)}`);
  return [
    "/history",
    `/history/by_id/${node.id}`,
    "/history/by_name/Node",
    `/history/by_params/Node?data=${encodeURIComponent('{"i": 1}')}`,
    `/history/by_task_id/${encodeURIComponent(node.stepId)}`,
    NO_SUCH_RUN,
  ];
}

/** The page of a run that does not exist (a 404). */
export const NO_SUCH_RUN = "/history/by_id/999999";
