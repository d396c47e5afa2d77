/**
 * One temporary directory per test run, removed at the end: tests and the luigid / worker processes they
 * start create their files under os.tmpdir(), which TMPDIR points here for the whole run. Screenshots are
 * the exception: the browser tests print their folder so that a person can look at it afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const systemTmp = tmpdir();
  const runDir = mkdtempSync(path.join(systemTmp, "luigi-ts-test-run-"));
  process.env.LUIGI_TS_SCREENSHOTS_ROOT ??= systemTmp;
  process.env.TMPDIR = runDir;
  return () => rmSync(runDir, { recursive: true, force: true });
}
