/**
 * StateLock against another process that holds the lock file for a moment only (what a second luigid
 * started at the same time does on its first attempt): the lock is taken once the other lets go, not
 * refused; a holder that keeps it is refused, naming its pid.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StateLock, StateLockedError } from "../../src/scheduler/persistence/state-lock.js";
import { ROOT } from "../helpers/cli.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A child process that takes `<state>.lock` as luigid does, says "held", and lets go after `ms`. */
async function holdFor(lockPath: string, ms: number): Promise<ReturnType<typeof spawn>> {
  const script = `const Database = require("better-sqlite3");
const db = new Database(${JSON.stringify(lockPath)}, { timeout: 0 });
db.pragma("journal_mode = MEMORY"); db.pragma("locking_mode = EXCLUSIVE"); db.exec("BEGIN EXCLUSIVE");
require("fs").writeFileSync(${JSON.stringify(`${lockPath}.pid`)}, process.pid + "\\n");
console.log("held");
setTimeout(() => { db.close(); process.exit(0); }, ${ms});`;
  const child = spawn(process.execPath, ["-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  await once(child.stdout, "data");
  return child;
}

describe("StateLock", () => {
  it("is taken once a holder of a moment lets go, instead of refused", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-lock-"));
    dirs.push(dir);
    const statePath = path.join(dir, "s.json");
    const child = await holdFor(`${statePath}.lock`, 60);
    const lock = StateLock.acquire(statePath);
    try {
      expect(lock.statePath).toBe(statePath);
    } finally {
      lock.release();
      await once(child, "exit").catch(() => undefined);
    }
  });

  it("is refused while another process keeps it, naming its pid", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luigi-ts-lock-"));
    dirs.push(dir);
    const statePath = path.join(dir, "s.json");
    const child = await holdFor(`${statePath}.lock`, 10_000);
    try {
      let thrown: unknown;
      try {
        StateLock.acquire(statePath).release();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(StateLockedError);
      expect((thrown as Error).message).toContain(`(pid ${child.pid})`);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
