/**
 * The Runs tab in a real browser (Chromium) against a real luigid and a real assistant (`luigi
 * --assistant --module test/fixtures/triggered.ts`): it lists the families the assistant can run, builds
 * each one's form from its parameter kinds (a date picker, a list of choices, a number, a checkbox;
 * private parameters left out), submits it, and shows the run's progress until it is done. Several
 * rounds, each asserted; a run nobody can load says so. Screenshots go to a folder the test prints.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TriggerInfo, TriggerList } from "../../src/scheduler/api.js";
import { collect, FIXTURES, ROOT, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { until } from "../helpers/wait.js";
import { browserSkipReason, launchChromium, screenshotDir, txt } from "./browser.js";
import { FIND_RUN_TOGETHERS } from "./page-probes.js";

const SKIP = browserSkipReason();
if (SKIP) console.warn(`Runs tab browser tests skipped: ${SKIP}`);

const PIPELINE = path.join(FIXTURES, "triggered.ts");

function poll<T>(probe: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(probe, { timeout, interval: 100 });
}

/** One attribute of every element the locator finds, in order. */
async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  const all = await locator.all();
  return Promise.all(all.map((l) => l.getAttribute(name)));
}

describe.skipIf(SKIP !== null)("the Runs tab in Chromium (real luigid, real assistant)", () => {
  let daemon: RunningLuigid;
  let assistant: ChildProcess;
  let assistantDone: ReturnType<typeof collect>;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let shots: string;
  let shot = 0;
  const snap = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(shots, `${String(++shot).padStart(2, "0")}-${name}.png`) });
  };
  const triggerOf = async (id: number): Promise<TriggerInfo | undefined> =>
    (await rpc<TriggerList>(daemon.url, "trigger_list", { trigger_id: id })).triggers[0];
  const row = (id: number): Locator => page.locator(`tr[data-trigger="${id}"]`);

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, "dist/web/index.html"))) {
      throw new Error("dist/web is missing: run `npm run build` (it builds the visualiser)");
    }
    shots = screenshotDir();
    console.log(`Runs tab screenshots: ${shots}`);
    const w = workdir();
    dir = w.dir;
    daemon = await startLuigid(["--state-path", path.join(dir, "state.json")], { cwd: dir });
    const cfg = path.join(dir, "worker.cfg");
    writeFileSync(
      cfg,
      "[worker]\nkeep_alive = true\nwait_interval = 0.1\nwait_jitter = 0.1\nping_interval = 0.5\n",
    );
    assistant = startLuigi(
      ["--assistant", "--module", PIPELINE, "--scheduler-url", daemon.url, "--no-lock"],
      {
        cwd: dir,
        env: {
          LUIGI_CONFIG_PATH: cfg,
          OUT: path.join(dir, "out"),
          LOG: path.join(dir, "runs.log"),
          RELEASE: path.join(dir, "release"),
        },
      },
    );
    assistantDone = collect(assistant);
    await until("the assistant's families", async () =>
      (await rpc<TriggerList>(daemon.url, "trigger_list", { limit: 0 })).families.some(
        (f) => f.name === "Report",
      ),
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (assistant && assistant.exitCode === null) assistant.kill("SIGTERM");
    await assistantDone;
    await daemon?.stop();
  });

  test("lists the families the assistant can run, with a tab of their own", async () => {
    await page.goto(`${daemon.url}/`);
    await page.getByRole("link", { name: "Runs" }).click();
    expect(page.url()).toContain("tab=runs");
    const families = page.locator(".run-family-list li");
    await poll(async () =>
      (await attributes(families, "data-family")).filter((n) => !n?.startsWith("Range")),
    ).toEqual(["Broken", "Extract", "Report", "Slow"]);
    expect(await attributes(families, "data-family")).toContain("RangeDaily");
    await poll(() => txt(page.locator('.run-family-list li[data-family="Report"]'))).toContain("1 assistant");
    await poll(() => txt(page.locator(".run-list"))).toContain("No run was asked for yet.");
    await snap("families");
  });

  test("builds the form from the parameter kinds, submits it, and shows the run's progress until it is done", async () => {
    for (let round = 1; round <= 3; round++) {
      const day = `2026-08-0${round}`;
      await page.locator('.run-family-list li[data-family="Report"] button').click();
      const form = page.locator('form.run-form[data-family="Report"]');
      await poll(() => form.count()).toBe(1);
      expect(page.url()).toContain("run=Report");
      // A field per public parameter, each its kind's input, the defaults filled in.
      const field = (name: string): Locator => form.locator(`[data-param="${name}"]`);
      expect(await field("day").getAttribute("type")).toBe("date");
      expect(await field("day").inputValue()).toBe("");
      expect(await form.locator('select[data-param="region"]').count()).toBe(1);
      expect(await field("region").locator("option").allTextContents()).toEqual(["eu", "us", "apac"]);
      expect(await field("region").inputValue()).toBe("eu");
      expect(await field("copies").getAttribute("type")).toBe("number");
      expect(await field("copies").inputValue()).toBe("1");
      expect(await field("draft").getAttribute("type")).toBe("checkbox");
      expect(await field("draft").isChecked()).toBe(false);
      expect(await field("secret").count()).toBe(0);
      await poll(() => txt(form)).toContain("the day to report");
      await poll(() => txt(form)).toContain("date: YYYY-MM-DD");
      // The day has no default: no run without it.
      const submit = form.getByRole("button", { name: "Run" });
      expect(await submit.isDisabled()).toBe(true);
      await field("day").fill(day);
      await field("region").selectOption("us");
      await field("copies").fill(String(round + 1));
      if (round === 2) await field("draft").check();
      if (round === 1) await snap("form");
      await submit.click();
      await poll(() => form.count()).toBe(0);

      const id = round;
      await poll(() => row(id).count()).toBe(1);
      await poll(
        () => row(id).locator("[data-trigger-status]").getAttribute("data-trigger-status"),
        30_000,
      ).toBe("done");
      const progress = row(id).getByTestId("run-progress");
      await poll(() => progress.getAttribute("data-total")).toBe("2");
      await poll(() => progress.getAttribute("data-done")).toBe("2");
      await poll(() => txt(row(id).getByTestId("trigger-text"))).toBe("done (exit code 0)");
      // What the page sent, and what ran.
      const t = await triggerOf(id);
      expect(t?.params, `round ${round}`).toEqual({
        day,
        region: "us",
        copies: String(round + 1),
        ...(round === 2 ? { draft: "True" } : {}),
      });
      expect(t).toMatchObject({ status: "done", exit_code: 0, requested_by: "from 127.0.0.1" });
      expect(readFileSync(path.join(dir, "out", `report-${day}-us-${round + 1}.txt`), "utf8")).toBe(
        "report\n".repeat(round + 1),
      );
      if (round === 1) await snap("run-done");
    }
  }, 90_000);

  test("shows a run in progress step by step, until it is done", async () => {
    await page.locator('.run-family-list li[data-family="Slow"] button').click();
    const form = page.locator('form.run-form[data-family="Slow"]');
    await form.locator('[data-param="n"]').fill("5");
    await form.getByRole("button", { name: "Run" }).click();
    const id = 4;
    await poll(
      () => row(id).locator("[data-trigger-status]").getAttribute("data-trigger-status"),
      30_000,
    ).toBe("running");
    // The root is running: its badge says so, and the progress counts it.
    await poll(() => row(id).locator('.badge[data-status="RUNNING"]').count()).toBe(1);
    await poll(() => txt(row(id).getByTestId("run-progress"))).toBe("0 of 1 done · 1 running");
    await snap("run-running");
    writeFileSync(path.join(dir, "release"), "go");
    await poll(
      () => row(id).locator("[data-trigger-status]").getAttribute("data-trigger-status"),
      30_000,
    ).toBe("done");
    await poll(() => txt(row(id).getByTestId("run-progress"))).toBe("1 of 1 done");
    // The root's graph is a click away.
    await row(id).getByRole("button", { name: "Graph" }).click();
    await poll(() => page.url()).toContain("tab=graph");
    expect(page.url()).toContain("taskId=Slow_5_");
    await page.getByRole("link", { name: "Runs" }).click();
  }, 60_000);

  test("a run asked for over the API that no assistant can load says it waits for one", async () => {
    const t = await rpc<TriggerInfo>(daemon.url, "trigger_step", { family: "Nowhere", params: { x: "1" } });
    await poll(() => txt(row(t.trigger_id).getByTestId("trigger-text"))).toBe(
      "waiting for an assistant that can load Nowhere",
    );
    expect(await row(t.trigger_id).locator("[data-trigger-status]").getAttribute("data-trigger-status")).toBe(
      "queued",
    );
    // Bad parameters: the assistant's message, on the page.
    const bad = await rpc<TriggerInfo>(daemon.url, "trigger_step", {
      family: "Report",
      params: { day: "soon" },
    });
    await poll(() => txt(row(bad.trigger_id).getByTestId("trigger-text"))).toContain(
      "parameter 'day' of Report: cannot parse \"soon\"",
    );
    await snap("waiting-and-refused");
    // No text runs into its neighbour: the list of runs, and the form open above it.
    expect(await page.evaluate<string[]>(FIND_RUN_TOGETHERS)).toEqual([]);
    await page.locator('.run-family-list li[data-family="Report"] button').click();
    await poll(() => page.locator("form.run-form").count()).toBe(1);
    expect(await page.evaluate<string[]>(FIND_RUN_TOGETHERS)).toEqual([]);
  });
});
