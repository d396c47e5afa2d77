/**
 * A step's captured log in the visualiser's details, in Chromium against a real luigid and a real luigi
 * worker: it shows while the step runs and grows as the step prints (a tail that follows, and that stays
 * where the reader scrolled up to), then the failure with its stack highlighted; secrets masked; a step
 * that printed nothing says so.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TaskListResponse } from "../../src/scheduler/api.js";
import { collect, FIXTURES, runLuigi, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { until } from "../helpers/wait.js";
import { browserSkipReason, launchChromium, screenshotDir, txt } from "./browser.js";

const SKIP = browserSkipReason();
if (SKIP) console.warn(`step log browser tests skipped: ${SKIP}`);

const LOGS = path.join(FIXTURES, "logs.ts");
const SECRET = "tok-live-5e4d3c2b1a";

function poll<T>(probe: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(probe, { timeout, interval: 100 });
}

/** The pre's scroll position: how far from its end the reader is, and whether it can scroll at all. */
// Script text: this file is type-checked without the DOM's types (see page-probes.ts).
const LOG_BOX = `document.querySelector('[data-testid="step-log"]')`;

async function scrollState(page: Page): Promise<{ fromEnd: number; scrollable: boolean; top: number }> {
  return page.evaluate(`(() => {
    const el = ${LOG_BOX};
    return { fromEnd: el.scrollHeight - el.clientHeight - el.scrollTop, scrollable: el.scrollHeight > el.clientHeight + 50, top: el.scrollTop };
  })()`);
}

/** Scrolls the log box to its top or its end, as a reader would. */
async function scrollLog(page: Page, where: "top" | "end"): Promise<void> {
  await page.evaluate(`(() => {
    const el = ${LOG_BOX};
    el.scrollTop = ${where === "top" ? "0" : "el.scrollHeight"};
    el.dispatchEvent(new Event("scroll"));
  })()`);
}

const lastTick = async (page: Page): Promise<number> => {
  const text = await txt(page.locator('[data-testid="step-log"]'));
  const ticks = [...text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
  return ticks.length === 0 ? 0 : Math.max(...ticks);
};

describe.skipIf(SKIP !== null)("the step log in the visualiser (Chromium, real luigid, real worker)", () => {
  let daemon: RunningLuigid;
  let worker: ChildProcess | undefined;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let release: string;
  let shots: string;
  let env: Record<string, string>;

  const idOf = async (prefix: string): Promise<string> =>
    until(`step ${prefix}`, async () => {
      const list = await rpc<TaskListResponse>(daemon.url, "task_list", { status: "", limit: false });
      return Object.entries(list).find(([, v]) =>
        String((v as { display_name?: string }).display_name ?? "").startsWith(prefix),
      )?.[0];
    });

  beforeAll(async () => {
    shots = screenshotDir();
    console.log(`step log screenshots: ${shots}`);
    const w = workdir();
    dir = w.dir;
    release = path.join(dir, "release");
    daemon = await startLuigid(["--state-path", path.join(dir, "state.json")], { cwd: dir });
    const wcfg = path.join(dir, "worker.cfg");
    writeFileSync(wcfg, "[worker]\nwait_interval = 0.1\nwait_jitter = 0.1\nlog_redact = LOG_SECRET\n");
    env = { LUIGI_CONFIG_PATH: wcfg, OUT: w.out, LOG_SECRET: SECRET, RELEASE: release };
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  }, 60_000);

  afterAll(async () => {
    if (release) writeFileSync(release, "go");
    await browser?.close();
    if (worker && worker.exitCode === null) worker.kill("SIGTERM");
    await daemon?.stop();
  });

  test("a step that printed nothing says so", async () => {
    const quiet = await runLuigi(
      ["--module", LOGS, "Quiet", "--n", "7", "--scheduler-url", daemon.url, "--no-lock"],
      {
        cwd: dir,
        env,
      },
    );
    expect(quiet.code).toBe(0);
    const id = await idOf("Quiet(n=7)");
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=steps&detail=${encodeURIComponent(id)}`);
    await poll(() => txt(page.locator('[data-testid="step-log-empty"]'))).toContain(
      "No log captured: this luigid keeps no log for this step",
    );
  });

  test("follows a running step's log live, stays where the reader scrolled to, then shows the failure", async () => {
    worker = startLuigi(
      ["--module", LOGS, "Slow", "--tag", "live", "--scheduler-url", daemon.url, "--no-lock"],
      {
        cwd: dir,
        env,
      },
    );
    const ended = collect(worker);
    const id = await idOf("Slow(tag=live)");
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=steps&detail=${encodeURIComponent(id)}`);
    const log = page.locator('[data-testid="step-log"]');
    await poll(() => log.getAttribute("data-running")).toBe("true");
    // It grows while the step prints: a later tick shows without reloading.
    const first = await until("a first tick", async () => (await lastTick(page)) || undefined);
    await poll(() => lastTick(page)).toBeGreaterThan(first + 20);
    // Once it overflows its box, the end stays in view as lines come.
    await poll(async () => (await scrollState(page)).scrollable).toBe(true);
    const before = await lastTick(page);
    await poll(() => lastTick(page)).toBeGreaterThan(before + 10);
    expect((await scrollState(page)).fromEnd).toBeLessThan(30);
    await page.screenshot({ path: path.join(shots, "01-live-tail.png") });

    // The reader scrolls up to read: new lines do not pull the view back down.
    await scrollLog(page, "top");
    const whileUp = await lastTick(page);
    await poll(() => lastTick(page)).toBeGreaterThan(whileUp + 15);
    expect((await scrollState(page)).top).toBeLessThan(5);
    // Back at the end: it follows again.
    await scrollLog(page, "end");
    const atEnd = await lastTick(page);
    await poll(() => lastTick(page)).toBeGreaterThan(atEnd + 10);
    expect((await scrollState(page)).fromEnd).toBeLessThan(30);

    writeFileSync(release, "go");
    expect((await ended).code).toBe(30);
    await poll(() => log.getAttribute("data-running"), 20_000).toBe("false");
    const stack = page.locator('[data-testid="step-log"] .log-stack');
    await poll(() => stack.count()).toBeGreaterThanOrEqual(2);
    expect(await stack.first().textContent()).toMatch(
      /failed: Error: cannot load row 0: connection refused \(token \*\*\*\)/,
    );
    expect(await stack.nth(1).textContent()).toMatch(/^\s+at loadRows/);
    // The stack is the end of the log, shown without scrolling.
    expect((await scrollState(page)).fromEnd).toBeLessThan(30);
    expect(await page.locator("body").textContent()).not.toContain(SECRET);
    await page.screenshot({ path: path.join(shots, "02-failed.png") });
  }, 90_000);
});
