/**
 * The visualiser and the history pages in Chromium under luigid's Content-Security-Policy: every view
 * loads, the graph is laid out by its Web Worker, an action (pause) goes through luigid's cross-site
 * guard as a same-origin POST, the history pages are styled by their stylesheet, and the browser reports
 * no CSP violation and no console error anywhere. A deliberate inline script shows that a violation
 * would be seen.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { StepPage } from "../../src/scheduler/api.js";
import { historyPages, luigidWithHistory, NO_SUCH_RUN, type HistoryRun } from "../helpers/history-run.js";
import { rpc, type RunningLuigid } from "../helpers/luigid.js";
import { browserSkipReason, launchChromium, screenshotDir } from "./browser.js";

const SKIP = browserSkipReason();
if (SKIP) console.warn(`CSP browser tests skipped: ${SKIP}`);

/** Reports each `securitypolicyviolation` of every page and frame to the test (set before any script). */
const REPORT_VIOLATIONS = String.raw`document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.documentURI + (e.sample ? " (" + e.sample + ")" : ""));
});`;

describe.skipIf(SKIP !== null)("luigid's pages in Chromium under its Content-Security-Policy", () => {
  let daemon: RunningLuigid;
  let browser: Browser;
  let page: Page;
  let runs: HistoryRun[] = [];
  const violations: string[] = [];
  const errors: string[] = [];
  const workers: string[] = [];
  let shots: string;

  beforeAll(async () => {
    ({ daemon, runs } = await luigidWithHistory(6));
    shots = screenshotDir();
    console.log(`CSP screenshots: ${shots}`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.exposeFunction("__cspViolation", (text: string) => violations.push(text));
    await page.addInitScript(REPORT_VIOLATIONS);
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
    page.on("worker", (worker) => workers.push(worker.url()));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  const noProblems = (where: string): void => {
    expect(violations, where).toEqual([]);
    expect(errors, where).toEqual([]);
  };

  test("the visualiser: steps, graph (its Web Worker), workers, resources, and a same-origin POST", async () => {
    const base = `${daemon.url}/static/visualiser/index.html`;
    await page.goto(`${daemon.url}/`);
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 15_000 }).toBe(7);
    const all = (await rpc<StepPage>(daemon.url, "step_page", { family: "All" })).rows[0]?.task_id;
    expect(all).toBeDefined();
    await page.goto(`${base}#tab=graph&taskId=${encodeURIComponent(all ?? "")}`);
    await expect.poll(() => page.locator("svg.graph-svg g.node").count(), { timeout: 15_000 }).toBe(7);
    await expect
      .poll(() => page.locator("[data-layout]").first().getAttribute("data-layout"), { timeout: 15_000 })
      .toBe("final");
    expect(workers.some((url) => url.includes("/static/visualiser/assets/layout-worker"))).toBe(true);
    for (const tab of ["workers", "resources", "tasks"]) {
      await page.goto(`${base}#tab=${tab}`);
      await page.waitForLoadState("networkidle");
    }
    await page.screenshot({ path: path.join(shots, "visualiser.png") });
    noProblems("visualiser");

    // The pause switch: a POST from luigid's own page passes the cross-site guard.
    const posted = page.waitForRequest((r) => r.url().endsWith("/api/pause") && r.method() === "POST");
    await page.locator("button.pause").click();
    await page.locator(".dialog-buttons button.danger").click();
    expect((await posted).postData()).toBe("data=%7B%7D");
    await expect
      .poll(async () => (await rpc<{ paused: boolean }>(daemon.url, "is_paused")).paused)
      .toBe(true);
    await page.locator("button.pause.paused").click();
    await page.locator(".dialog-buttons button.primary").click();
    await expect
      .poll(async () => (await rpc<{ paused: boolean }>(daemon.url, "is_paused")).paused)
      .toBe(false);
    noProblems("visualiser actions");
  });

  test("the history pages, styled by their stylesheet", async () => {
    const pages = historyPages(runs);
    for (const url of pages) {
      await page.goto(`${daemon.url}${url}`);
      await page.waitForLoadState("networkidle");
      // The stylesheet applied: the header's dark background, a DONE badge's green.
      expect(
        await page.evaluate('getComputedStyle(document.querySelector("header")).backgroundColor'),
        url,
      ).toBe("rgb(31, 41, 51)");
      if (url === NO_SUCH_RUN) {
        // The browser notes the page's own 404; nothing else.
        const own = errors.filter((e) => e.endsWith(`(${daemon.url}${url})`));
        expect(own).toHaveLength(1);
        errors.splice(0, errors.length, ...errors.filter((e) => !own.includes(e)));
      } else {
        expect(
          await page.evaluate(
            'getComputedStyle(document.querySelector(".badge.status-DONE")).backgroundColor',
          ),
          url,
        ).toBe("rgb(0, 170, 0)");
      }
      await page.screenshot({ path: path.join(shots, `history-${pages.indexOf(url)}.png`) });
      noProblems(url);
    }
  });

  test("a violation would be seen: an inline script is blocked and reported", async () => {
    await page.goto(`${daemon.url}/history`);
    await page.evaluate(`(() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = 1";
      document.body.append(s);
    })()`);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations[0]).toContain("script-src");
    expect(await page.evaluate("typeof window.__ran")).toBe("undefined");
    violations.length = 0;
    errors.length = 0;
  });
});
