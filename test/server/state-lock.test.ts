import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { workdir } from "../helpers/cli.js";
import { filesOf } from "../helpers/files.js";
import { rpc, runLuigid, startLuigid, type RunningLuigid } from "../helpers/luigid.js";

const WORKER = "Worker(salt=1, workers=1, host=test, username=test, pid=1)";
const ROUNDS = 3;

/** The lock and its holder's pid: removed by whoever held them when it lets go, left by kill -9. */
const isLockFile = (name: string): boolean => name.endsWith(".lock") || name.endsWith(".lock.pid");

async function doneSteps(url: string): Promise<string[]> {
  return Object.keys(await rpc<Record<string, unknown>>(url, "task_list", { status: "DONE" })).sort();
}

async function addDone(url: string, id: string): Promise<void> {
  await rpc(url, "add_task", { worker: WORKER, task_id: id, family: id.split("_")[0], status: "DONE" });
}

/** A folder on ext4 (the test run's) and, where the machine has one, on tmpfs (removed after the file). */
const filesystems: { name: string; make: () => string }[] = [
  { name: "the test run's folder", make: () => workdir().dir },
];
const outsideTheRun: string[] = [];
if (existsSync("/dev/shm")) {
  filesystems.push({
    name: "tmpfs (/dev/shm)",
    make: () => {
      const dir = mkdtempSync(path.join("/dev/shm", "luigi-ts-lock-"));
      outsideTheRun.push(dir);
      return dir;
    },
  });
}
afterAll(() => {
  for (const dir of outsideTheRun) rmSync(dir, { recursive: true, force: true });
});

