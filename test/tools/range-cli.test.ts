/**
 * `luigi RangeDaily ...` as cron runs it: a real `luigi` process, a module that does not export the
 * range steps, files on disk. Each round removes other days' files and checks that exactly those ran.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runLuigi, workdir } from "../helpers/cli.js";
import { seededRandom } from "../helpers/random.js";

const PIPELINE = path.join(import.meta.dirname, "fixtures/range-pipeline.ts");
const DAYS = Array.from({ length: 14 }, (_, i) => `2026-11-${String(i + 1).padStart(2, "0")}`);
/** 2026-11-20T00:00:00Z: every day of DAYS is in the past, within the default days_back. */
const NOW = String(Date.UTC(2026, 10, 20) / 1000);

/** `luigi --module PIPELINE RANGE --of OF ARGS... --local-scheduler` in the test's folder. */
function luigiRange(w: ReturnType<typeof workdir>, range: string, of: string, args: string[]) {
  const argv = ["--module", PIPELINE, range, "--of", of, ...args, "--local-scheduler"];
  return runLuigi(argv, { cwd: w.dir, env: { OUT: w.out, LOG: w.log } });
}

function ranDays(runs: string[]): string[] {
  return runs
    .filter((line) => line.startsWith("DailyReport "))
    .map((line) => line.split(" ")[1] as string)
    .sort();
}

