/* global document -- the probes run inside the page */
// The visualiser benchmark (part of `npm run bench`; runs alone too: node bench/visualiser.js [runs]).
// Starts luigid, fills it with 100,000 steps (a 1,000-node dependency graph among them) through the
// add_tasks batch endpoint, then in headless Chromium (Debian's /usr/bin/chromium) measures, from
// navigation start, the time until the step list shows its rows and until the 1,000-node graph has
// drawn its SVG nodes. Medians of several runs, each in a fresh browser context (cold cache). It also
// times the step_page query itself. Prints figures; asserts nothing.
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import chromiumSettings from "./chromium.json" with { type: "json" };
import { fmt, median, ROOT, rpc, startLuigid, tempDir, WORKER } from "./lib.js";

// Debian's Chromium and its flags, shared with the browser tests (test/web/browser.ts).
const CHROMIUM = process.env.LUIGI_TEST_CHROMIUM ?? chromiumSettings.executable;
const TOTAL = Number(process.env.BENCH_VIS_STEPS ?? "100000");
const GRAPH_NODES = 1000;
const RUNS = Number(process.argv[2] ?? process.env.BENCH_REPEATS ?? "5");
const FAMILIES = [
  "etl.Extract",
  "etl.Transform",
  "etl.Load",
  "report.Daily",
  "report.Weekly",
  "Cleanup",
  "Backup",
];

function task(id, family, params, status, deps = []) {
  return { task_id: id, family, module: "bench", params, status, deps, runnable: true };
}

/** The graph: a root over 999 steps in layers of ~111, each depending on two steps of the next layer. */
function graphTasks() {
  const layers = 9;
  const perLayer = Math.ceil((GRAPH_NODES - 1) / layers);
  const ids = [];
  for (let l = 0; l < layers; l++) {
    const layer = [];
    for (let i = 0; i < perLayer && ids.flat().length + layer.length < GRAPH_NODES - 1; i++)
      layer.push(`G${l}_${i}_${(l * 7919 + i).toString(16).padStart(10, "0")}`);
    ids.push(layer);
  }
  const tasks = [];
  ids.forEach((layer, l) => {
    const next = ids[l + 1] ?? [];
    layer.forEach((id, i) => {
      const deps = next.length ? [next[i % next.length], next[(i * 7 + 3) % next.length]] : [];
      const status = l >= 6 ? "DONE" : l === 5 && i % 17 === 0 ? "FAILED" : "PENDING";
      tasks.push(task(id, `graph.Layer${l}`, { i: String(i) }, status, [...new Set(deps)]));
    });
  });
  tasks.push(task("GraphRoot__99914b932b", "graph.Root", {}, "PENDING", ids[0]));
  return tasks;
}

async function fill(url) {
  const graph = graphTasks();
  const rest = TOTAL - graph.length;
  const started = performance.now();
  await rpc(url, "add_tasks", { worker: WORKER, tasks: graph });
  const batch = 2000;
  for (let start = 0; start < rest; start += batch) {
    const tasks = [];
    for (let i = start; i < Math.min(rest, start + batch); i++) {
      const family = FAMILIES[i % FAMILIES.length];
      const status = i % 10 < 6 ? "DONE" : i % 97 === 0 ? "FAILED" : "PENDING";
      const id = `${family.replace(".", "_")}_${i}_${((i * 2654435761) >>> 0).toString(16).padStart(10, "0")}`;
      tasks.push(
        task(id, family, { day: `2026-11-${String((i % 28) + 1).padStart(2, "0")}`, n: String(i) }, status),
      );
    }
    await rpc(url, "add_tasks", { worker: WORKER, tasks });
  }
  return (performance.now() - started) / 1000;
}

async function timeQuery(url, args, n = 7) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await rpc(url, "step_page", args);
    times.push(performance.now() - t);
  }
  return median(times);
}

/**
 * ms from navigation start until `probe(arg)` (run in the page every frame) is true, and, if given, until
 * `finalProbe` is true too.
 */