describe("luigid: one state path, one luigid", () => {
  for (const fs of filesystems) {
    it(`refuses a second luigid under any spelling of the path; kill -9 frees it, nothing acknowledged is lost (${fs.name})`, async () => {
      const dir = fs.make();
      const stateDir = path.join(dir, "state");
      mkdirSync(stateDir);
      symlinkSync(stateDir, path.join(dir, "via-link"));
      const real = path.join(realpathSync(stateDir), "s.json");
      // Absolute; relative to the state's folder; relative through a symlinked folder; absolute through it.
      const spellings = [
        { arg: path.join(stateDir, "s.json"), cwd: dir },
        { arg: "s.json", cwd: stateDir },
        { arg: path.join("via-link", "s.json"), cwd: dir },
        { arg: path.join(dir, "via-link", "..", "via-link", "s.json"), cwd: stateDir },
      ];
      const spelling = (i: number): { arg: string; cwd: string } =>
        spellings[i % spellings.length] as { arg: string; cwd: string };
      // No prunes while the test looks: each is journaled, and the journal must stay as the holder left it.
      const cfg = path.join(dir, "luigi.cfg");
      writeFileSync(cfg, "[scheduler]\nprune_interval = 3600\n");
      const env = { LUIGI_CONFIG_PATH: cfg };
      const acknowledged: string[] = [];
      let first: RunningLuigid = await startLuigid(["--state-path", spelling(0).arg], {
        cwd: spelling(0).cwd,
        env,
      });
      try {
        for (let round = 0; round < ROUNDS; round++) {
          for (let i = 0; i < 5; i++) {
            await addDone(first.url, `R${round}_${i}`);
            acknowledged.push(`R${round}_${i}`);
          }
          const before = filesOf(stateDir);
          const other = spelling(round + 1);
          const second = await runLuigid(
            ["--address", "127.0.0.1", "--port", "0", "--state-path", other.arg],
            other.cwd,
            env,
          );
          expect(second.code, second.stderr).toBe(1);
          expect(second.stderr).toContain(
            `the state path ${real} is in use by another luigid (pid ${first.child.pid})`,
          );
          expect(second.stderr).not.toContain("listening");
          // The refused one wrote nothing, not even over the holder's pid.
          expect(filesOf(stateDir)).toEqual(before);
          // The first one keeps serving, and what it acknowledges now is kept too.
          await addDone(first.url, `R${round}_after`);
          acknowledged.push(`R${round}_after`);
          expect(await doneSteps(first.url)).toEqual([...acknowledged].sort());
          await first.stop("SIGKILL");
          // The kernel dropped the lock with the process: the next start succeeds at once.
          const next = spelling(round + 2);
          first = await startLuigid(["--state-path", next.arg], { cwd: next.cwd, env });
          expect(await doneSteps(first.url)).toEqual([...acknowledged].sort());
        }
        expect(await first.stop("SIGTERM")).toBe(0);
        // A clean stop takes its lock files with it.
        expect(readdirSync(stateDir).sort()).toEqual(["s.json", "s.json.journal"]);
      } finally {
        await first.stop("SIGKILL");
      }
    });
  }

  it("lets exactly one of two luigids started at once on a fresh state path serve", async () => {
    for (let round = 0; round < 5; round++) {
      const w = workdir();
      symlinkSync(w.dir, path.join(w.dir, "link"));
      const real = path.join(realpathSync(w.dir), "s.json");
      const results = await Promise.allSettled([
        startLuigid(["--state-path", "s.json"], { cwd: w.dir }),
        startLuigid(["--state-path", path.join(w.dir, "link", "s.json")], { cwd: w.dir }),
      ]);
      const served = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      const refused = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
      try {
        expect(served, `round ${round}: ${refused.join("\n")}`).toHaveLength(1);
        const winner = served[0] as RunningLuigid;
        expect(refused[0]).toContain(
          `the state path ${real} is in use by another luigid (pid ${winner.child.pid})`,
        );
        await addDone(winner.url, `Round_${round}`);
        expect(await doneSteps(winner.url)).toEqual([`Round_${round}`]);
      } finally {
        for (const daemon of served) await daemon.stop();
      }
      expect(readdirSync(w.dir).sort()).toEqual(["link", "s.json", "s.json.journal"]);
    }
  });

  it("a start that fails because the port is taken leaves the state files byte for byte as they were", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      // 1. A state as kill -9 leaves it: a snapshot, a journal after it with a torn last line, and the
      // lock files (their pid is stale): a start that went on would rewrite the journal.
      const w = workdir();
      const statePath = path.join(w.dir, "s.json");
      let daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir });
      await addDone(daemon.url, "Snap_1");
      expect(await daemon.stop("SIGTERM")).toBe(0);
      daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir });
      await addDone(daemon.url, "Journal_1");
      await daemon.stop("SIGKILL");
      appendFileSync(`${statePath}.journal`, '{"s":9,"t":1,"m":"addTask","a":{"worker":"W"');
      // 2. A damaged snapshot with the journal of a lost one: a start that went on would move both aside.
      const d = workdir();
      writeFileSync(path.join(d.dir, "s.json"), '{"format": "luigi-ts/luigid-state", "vers');
      writeFileSync(path.join(d.dir, "s.json.journal"), '{"s":7,"t":1,"m":"addTask","a":{"task_id":"X"}}\n');
      for (const dir of [w.dir, d.dir]) {
        const before = filesOf(dir);
        expect(before.has("s.json")).toBe(true);
        for (let round = 0; round < ROUNDS; round++) {
          const failed = await runLuigid(
            ["--address", "127.0.0.1", "--port", String(port), "--state-path", "s.json"],
            dir,
          );
          expect(failed.code).toBe(1);
          expect(failed.stderr).toContain("EADDRINUSE");
          // Only the stale lock files went (deleted by the one that held the lock last, as at any stop).
          expect(filesOf(dir)).toEqual(filesOf(dir, isLockFile));
          expect(filesOf(dir)).toEqual(new Map([...before].filter(([name]) => !isLockFile(name))));
        }
      }
      // Started for real, each goes on from what was there.
      daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir });
      expect(await doneSteps(daemon.url)).toEqual(["Journal_1", "Snap_1"]);
      expect(await daemon.stop("SIGTERM")).toBe(0);
      daemon = await startLuigid(["--state-path", "s.json"], { cwd: d.dir });
      expect(readdirSync(d.dir).filter((n) => n.includes(".damaged-"))).toHaveLength(2);
      expect(await daemon.stop("SIGTERM")).toBe(0);
    } finally {
      taken.close();
    }
  });

  it("a start refused for its configuration leaves the state files byte for byte as they were", async () => {
    const w = workdir();
    const stateDir = path.join(w.dir, "state");
    const statePath = path.join(stateDir, "s.json");
    const daemon = await startLuigid(["--state-path", statePath], { cwd: w.dir });
    await addDone(daemon.url, "Kept_1");
    await daemon.stop("SIGKILL");
    appendFileSync(`${statePath}.journal`, '{"s":9,"t":1,"m":"addTa');
    const cfg = path.join(w.dir, "luigi.cfg");
    const configs = [
      "[scheduler]\nretry_delay = 5\nnot a setting\n",
      "[scheduler]\nretry_count = many\n",
      // Refused after the lock is taken: the history database's URL is checked once luigid holds it.
      "[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = nosuch://x\n",
    ];
    for (const text of configs) {
      writeFileSync(cfg, text);
      const before = filesOf(stateDir, isLockFile);
      for (let round = 0; round < ROUNDS; round++) {
        const failed = await runLuigid(["--port", "0", "--state-path", statePath], w.dir, {
          LUIGI_CONFIG_PATH: cfg,
        });
        expect(failed.code, text).toBe(1);
        expect(failed.stderr).toMatch(/^luigid: could not start: [^\n]+\n$/);
        expect(filesOf(stateDir, isLockFile)).toEqual(before);
        expect(readdirSync(stateDir).some((n) => n.includes(".tmp-") || n.includes(".damaged-"))).toBe(false);
      }
    }
  });
});
