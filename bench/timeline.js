/* global document, window -- the probes run inside the page */
// The Timeline benchmark (part of `npm run bench`; alone: node bench/timeline.js [runs]). Two luigids
// hold the finished runs of 10,000 and (the baseline) 1,000 steps: chains of 100 steps, handed out and
// reported DONE through the API as a worker would. In headless Chromium (Debian's /usr/bin/chromium),
// each run in a fresh context (cold cache) measures the Timeline tab's time from navigation start to the
// Gantt chart's first complete draw (ECharts' `finished`), the draw itself (setOption to finished,
// `data-draw-ms`), and a zoom: from a wheel event over the chart to the redraw it causes (this includes
// ECharts' dataZoom throttle of 100 ms). Medians of the runs, and the ratio 10,000 / 1,000. Prints
// figures; asserts nothing. Run it under `flock /tmp/bench.lock`.
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import chromiumSettings from "./chromium.json" with { type: "json" };
import { fmt, median, ROOT, rpc, startLuigid, tempDir } from "./lib.js";

const CHROMIUM = process.env.LUIGI_TEST_CHROMIUM ?? chromiumSettings.executable;
const RUNS = Number(process.argv[2] ?? process.env.BENCH_REPEATS ?? "5");
const CHAIN = 100;

/** `n` steps in chains of CHAIN, run to DONE through get_works (100 hand-outs a call). */
async function fill(url, n) {
  const worker = "Worker(salt=timeline, workers=100, host=bench, username=bench, pid=1)";
  const tasks = [];
  for (let c = 0; c < n / CHAIN; c++)
    for (let i = 0; i < CHAIN; i++)
      tasks.push({
        task_id: `Step_c${c}_${i}`,
        family: `Family${i % 7}`,
        deps: i ? [`Step_c${c}_${i - 1}`] : [],
      });
  for (let i = 0; i < tasks.length; i += 2000)
    await rpc(url, "add_tasks", { worker, tasks: tasks.slice(i, i + 2000) });
  let reports = [];
  for (let round = 0; round < n + 1; round++) {
    const { replies } = await rpc(url, "get_works", { worker, host: "bench", max_tasks: 100, reports });
    const ids = replies.map((r) => r.task_id).filter((id) => id !== null);
    if (ids.length === 0 && reports.length === 0) break;
    reports = ids.map((task_id) => ({ task_id, status: "DONE" }));
  }
  const bars = (await rpc(url, "step_timeline", {})).bars.length;
  if (bars !== n) throw new Error(`expected ${n} bars, luigid answers ${bars}`);
}

async function measure(browser, url, n) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  await page.goto(`${url}/static/visualiser/index.html#tab=timeline&tlHours=0`);
  const gantt = '[data-testid="gantt"]';
  const first = await page.waitForFunction(
    ([sel, bars]) => {
      const el = document.querySelector(sel);
      return el?.getAttribute("data-bars") === String(bars) && Number(el.getAttribute("data-drawn")) > 0
        ? performance.now()
        : false;
    },
    [gantt, n],
    { polling: "raf", timeout: 120_000 },
  );
  const firstMs = await first.jsonValue();
  const drawMs = Number(await page.locator(gantt).getAttribute("data-draw-ms"));
  const drawn = Number(await page.locator(gantt).getAttribute("data-drawn"));
  await page.evaluate(() => {
    document.addEventListener("wheel", () => (window.__wheelAt ??= performance.now()), { capture: true });
  });
  const box = await page.locator(gantt).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  const zoom = await page.waitForFunction(
    ([sel, before]) =>
      Number(document.querySelector(sel)?.getAttribute("data-drawn")) > before &&
      window.__wheelAt !== undefined &&
      performance.now() - window.__wheelAt,
    [gantt, drawn],
    { polling: "raf", timeout: 60_000 },
  );
  const zoomMs = await zoom.jsonValue();
  await context.close();
  return { firstMs, drawMs, zoomMs };
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.log(`timeline: skipped (${CHROMIUM} is missing; apt-get install chromium)`);
    console.log(JSON.stringify({ skipped: true }));
    return;
  }
  if (!existsSync(path.join(ROOT, "dist/web/index.html")))
    throw new Error("dist/web is missing: npm run build");
  const sizes = [10_000, 1_000];
  const daemons = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumSettings.args });
  const out = {};
  try {
    for (const n of sizes) {
      const daemon = await startLuigid(path.join(tempDir(), "state.json"));
      daemons.push(daemon);
      await fill(daemon.url, n);
    }
    console.log(`timeline: Gantt chart of finished runs, ${RUNS} runs each, load ${loadavg()[0].toFixed(1)}`);
    for (const [i, n] of sizes.entries()) {
      const runs = [];
      for (let r = 0; r < RUNS; r++) runs.push(await measure(browser, daemons[i].url, n));
      const m = (k) => median(runs.map((x) => x[k]));
      out[n] = { firstMs: m("firstMs"), drawMs: m("drawMs"), zoomMs: m("zoomMs") };
      console.log(
        `  ${fmt(n).padStart(6)} bars: first draw ${fmt(out[n].firstMs)} ms from navigation ` +
          `(runs: ${runs.map((x) => fmt(x.firstMs)).join(", ")}), draw ${fmt(out[n].drawMs)} ms, ` +
          `zoom (wheel to redrawn) ${fmt(out[n].zoomMs)} ms (runs: ${runs.map((x) => fmt(x.zoomMs)).join(", ")})`,
      );
    }
    const ratio = (k) => out[10_000][k] / out[1_000][k];
    console.log(
      `  10,000 / 1,000 bars: first draw ×${fmt(ratio("firstMs"), 2)}, draw ×${fmt(ratio("drawMs"), 2)}, ` +
        `zoom ×${fmt(ratio("zoomMs"), 2)}`,
    );
  } finally {
    await browser.close();
    for (const d of daemons) await d.stop();
  }
  console.log(JSON.stringify(out));
}

await main();