describe("luigi RangeDaily", () => {
  it("runs exactly the missing days, round after round, without the module exporting RangeDaily", async () => {
    const w = workdir();
    const dir = path.join(w.out, "eu");
    mkdirSync(dir, { recursive: true });
    const args = ["--start", DAYS[0] as string, "--stop", "2026-11-15", "--now", NOW];
    for (let round = 0; round < 4; round++) {
      // Round 0 starts with every other day present; later rounds remove a few random days.
      const random = seededRandom(20261120 + round);
      const missing = round === 0 ? DAYS.filter((_, i) => i % 2 === 1) : DAYS.filter(() => random() < 0.3);
      for (const day of DAYS) {
        const file = path.join(dir, `report-${day}.txt`);
        if (missing.includes(day)) rmSync(file, { force: true });
        else if (round === 0) writeFileSync(file, "present\n");
      }
      rmSync(w.log, { force: true });
      const result = await luigiRange(w, "RangeDaily", "DailyReport", args);
      expect(result.stderr, `round ${round}`).not.toMatch(/unhandled|ERROR/);
      expect(result.code, `round ${round}`).toBe(0);
      expect(ranDays(w.runs()), `round ${round}`).toEqual([...missing].sort());
      expect(readdirSync(dir).sort()).toEqual(DAYS.map((d) => `report-${d}.txt`));
      if (missing.length > 0) {
        expect(result.stdout).toContain(`* ${missing.length + 1} ran successfully:`);
        expect(result.stdout).toMatch(/RangeDaily\(of=DailyReport, of_params=\{\}, reverse=False/);
      }
    }
  });

  it("requires at most --task-limit days, oldest first or newest first with --reverse", async () => {
    const w = workdir();
    // Both known, so no warning: the [core] key, and the range family's section (its days_back).
    writeFileSync(
      path.join(w.dir, "luigi.cfg"),
      "[core]\nautoload_range = true\n[RangeDaily]\ndays_back = 200\n",
    );
    const args = ["--start", "2026-11-01", "--stop", "2026-11-15", "--now", NOW, "--task-limit", "3"];
    const first = await luigiRange(w, "RangeDaily", "DailyReport", args);
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/WARN/);
    expect(first.stdout).toContain("days_back=200");
    expect(ranDays(w.runs())).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    rmSync(w.log);
    const reversed = await luigiRange(w, "RangeDaily", "DailyReport", [...args, "--reverse"]);
    expect(reversed.code).toBe(0);
    expect(ranDays(w.runs())).toEqual(["2026-11-12", "2026-11-13", "2026-11-14"]);
  });

  it("passes --of-params and runs the range step in a child process under isolation = process", async () => {
    const w = workdir();
    const result = await luigiRange(w, "RangeDaily", "DailyReport", [
      "--of-params",
      '{"region": "us"}',
      "--start",
      "2026-11-10",
      "--stop",
      "2026-11-13",
      "--now",
      NOW,
      "--worker-isolation",
      "process",
    ]);
    expect(result.stderr).not.toMatch(/unhandled|ERROR/);
    expect(result.code).toBe(0);
    expect(readdirSync(path.join(w.out, "us")).sort()).toEqual([
      "report-2026-11-10.txt",
      "report-2026-11-11.txt",
      "report-2026-11-12.txt",
    ]);
    expect(result.stdout).toContain("* 4 ran successfully:");
    // Every step ran in a process of its own: the range step's too, which rebuilt it by its family.
    const pids = new Set(w.runs().map((line) => line.split(" ")[2]));
    expect(pids.size).toBe(3);
  });

  it("runs the hourly range over one folder a day", async () => {
    const w = workdir();
    const result = await luigiRange(w, "RangeHourly", "HourlyLoad", [
      "--start",
      "2026-11-19T22",
      "--stop",
      "2026-11-20T02",
      "--now",
      String(Date.UTC(2026, 10, 20, 6) / 1000),
    ]);
    expect(result.code).toBe(0);
    expect(
      w
        .runs()
        .map((line) => line.split(" ")[1])
        .sort(),
    ).toEqual(["2026-11-19T22", "2026-11-19T23", "2026-11-20T00", "2026-11-20T01"]);
    expect(readdirSync(path.join(w.out, "hourly")).sort()).toEqual(["2026-11-19", "2026-11-20"]);
  });

  it("shows the range's parameters with --help", async () => {
    const w = workdir();
    const result = await runLuigi(["--module", PIPELINE, "RangeDaily", "--help"], { cwd: w.dir });
    expect(result.code).toBe(0);
    for (const flag of ["--of", "--of-params", "--start", "--stop", "--task-limit", "--days-back", "--now"]) {
      expect(result.stdout).toContain(`  ${flag} `);
    }
    expect(result.stdout).toMatch(
      /--task-limit an integer +most missing instances required in one run \(int, default: 50\)/,
    );
  });

  it("knows only the range families the module exports with [core] autoload_range = false", async () => {
    const w = workdir();
    writeFileSync(path.join(w.dir, "luigi.cfg"), "[core]\nautoload_range = false\n");
    const result = await luigiRange(w, "RangeDaily", "DailyReport", ["--start", "2026-11-01"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no step family 'RangeDaily'");
    expect(result.stderr).not.toContain("autoload_range");
    expect(w.runs()).toEqual([]);

    const exported = await runLuigi(
      [
        "--module",
        path.join(import.meta.dirname, "fixtures/range-exported.ts"),
        "RangeDaily",
        "--of",
        "DailyReport",
        "--start",
        "2026-11-18",
        "--now",
        NOW,
        "--local-scheduler",
      ],
      { cwd: w.dir, env: { OUT: w.out, LOG: w.log } },
    );
    expect(exported.code).toBe(0);
    expect(ranDays(w.runs())).toEqual(["2026-11-18", "2026-11-19"]);
    const hourly = await luigiRange(w, "RangeHourly", "HourlyLoad", ["--start", "2026-11-19T00"]);
    expect(hourly.code).toBe(2);
    expect(hourly.stderr).toContain("no step family 'RangeHourly'");
  });

  it("names an unknown --of family and a family without a date parameter", async () => {
    const w = workdir();
    const unknown = await luigiRange(w, "RangeDaily", "DailyReprot", ["--start", "2026-11-01"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("parameter 'of' of RangeDaily");
    expect(unknown.stderr).toContain("Did you mean: DailyReport");

    const noDate = await luigiRange(w, "RangeDaily", "HourlyLoad", ["--start", "2026-11-01"]);
    expect(noDate.code).toBe(35); // scheduling_error: Luigi also finds this in requires()
    expect(noDate.stderr).toContain(
      "HourlyLoad has no date parameter to range over (it has hour (dateHour))",
    );
  });
});
