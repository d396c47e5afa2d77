import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LuigiConfig, mysqlConfig, postgresConfig, redisConfig } from "../../src/config/index.js";
import { unknownConfigEntries } from "../../src/cli/config-check.js";
import { FIXTURES, runLuigi, workdir } from "../helpers/cli.js";

const BASIC = path.join(FIXTURES, "basic.ts");

/** A luigi.cfg using every kind of section correctly: nothing in it deserves a warning. */
const CORRECT = [
  "[DEFAULT]",
  "anything = goes",
  "[core]",
  "no_lock = true",
  "default-scheduler-port = 8082",
  "[worker]",
  "keep_alive = false",
  "ping-interval = 1",
  "[scheduler]",
  "retry_delay = 900",
  "record_task_history = false",
  "[retcode]",
  "task_failed = 30",
  "[execution_summary]",
  "summary_length = 5",
  "[step_history]",
  "db_connection = sqlite:///history.db",
  "[task_history]",
  "db_connection = sqlite:///history.db",
  "[resources]",
  "my_own_resource = 2",
  "[Hello]",
  "name = config",
  "[Greetings]",
  "count = 2",
];

const WARNING = /unknown|no such parameter|not \(yet\) by luigi-ts/;

describe("warnings for configuration that nothing reads", () => {
  it("names the file, section and key of a misspelt key or section, with the closest known name", async () => {
    const w = workdir();
    // The correct file with mistakes added where they belong.
    const lines = CORRECT.flatMap((text) =>
      text === "keep_alive = false"
        ? [text, "keep_alvie = true"]
        : text === "count = 2"
          ? [text, "cuont = 3", "[wroker]", "timeout = 5", "[sendgrid]", "apikey = SG.x"]
          : [text],
    );
    const cfg = path.join(w.dir, "luigi.cfg");
    writeFileSync(cfg, lines.join("\n") + "\n");
    const at = (text: string): string => `${cfg}:${lines.indexOf(text) + 1}:`;
    const result = await runLuigi(["--module", BASIC, "Hello", "--local-scheduler"], {
      cwd: w.dir,
      env: { OUT: w.out },
    });
    expect(result.code).toBe(0);
    const warnings = result.stderr.split("\n").filter((l) => WARNING.test(l));
    expect(warnings).toEqual([
      expect.stringContaining(
        `${at("keep_alvie = true")} [worker] keep_alvie: unknown key; did you mean keep_alive?`,
      ),
      expect.stringContaining(
        `${at("cuont = 3")} [Greetings] cuont: Greetings has no such parameter; did you mean count?`,
      ),
      expect.stringContaining(
        `${at("timeout = 5")} [wroker]: unknown section (neither settings nor a known step family); did you mean [worker]?`,
      ),
      expect.stringContaining(
        `${at("apikey = SG.x")} [sendgrid]: used by Luigi, not (yet) by luigi-ts; ignored`,
      ),
    ]);
    // The settings were still read: [Hello] name came from the file.
    expect(result.stdout).toContain("Hello(name=config)");
  });

  it("says nothing about a configuration whose sections and keys are all read", async () => {
    const w = workdir();
    writeFileSync(path.join(w.dir, "luigi.cfg"), CORRECT.join("\n") + "\n");
    const result = await runLuigi(["--module", BASIC, "Hello", "--local-scheduler"], {
      cwd: w.dir,
      env: { OUT: w.out },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(WARNING);
  });

  it("judges only settings sections when it knows no step families (luigid)", () => {
    const config = LuigiConfig.fromString(
      "[scheduler]\nretry_dealy = 5\n[Report]\nday = 2026-11-20\n[cors]\nenabled = true\n",
      "cfg",
      "luigi.cfg",
    );
    expect(unknownConfigEntries(config)).toEqual([
      "luigi.cfg:2: [scheduler] retry_dealy: unknown key; did you mean retry_delay?",
      "luigi.cfg:6: [cors]: used by Luigi, not (yet) by luigi-ts; ignored",
    ]);
  });

  it("knows the stores' sections: Luigi's dashed marker-table is the key, local-tmp-dir Luigi's only", () => {
    const config = LuigiConfig.fromString(
      "[postgres]\nurl = postgresql://u:pw@db/x\nmarker-table = my_markers\nlocal-tmp-dir = /tmp\nurll = x\n",
      "cfg",
      "luigi.cfg",
    );
    expect(unknownConfigEntries(config)).toEqual([
      "luigi.cfg:4: [postgres] local-tmp-dir: used by Luigi, not (yet) by luigi-ts; ignored",
      "luigi.cfg:5: [postgres] urll: unknown key; did you mean url?",
    ]);
    expect(postgresConfig(config)).toEqual({ url: "postgresql://u:pw@db/x", marker: "my_markers" });
    const my = LuigiConfig.fromString("[mysql]\nurl = mysql://root@db/x\n", "cfg", "my.cfg");
    expect(unknownConfigEntries(my)).toEqual([]);
    expect(mysqlConfig(my)).toEqual({ url: "mysql://root@db/x", marker: "table_updates" });
    const rd = LuigiConfig.fromString(
      "[redis]\nurl = redis://r:6379/2\nmarker-prefix = etl\n",
      "cfg",
      "r.cfg",
    );
    expect(unknownConfigEntries(rd)).toEqual([]);
    expect(redisConfig(rd)).toEqual({ url: "redis://r:6379/2", marker: "etl" });
    expect(postgresConfig(LuigiConfig.fromString("", "cfg", "empty.cfg"))).toEqual({
      url: "",
      marker: "table_updates",
    });
  });

  it("reads TOML's nested tables as the dotted family they spell", () => {
    const config = LuigiConfig.fromString(
      '[my_ns.Report]\nregion = "eu"\n[worker]\nkeep_alive = true\n[Reprot]\nday = 1\n',
      "toml",
      "luigi.toml",
    );
    const families = [
      { family: "my_ns.Report", params: ["region"] },
      { family: "Report", params: ["day"] },
    ];
    expect(unknownConfigEntries(config, families)).toEqual([
      "luigi.toml: [Reprot]: unknown section (neither settings nor a known step family); did you mean [Report]?",
    ]);
  });
});
