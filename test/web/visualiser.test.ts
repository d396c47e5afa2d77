/**
 * The visualiser in a real browser against a real luigid with a real luigi worker: the nightly story of
 * issue 5 (find the failing step, read its error, see what it blocks, forgive it), plus the guards:
 * HTML in parameters stays text, the view survives a reload, auto-refresh can be paused, a narrow window
 * works, API errors are shown; and the details of issue 10 that misled: graph nodes told apart by their
 * parameters and coloured with the list's statuses, no developer timings, a re-run command that runs
 * when pasted, every column in view with the details open, no text run together. Screenshots go to a
 * folder the test prints.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import type { StepPage } from "../../src/scheduler/api.js";
import { collect, LUIGI_BIN, ROOT, startLuigi, workdir } from "../helpers/cli.js";
import { rpc, startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { until } from "../helpers/wait.js";
import { browserSkipReason, launchChromium, screenshotDir, txt } from "./browser.js";
import {
  FIND_RUN_TOGETHERS,
  GRAPH_NODES,
  TABLE_COLUMNS,
  type DrawnNode,
  type TableColumns,
} from "./page-probes.js";

const SKIP = browserSkipReason();
if (SKIP) console.warn(`visualiser browser tests skipped: ${SKIP}`);

const PIPELINE = path.join(ROOT, "test/web/fixtures/pipeline.ts");
const DAY = "2026-11-20";

/** expect.poll with room for a page to load and refresh. */
function poll<T>(probe: () => T | Promise<T>, options: { timeout: number } = { timeout: 10_000 }) {
  return expect.poll(probe, { ...options, interval: 100 });
}