async function firstRender(browser, url, probe, arg = null, finalProbe = null) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  page.on("console", (m) => m.type() === "error" && console.error(`page console: ${m.text()}`));
  await page.goto(url);
  const handle = await page.waitForFunction(probe, arg, { polling: "raf", timeout: 60_000 });
  const ms = await handle.jsonValue();
  let finalMs = null;
  if (finalProbe) {
    const done = await page.waitForFunction(finalProbe, null, { polling: "raf", timeout: 120_000 });
    finalMs = await done.jsonValue();
  }
  // The page shows the user no timing; the layout's own time is in an attribute for this report.
  const count = page.locator('[data-testid="graph-count"]');
  const layoutText = await Promise.all([count.textContent(), count.getAttribute("data-layout-ms")])
    .then(([text, ms]) => `${text ?? ""}${ms ? ` (dagre layout ${ms} ms)` : ""}`)
    .catch(() => null);
  await context.close();
  return { ms, finalMs, layoutText };
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.log(`visualiser: skipped (${CHROMIUM} is missing; apt-get install chromium)`);
    return;
  }
  if (!existsSync(path.join(ROOT, "dist/web/index.html")))
    throw new Error("dist/web is missing: npm run build");
  const dir = tempDir();
  const daemon = await startLuigid(path.join(dir, "state.json"));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumSettings.args });
  try {
    const fillSeconds = await fill(daemon.url);
    const counts = (await rpc(daemon.url, "step_page", { limit: 0 })).counts;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(
      `visualiser: ${fmt(total)} steps in luigid (filled in ${fmt(fillSeconds, 1)} s), ${RUNS} runs each`,
    );

    if (process.env.BENCH_VIS_HOLD) {
      // For looking at the page by hand: keep luigid up for a while.
      console.log(`holding ${daemon.url} for ${process.env.BENCH_VIS_HOLD} s`);
      await new Promise((r) => setTimeout(r, Number(process.env.BENCH_VIS_HOLD) * 1000));
    }
    const q = {
      first: await timeQuery(daemon.url, { limit: 50 }),
      status: await timeQuery(daemon.url, { statuses: ["PENDING"], limit: 50 }),
      deep: await timeQuery(daemon.url, { statuses: ["DONE"], offset: 50_000, limit: 50 }),
      family: await timeQuery(daemon.url, { family: "etl.Load", limit: 50 }),
      search: await timeQuery(daemon.url, { search: "load 2026-11-05", limit: 50 }),
      sorted: await timeQuery(daemon.url, { sort: "updated", order: "desc", limit: 50 }),
    };
    console.log("  step_page over HTTP (median ms):");
    console.log(
      `    first page ${fmt(q.first, 1)} · one status ${fmt(q.status, 1)} · offset 50,000 ${fmt(q.deep, 1)} · ` +
        `family ${fmt(q.family, 1)} · search ${fmt(q.search, 1)} · sorted by time ${fmt(q.sorted, 1)}`,
    );

    const base = `${daemon.url}/static/visualiser/index.html`;
    const list = [];
    for (let r = 0; r < RUNS; r++) {
      const { ms } = await firstRender(
        browser,
        `${base}#tab=steps`,
        () => document.querySelectorAll("table.steps tbody tr").length > 0 && performance.now(),
      );
      list.push(ms);
    }
    const graph = [];
    const graphFinal = [];
    let layoutText = "";
    for (let r = 0; r < RUNS; r++) {
      const res = await firstRender(
        browser,
        `${base}#tab=graph&taskId=GraphRoot__99914b932b&limit=${GRAPH_NODES}`,
        (n) => document.querySelectorAll("svg.graph-svg g.node").length >= n && performance.now(),
        GRAPH_NODES,
        () =>
          document.querySelector('[data-testid="graph-count"]')?.getAttribute("data-layout") === "final" &&
          performance.now(),
      );
      graph.push(res.ms);
      graphFinal.push(res.finalMs);
      layoutText = res.layoutText ?? layoutText;
    }
    const listMs = median(list);
    const graphMs = median(graph);
    console.log(
      `  step list first render:   ${fmt(listMs)} ms median (runs: ${list.map((x) => fmt(x)).join(", ")}; target < 1000)`,
    );
    console.log(
      `  1,000-node graph drawn:   ${fmt(graphMs)} ms median (runs: ${graph.map((x) => fmt(x)).join(", ")}; target < 2000)`,
    );
    const finalMs = median(graphFinal);
    console.log(
      `  ... laid out by dagre:    ${fmt(finalMs)} ms median (runs: ${graphFinal.map((x) => fmt(x)).join(", ")}; drawn first with the provisional layout)`,
    );
    console.log(`  graph page says: ${layoutText.trim()}`);
    console.log(
      `  load average: ${loadavg()
        .map((x) => fmt(x, 1))
        .join(", ")} on ${availableParallelism()} cores`,
    );
    console.log(JSON.stringify({ steps: total, listMs, graphMs, graphDagreMs: finalMs, query: q }));
  } finally {
    await browser.close();
    await daemon.stop();
  }
}

await main();
