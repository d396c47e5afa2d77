/**
 * The Timeline and the duration trends in Chromium, against a real luigid (recording its step history)
 * after real `luigi` processes ran: the Gantt chart draws one bar per run the scheduler answers, marks
 * the critical path, zooms with the wheel, filters by worker, shows a run on a click, and reads the
 * history's runs too; /tasklist and /tasklist/{name} show the figures and draw the durations; nothing
 * breaks the Content-Security-Policy. Then 10,000 bars (steps handed out through the RPC API) draw
 * completely, critical path included. Screenshots go to a folder the test prints.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { GetWorksResponse, StepTimeline } from "../../src/scheduler/api.js";
import { criticalPath, fromLive } from "../../web/src/timeline/model.js";
import { ROOT, runLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { browserSkipReason, launchChromium, screenshotDir, txt } from "./browser.js";

const SKIP = browserSkipReason();
if (SKIP) console.warn(`timeline browser tests skipped: ${SKIP}`);

const PIPELINE = path.join(ROOT, "test/web/fixtures/timeline-pipeline.ts");

const REPORT_VIOLATIONS = String.raw`document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.documentURI);
});`;

function poll<T>(probe: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(probe, { timeout, interval: 100 });
}

const gantt = (page: Page) => page.locator('[data-testid="gantt"]');
const attr = async (page: Page, name: string): Promise<string> =>
  (await gantt(page)
    .getAttribute(name, { timeout: 1000 })
    .catch(() => null)) ?? "";

/** The data-step-id of each element of a list, in order. */
async function stepIds(items: Locator): Promise<(string | null)[]> {
  return Promise.all((await items.all()).map((item) => item.getAttribute("data-step-id")));
}

/** The page pixel of a bar's middle, from the chart's probe (a canvas has no DOM per bar). */
async function pixelOf(page: Page, id: string): Promise<[number, number] | null> {
  return gantt(page).evaluate(
    (el, stepId) =>
      (el as unknown as { ganttProbe: { pixelOf(s: string): [number, number] | null } }).ganttProbe.pixelOf(
        stepId,
      ),
    id,
  );
}

async function newPage(browser: Browser, violations: string[], errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.exposeFunction("__cspViolation", (text: string) => violations.push(text));
  await page.addInitScript(REPORT_VIOLATIONS);
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
  return page;
}