describe.skipIf(SKIP !== null)("visualiser in Chromium (real luigid, real worker)", () => {
  let daemon: RunningLuigid;
  let worker: ChildProcess;
  let browser: Browser;
  let page: Page;
  let shots: string;
  let dir: string;
  let shot = 0;
  const snap = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(shots, `${String(++shot).padStart(2, "0")}-${name}.png`) });
  };
  const counts = async (): Promise<StepPage["counts"]> =>
    (await rpc<StepPage>(daemon.url, "step_page", { limit: 0 })).counts;
  const cardCount = async (category: string): Promise<string> =>
    (await page.locator(`.card[data-category="${category}"] .card-count`).textContent()) ?? "";

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, "dist/web/index.html"))) {
      throw new Error("dist/web is missing: run `npm run build` (it builds the visualiser)");
    }
    shots = screenshotDir();
    console.log(`visualiser screenshots: ${shots}`);
    const w = workdir();
    dir = w.dir;
    const cfg = path.join(dir, "luigid.cfg");
    writeFileSync(cfg, "[resources]\nwarehouse = 2\n");
    daemon = await startLuigid(["--state-path", path.join(dir, "state.json")], {
      cwd: dir,
      env: { LUIGI_CONFIG_PATH: cfg },
    });
    const wcfg = path.join(dir, "worker.cfg");
    writeFileSync(wcfg, "[worker]\nwait_interval = 0.1\nwait_jitter = 0.1\nping_interval = 0.5\n");
    worker = startLuigi(
      [
        "--module",
        PIPELINE,
        "Nightly",
        "--day",
        DAY,
        "--scheduler-url",
        daemon.url,
        "--workers",
        "2",
        "--no-lock",
      ],
      {
        cwd: dir,
        env: {
          LUIGI_CONFIG_PATH: wcfg,
          OUT: path.join(dir, "out"),
          RELEASE: path.join(dir, "release"),
          FIXED: path.join(dir, "fixed"),
        },
      },
    );
    await until("a failed and a running step", async () => {
      const c = await counts();
      return c.FAILED === 1 && c.RUNNING === 1 && c.DONE === 4;
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  }, 60_000);

  afterAll(async () => {
    if (dir) writeFileSync(path.join(dir, "release"), "go");
    await browser?.close();
    if (worker && worker.exitCode === null) worker.kill("SIGTERM");
    await daemon?.stop();
  });

  test("luigid serves the page; the cards show the API's counts", async () => {
    await page.goto(`${daemon.url}/`);
    expect(page.url()).toContain("/static/visualiser/index.html");
    await poll(() => cardCount("FAILED")).toBe("1");
    await poll(() => page.locator("tbody tr").count()).toBe(8);
    const api = await counts();
    for (const [category, n] of Object.entries(api)) expect(await cardCount(category)).toBe(String(n));
    // The same numbers as Luigi's own listing.
    const done = await rpc<Record<string, unknown>>(daemon.url, "task_list", { status: "DONE" });
    expect(Object.keys(done)).toHaveLength(api.DONE);
    await poll(() => txt(page.locator(".topbar .title"))).toBe("luigi-ts");
    await snap("steps");
  });

  test("filter by family, by status and by search text", async () => {
    await page.locator('.family[data-family="Extract"]').click();
    await poll(() => page.locator("tbody tr").count()).toBe(3);
    expect(page.url()).toContain("family=Extract");
    await page.locator('.family[data-family="Extract"]').click();
    await poll(() => page.locator("tbody tr").count()).toBe(8);
    await page.locator('.card[data-category="UPSTREAM_FAILED"]').click();
    await poll(() => page.locator("tbody tr").count()).toBe(2);
    await page.locator('.card[data-category="UPSTREAM_FAILED"]').click();
    await page.getByLabel("Search steps").fill("extract region=eu");
    await poll(() => page.locator("tbody tr").count()).toBe(1);
    await poll(() => txt(page.locator("tbody tr td.params"))).toBe("day=2026-11-20, region=eu");
    await snap("search");
  });

  test("a parameter holding HTML is shown as text, never run", async () => {
    await page.getByLabel("Search steps").fill("onerror");
    await poll(() => page.locator("tbody tr").count()).toBe(1);
    await expect
      .poll(() => txt(page.locator("tbody tr td.params")))
      .toBe("label=<img src=x onerror=window.__xss=1>");
    await page.locator("tbody tr").click();
    await poll(() => txt(page.locator(".params-table td"))).toBe("<img src=x onerror=window.__xss=1>");
    expect(await page.locator("main img, .details img").count()).toBe(0);
    expect(await page.evaluate("typeof window.__xss")).toBe("undefined");
    await snap("xss-as-text");
    await page.getByLabel("Close details").click();
    await page.getByRole("button", { name: "Clear filters" }).click();
  });

  test("the failed step's error and traceback, and the command to re-run it", async () => {
    await page.locator('.card[data-category="FAILED"]').click();
    await poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.locator("tbody tr").click();
    const traceback = page.getByTestId("traceback");
    await poll(() => txt(traceback)).toContain("the warehouse rejected row 42: duplicate key");
    await poll(() => txt(traceback)).toContain("at Load.run");
    const command = page.getByTestId("rerun-command");
    await poll(() => txt(command)).toContain(" Load ");
    const line = await txt(command);
    expect(line).toBe(`npx luigi --module ${PIPELINE} Load --day=${DAY} --scheduler-url ${daemon.url}`);
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Its neighbours by name (family and parameters), not by id.
    const details = page.locator(".details");
    await poll(() => txt(details)).toContain("Needed by (1)");
    for (const region of ["eu", "us", "apac"]) {
      await poll(() => txt(details)).toContain(`Extract(day=${DAY}, region=${region})`);
    }
    await poll(() => txt(details)).toContain(`Report(day=${DAY})`);
    await snap("failed-error");
  });

  test("the view state lives in the URL: a reload shows the same view", async () => {
    const before = page.url();
    expect(before).toContain("statuses=");
    expect(before).toContain("detail=Load_");
    await page.reload();
    await poll(() => txt(page.getByTestId("traceback"))).toContain("row 42");
    await expect
      .poll(() =>
        page.locator('.card[data-category="FAILED"]').getAttribute("aria-pressed", { timeout: 1000 }),
      )
      .toBe("true");
    expect(page.url()).toBe(before);
  });

  test("the graph of what the failed step blocks; clicking a node shows its details", async () => {
    await page.locator(".details").getByRole("button", { name: "What it blocks" }).click();
    await poll(() => page.locator("svg.graph-svg g.node").count()).toBe(3);
    await poll(() => page.locator('g.node[data-status="FAILED"]').count()).toBe(1);
    // What the failed step blocks is upstream-failed, coloured as the list's upstream-failed rows.
    const blocked = page.locator('g.node[data-status="UPSTREAM_FAILED"]');
    await poll(() => blocked.count()).toBe(2);
    const list = await rpc<StepPage>(daemon.url, "step_page", { statuses: ["UPSTREAM_FAILED"], limit: 10 });
    const listed = list.rows.map((r) => r.task_id).sort();
    const drawn = (await page.evaluate<DrawnNode[]>(GRAPH_NODES)).filter(
      (n) => n.status === "UPSTREAM_FAILED",
    );
    expect(drawn.map((n) => n.id).sort()).toEqual(listed);
    for (const n of drawn) {
      expect(n.fill).toBe("#8B0000");
      expect(n.title).toMatch(/\nUpstream failed$/);
    }
    // The details of such a step say so too, as the list does (its scheduler status is PENDING).
    await page.locator(`g.node[data-id="${listed[0] ?? ""}"]`).click();
    await poll(() => txt(page.locator(".details .details-status .badge"))).toBe("Upstream failed");
    // The legend has the list's statuses, upstream ones included.
    const legend = page.getByRole("list", { name: "Legend" });
    const entries = await legend.locator("li").allTextContents();
    for (const label of ["Pending", "Running", "Batch running", "Done", "Failed", "Upstream failed"]) {
      expect(entries).toContain(label);
    }
    for (const label of ["Disabled", "Upstream disabled", "Unknown"]) expect(entries).toContain(label);
    const swatch = legend.locator('li[data-status="UPSTREAM_FAILED"] .swatch');
    expect(await swatch.getAttribute("style")).toContain("rgb(139, 0, 0)");
    // The header says how many steps are shown, and nothing about layout timings.
    const count = page.getByTestId("graph-count");
    await poll(() => count.getAttribute("data-layout", { timeout: 1000 })).toBe("final");
    expect(await txt(count)).toBe("3 steps shown");
    for (const header of [".graph-info", ".graph-controls", ".topbar"]) {
      const text = await txt(page.locator(header));
      expect(text).not.toMatch(/\d\s*ms\b|dagre|layout/i);
    }
    await snap("graph-dependents");
    await page.getByRole("button", { name: "Dependencies (upstream)" }).click();
    await poll(() => page.locator("svg.graph-svg g.node").count()).toBe(4);
    // Three Extract nodes, told apart by their parameters on the node itself; each text fits its box
    // and the tooltip has the full name.
    const nodes = await page.evaluate<DrawnNode[]>(GRAPH_NODES);
    const extracts = nodes.filter((n) => n.family === "Extract");
    expect(extracts.map((n) => n.detail).sort()).toEqual([
      `day=${DAY}, region=apac`,
      `day=${DAY}, region=eu`,
      `day=${DAY}, region=us`,
    ]);
    for (const n of nodes) expect(n.room, n.id).toBeGreaterThan(0);
    for (const n of extracts) expect(n.title).toMatch(/^Extract\(day=2026-11-20, region=\w+\)\nDone$/);
    const report = await rpc<StepPage>(daemon.url, "step_page", { family: "Extract", limit: 1 });
    const extractId = report.rows[0]?.task_id ?? "";
    await page.locator(`g.node[data-id="${extractId}"]`).click();
    await poll(() => page.locator(".details").getAttribute("data-task-id", { timeout: 1000 })).toBe(
      extractId,
    );
    await poll(() => txt(page.locator(".details h2"))).toContain("Extract(day=2026-11-20");
    await snap("graph-node-details");
    // Wheel zoom and drag pan change the transform.
    const g = page.locator("svg.graph-svg > g");
    const before = await g.getAttribute("transform", { timeout: 1000 });
    await page.mouse.move(500, 500);
    await page.mouse.wheel(0, -300);
    await poll(() => g.getAttribute("transform", { timeout: 1000 })).not.toBe(before);
  });

  test("forgive failures: confirmed, and the status changes at once", async () => {
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=steps&statuses=["FAILED"]`);
    await poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.locator("tbody tr").click();
    writeFileSync(path.join(dir, "fixed"), "yes");
    await page.locator(".details").getByRole("button", { name: "Forgive failures" }).click();
    const dialog = page.getByRole("dialog");
    await poll(() => txt(dialog)).toContain("Forgive failures");
    await snap("confirm-forgive");
    await dialog.getByRole("button", { name: "Forgive failures" }).click();
    await poll(() => dialog.count()).toBe(0);
    await poll(() => txt(page.locator(".details .details-status .badge"))).not.toBe("Failed");
    await poll(() => cardCount("FAILED")).toBe("0");
    const load = await rpc<StepPage>(daemon.url, "step_page", { family: "Load", limit: 1 });
    expect(load.rows[0]?.status).not.toBe("FAILED");
    await snap("after-forgive");
  });

  test("workers and resources tabs", async () => {
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=workers`);
    const card = page.locator(".worker-card").first();
    await poll(() => txt(card)).toContain("Running");
    await poll(() => txt(card.getByTestId("num-running"))).toBe("1");
    await poll(() => txt(card)).toContain("Waiter(day=2026-11-20)");
    await snap("workers");
    await page.getByRole("link", { name: "Resources" }).click();
    await expect
      .poll(() => txt(page.locator('.resource-card[data-resource="warehouse"]')))
      .toContain("0 / 2 used");
    await snap("resources");
  });

  test("the command to re-run, pasted into a shell as it is, runs that very step", async () => {
    const odd = await rpc<StepPage>(daemon.url, "step_page", { family: "Odd", limit: 1 });
    const oddId = odd.rows[0]?.task_id ?? "";
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=steps&detail=${oddId}`);
    await poll(() => page.locator(".details").getAttribute("data-task-id", { timeout: 1000 })).toBe(oddId);
    const command = page.getByTestId("rerun-command");
    await poll(() => txt(command)).toContain(" Odd ");
    const line = await txt(command);
    expect(line).toBe(
      `npx luigi --module ${PIPELINE} Odd --label='<img src=x onerror=window.__xss=1>' --scheduler-url ${daemon.url}`,
    );
    // `npx luigi` is the project's luigi; here a shim on PATH stands for it (no registry, no network).
    const bin = path.join(dir, "shim");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      path.join(bin, "npx"),
      `#!/bin/sh\n[ "$1" = luigi ] || exit 97\nshift\nexec "${process.execPath}" "${LUIGI_BIN}" "$@"\n`,
    );
    chmodSync(path.join(bin, "npx"), 0o755);
    for (let round = 1; round <= 2; round++) {
      const workersBefore = (await rpc<unknown[]>(daemon.url, "worker_list", {})).length;
      const run = await collect(
        spawn("/bin/sh", ["-c", line], {
          cwd: dir,
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH ?? ""}`,
            OUT: path.join(dir, "out"),
            NO_COLOR: "1",
          },
          stdio: ["ignore", "pipe", "pipe"],
        }),
      );
      const output = `round ${round}: ${run.stdout}${run.stderr}`;
      expect(run.code, output).toBe(0);
      // The same step (same parameters, so the same id), found complete by a worker of this luigid.
      expect(output).toContain("complete ones were encountered");
      expect(output).toContain("Odd(label=<img src=x onerror=window.__xss=1>)");
      expect((await rpc<unknown[]>(daemon.url, "worker_list", {})).length, output).toBe(workersBefore + 1);
      const after = await rpc<StepPage>(daemon.url, "step_page", { family: "Odd", limit: 5 });
      expect(
        after.rows.map((r) => r.task_id),
        output,
      ).toEqual([oddId]);
    }
  });

  test("auto-refresh can be switched off and on", async () => {
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=steps`);
    await poll(() => cardCount("RUNNING")).toBe("1");
    const toggle = page.getByLabel("Auto-refresh");
    await toggle.uncheck();
    writeFileSync(path.join(dir, "release"), "go");
    await until("the waiter to finish", async () => (await counts()).RUNNING === 0);
    await page.waitForTimeout(6000);
    expect(await cardCount("RUNNING")).toBe("1");
    await toggle.check();
    await poll(() => cardCount("RUNNING"), { timeout: 10_000 }).toBe("0");
  }, 40_000);

  test("with the details open every column of the list stays in view, at 1280 px and narrower", async () => {
    const steps = `${daemon.url}/static/visualiser/index.html#tab=steps`;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(steps);
    await poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    const wide = await page.evaluate<TableColumns>(TABLE_COLUMNS);
    expect(wide.shown).toHaveLength(8);
    expect(wide.outside).toEqual([]);
    for (const width of [1280, 1024, 900]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(steps);
      await poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
      await page.locator("tbody tr").first().click();
      await poll(() => page.locator(".details .details-status").count()).toBe(1);
      await snap(`details-open-${width}`);
      const columns = await page.evaluate<TableColumns>(TABLE_COLUMNS);
      // At 1280 px only start time and priority give way; narrower, worker and message too.
      const kept = [
        "Status",
        "Family",
        "Parameters",
        "Updated",
        ...(width >= 1280 ? ["Worker", "Message"] : []),
      ];
      expect(columns.shown, `at ${width} px`).toEqual(expect.arrayContaining(kept));
      expect(columns.outside, `at ${width} px`).toEqual([]);
      expect(columns.overflow, `at ${width} px`).toBeLessThanOrEqual(0);
      expect(columns.pageOverflow, `at ${width} px`).toBeLessThanOrEqual(0);
      // The details panel is beside the list, not over it.
      const table = await page.locator(".table-wrap").boundingBox();
      const panel = await page.locator(".details").boundingBox();
      expect((table?.x ?? 0) + (table?.width ?? 0)).toBeLessThanOrEqual((panel?.x ?? 0) + 1);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test("no text runs into its neighbour (as 'rows50' did): list, details, graph, workers, resources", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const load = await rpc<StepPage>(daemon.url, "step_page", { family: "Load", limit: 1 });
    const loadId = load.rows[0]?.task_id ?? "";
    const base = `${daemon.url}/static/visualiser/index.html`;
    const views: [string, string][] = [
      ["#tab=steps", "tbody tr"],
      [`#tab=steps&detail=${loadId}`, ".details .details-status"],
      [`#tab=graph&taskId=${loadId}`, 'g.node[data-id^="Extract"]'],
      ["#tab=workers", ".worker-card"],
      ["#tab=resources", ".resource-card"],
    ];
    for (const [hash, ready] of views) {
      await page.goto(`${base}${hash}`);
      await poll(() => page.locator(ready).count()).toBeGreaterThan(0);
      expect(await page.evaluate<string[]>(FIND_RUN_TOGETHERS), hash).toEqual([]);
    }
    await page.goto(`${base}#tab=steps`);
    await poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    expect(await page.locator(".pager label").textContent()).toMatch(/^Rows per page \d+/);
    expect(await page.getByLabel("Rows per page").inputValue()).toBe("50");
    // The cards' and families' names read as words too (screen readers read the text as it is).
    expect(await page.locator('.card[data-category="FAILED"]').textContent()).toMatch(/^\d+ Failed$/);
    expect(await page.locator('.family[data-family="Extract"]').textContent()).toBe("Extract 3");
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test("a narrow window: no horizontal scrolling of the page", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=steps`);
    await poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await snap("narrow");
    await page.locator("tbody tr").first().click();
    await poll(() => page.locator(".details").isVisible()).toBe(true);
    await snap("narrow-details");
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test("API errors are shown to the user", async () => {
    await page.goto(`${daemon.url}/static/visualiser/index.html#tab=steps`);
    await poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    await daemon.stop();
    await page.getByLabel("Refresh now").click();
    await poll(() => txt(page.getByRole("alert"))).toContain("unreachable");
    await snap("api-error");
  });
});