describe.skipIf(SKIP !== null)("Timeline and duration trends in Chromium (real luigid, real workers)", () => {
  let daemon: RunningLuigid;
  let browser: Browser;
  let page: Page;
  let shots: string;
  let shot = 0;
  const violations: string[] = [];
  const errors: string[] = [];
  const snap = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(shots, `${String(++shot).padStart(2, "0")}-${name}.png`) });
  };
  const timeline = (args: Record<string, unknown> = {}) =>
    rpc<StepTimeline>(daemon.url, "step_timeline", args);

  beforeAll(async () => {
    shots = screenshotDir();
    console.log(`timeline screenshots: ${shots}`);
    const w = workdir();
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(
      cfg,
      `[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = sqlite:///${path.join(w.dir, "h.db")}\n`,
    );
    daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], {
      cwd: w.dir,
      env: { LUIGI_CONFIG_PATH: cfg },
    });
    const env = { OUT: w.out, LUIGI_CONFIG_PATH: "" };
    const common = ["--module", PIPELINE, "--scheduler-url", daemon.url, "--no-lock"];
    // Side first: Top's run then finishes last, so the critical path ends there.
    const side = await runLuigi([...common, "Side", "--n", "1"], { cwd: w.dir, env });
    expect(side.code).not.toBe(0);
    const main = await runLuigi([...common, "Top", "--name", "top", "--workers", "2"], { cwd: w.dir, env });
    expect(main.code, main.stderr).toBe(0);
    browser = await launchChromium();
    page = await newPage(browser, violations, errors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  test("the Gantt chart draws a bar per run the scheduler answers, and marks the critical path", async () => {
    const answer = await timeline();
    expect(answer.bars.length).toBe(9);
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=timeline`);
    await poll(() => attr(page, "data-bars")).toBe("9");
    await poll(() => attr(page, "data-drawn").then(Number)).toBeGreaterThan(0);
    expect(await page.locator("canvas").count()).toBeGreaterThan(0);
    await poll(() => txt(page.getByTestId("timeline-summary"))).toContain("9 runs · 1 failed · 0 running");

    // The critical path: the chain ending at the run that finished last, each link the dep that
    // finished last (Slow, not Fast, held Mid up).
    const expected = criticalPath(fromLive(answer).bars);
    const families = expected.map((id) => answer.bars.find((b) => b.id === id)?.family);
    expect(families).toEqual(["Extract", "Slow", "Mid", "Top"]);
    const listed = page.locator('[data-testid="critical-path"] li');
    await poll(() => listed.count()).toBe(4);
    expect(await stepIds(listed)).toEqual(expected);
    await snap("timeline");
  });

  test("a click on a bar shows its run: id, family, worker, start, end, duration", async () => {
    const answer = await timeline();
    const broken = answer.bars.find((b) => b.family === "Broken");
    expect(broken?.status).toBe("FAILED");
    const at = await pixelOf(page, broken?.id ?? "");
    expect(at).not.toBeNull();
    await page.mouse.click(at?.[0] ?? 0, at?.[1] ?? 0);
    const details = page.getByTestId("bar-details");
    await poll(() => details.getAttribute("data-step-id")).toBe(broken?.id);
    expect(await txt(details.locator(".bar-id"))).toBe(broken?.id);
    expect(await txt(details.locator(".bar-worker"))).toBe(broken?.worker);
    expect(await txt(details.locator("h3"))).toContain("Broken");
    expect(await txt(details.locator("h3"))).toContain("Failed");
    expect(await txt(details.locator(".bar-took"))).toMatch(/^\d+(\.\d)? (ms|s)$/);
    expect(await txt(details.locator(".bar-end"))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // Details opens the step's side panel (its error is there).
    await details.getByRole("button", { name: "Details" }).click();
    await poll(() => page.url()).toContain(`detail=${encodeURIComponent(broken?.id ?? "")}`);
    await snap("bar-details");
  });

  test("the wheel zooms in time around the pointer; a drag moves the window", async () => {
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=timeline`);
    await poll(() => attr(page, "data-drawn").then(Number)).toBeGreaterThan(0);
    const span = async (): Promise<[number, number]> => [
      Number(await attr(page, "data-from")),
      Number(await attr(page, "data-to")),
    ];
    await poll(() => attr(page, "data-to")).not.toBe("");
    const [from0, to0] = await span();
    const box = await gantt(page).boundingBox();
    expect(box).not.toBeNull();
    const cx = (box?.x ?? 0) + (box?.width ?? 0) / 2;
    const cy = (box?.y ?? 0) + (box?.height ?? 0) / 2;
    await page.mouse.move(cx, cy);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -300);
    await poll(async () => {
      const [from, to] = await span();
      return to - from < (to0 - from0) * 0.8 && from >= from0 && to <= to0;
    }).toBe(true);
    const [from1, to1] = await span();
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 200, cy, { steps: 5 });
    await page.mouse.up();
    await poll(async () => (await span())[0] < from1).toBe(true);
    const [from2, to2] = await span();
    expect(Math.abs(to2 - from2 - (to1 - from1))).toBeLessThan((to1 - from1) * 0.05);
    await snap("zoomed");
  });

  test("the worker filter shows one worker's runs", async () => {
    const all = await timeline();
    const side = all.workers.find((w) => w.runs === 4);
    expect(all.workers).toHaveLength(2);
    expect(side).toBeDefined();
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=timeline`);
    await poll(() => attr(page, "data-bars")).toBe("9");
    await page.locator('select[aria-label="Worker"]').selectOption(side?.worker ?? "");
    await poll(() => attr(page, "data-bars")).toBe("4");
    expect(page.url()).toContain("tlWorker=");
    const mine = await timeline({ worker: side?.worker });
    expect(mine.bars.every((b) => b.worker === side?.worker)).toBe(true);
    const longest = page.locator('[data-testid="longest"] li');
    await poll(() => longest.count()).toBe(4);
    const ids = await stepIds(longest);
    expect(new Set(ids)).toEqual(new Set(mine.bars.map((b) => b.id)));
    // A reload keeps the filter.
    await page.reload();
    await poll(() => attr(page, "data-bars")).toBe("4");
    await snap("one-worker");
  });

  test("the History source draws the runs the step history recorded", async () => {
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=timeline&tlSource=history`);
    // The history writer batches: every run is there once its events are written.
    await poll(() => attr(page, "data-bars")).toBe("9");
    await poll(() => attr(page, "data-drawn").then(Number)).toBeGreaterThan(0);
    expect(await txt(page.locator(".timeline-lists"))).toContain("does not record dependencies");
    const json = (await (await fetch(`${daemon.url}/history/timeline.json`)).json()) as {
      bars: { id: string; family: string; run: number }[];
    };
    const broken = json.bars.find((b) => b.family === "Broken");
    const at = await pixelOf(page, broken?.id ?? "");
    await page.mouse.click(at?.[0] ?? 0, at?.[1] ?? 0);
    const details = page.getByTestId("bar-details");
    await poll(() => txt(details.locator(".bar-error"))).toContain("the partner's feed was empty");
    expect(await details.locator(`a[href="../../history/by_id/${broken?.run}"]`).count()).toBe(1);
    await snap("history-source");
  });

  test("/tasklist lists the families with p50 / p95; /tasklist/{name} draws the durations", async () => {
    await page.goto(`${daemon.url}/tasklist`);
    const row = page.locator('tr[data-family="Extract"]');
    await poll(() => row.count()).toBe(1);
    const figures = (await (await fetch(`${daemon.url}/tasklist?format=json`)).json()) as {
      families: { family: string; runs: number; failed: number }[];
    };
    expect(figures.families.find((f) => f.family === "Broken")).toMatchObject({ runs: 1, failed: 1 });
    expect(figures.families.find((f) => f.family === "Extract")).toMatchObject({ runs: 4, failed: 0 });
    await snap("tasklist");
    await row.getByRole("link", { name: "Extract" }).click();
    await poll(() => page.url()).toContain("/tasklist/Extract");
    const chart = page.locator("#trend-chart");
    await poll(() => chart.getAttribute("data-drawn").then(Number)).toBeGreaterThan(0);
    expect(await chart.getAttribute("data-points")).toBe("4");
    expect(await chart.locator("canvas").count()).toBeGreaterThan(0);
    expect(await page.locator('[data-figure="p50"] dd').textContent()).toMatch(/ms|s/);
    await snap("tasklist-family");
    await page.goto(`${daemon.url}/tasklist/Broken`);
    await poll(() => page.locator("#trend-chart").getAttribute("data-failed")).toBe("1");
  });

  test("no page broke the Content-Security-Policy or logged an error", () => {
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe.skipIf(SKIP !== null)("Timeline with 10,000 bars in Chromium", () => {
  let daemon: RunningLuigid;
  let browser: Browser;
  const CHAINS = 100;
  const LENGTH = 100;

  beforeAll(async () => {
    const w = workdir();
    daemon = await startLuigid(["--state-path", path.join(w.dir, "state.json")], { cwd: w.dir });
    await loadChains(daemon.url, CHAINS, LENGTH);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  test("every bar is drawn, and the critical path runs down one chain", async () => {
    const answer = await rpc<StepTimeline>(daemon.url, "step_timeline", {});
    expect(answer.bars).toHaveLength(CHAINS * LENGTH);
    const violations: string[] = [];
    const errors: string[] = [];
    const page = await newPage(browser, violations, errors);
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=timeline&tlHours=0`);
    await poll(() => attr(page, "data-bars"), 30_000).toBe(String(CHAINS * LENGTH));
    await poll(() => attr(page, "data-drawn").then(Number), 30_000).toBeGreaterThan(0);
    const expected = criticalPath(fromLive(answer).bars);
    expect(expected).toHaveLength(LENGTH);
    const listed = page.locator('[data-testid="critical-path"] li');
    await poll(() => listed.count(), 30_000).toBe(LENGTH);
    expect(await stepIds(listed)).toEqual(expected);
    // Zooming in still answers.
    const box = await gantt(page).boundingBox();
    await page.mouse.move((box?.x ?? 0) + 400, (box?.y ?? 0) + 200);
    const before = Number(await attr(page, "data-to")) - Number(await attr(page, "data-from"));
    await page.mouse.wheel(0, -600);
    await poll(
      async () => Number(await attr(page, "data-to")) - Number(await attr(page, "data-from")),
    ).toBeLessThan(before);
    await page.screenshot({ path: path.join(screenshotDir(), "timeline-10k.png") });
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});

/**
 * `chains` chains of `length` steps (each needs the one before), registered and run through luigid's API
 * as a worker would (add_tasks, then get_works reporting the previous hand-outs DONE), so the scheduler
 * holds chains × length finished runs.
 */
export async function loadChains(url: string, chains: number, length: number): Promise<void> {
  const worker = "Worker(salt=timeline, workers=100, host=bench, username=u, pid=1)";
  const tasks = [];
  for (let c = 0; c < chains; c++) {
    for (let i = 0; i < length; i++) {
      tasks.push({
        task_id: `Step_c${c}_${i}`,
        family: `Family${i % 7}`,
        deps: i === 0 ? [] : [`Step_c${c}_${i - 1}`],
      });
    }
  }
  for (let i = 0; i < tasks.length; i += 2000) {
    await rpc(url, "add_tasks", { worker, tasks: tasks.slice(i, i + 2000) });
  }
  let reports: { task_id: string; status: string }[] = [];
  for (let round = 0; round < chains * length; round++) {
    const answer = await rpc<GetWorksResponse>(url, "get_works", {
      worker,
      host: "bench",
      max_tasks: 100,
      reports,
    });
    const ids = answer.replies.map((r) => r.task_id).filter((id): id is string => id !== null);
    if (ids.length === 0 && reports.length === 0) break;
    reports = ids.map((task_id) => ({ task_id, status: "DONE" }));
  }
}
