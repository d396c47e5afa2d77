import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { loadConfig } from "../../src/config/index.js";
import { makeDirs } from "./helpers.js";

let dirs: ReturnType<typeof makeDirs>;
beforeEach(() => {
  dirs = makeDirs();
});
afterEach(() => dirs.cleanup());

const load = (env: Record<string, string> = {}) => loadConfig({ cwd: dirs.cwd, systemDir: dirs.sys, env });

describe("loadConfig search order (cfg)", () => {
  it("loads nothing when no file exists", () => {
    const cfg = load();
    expect(cfg.files).toEqual([]);
    expect(cfg.sections()).toEqual([]);
    expect(cfg.warnings).toEqual([]);
    expect(cfg.format).toBe("cfg");
  });

  it("reads system client.cfg, luigi.cfg, then ./client.cfg, ./luigi.cfg, then LUIGI_CONFIG_PATH; later wins key by key", () => {
    const files = [
      dirs.write(
        "sys/client.cfg",
        "[s]\na = sys-client\nb = sys-client\nc = sys-client\nd = sys-client\ne = sys-client\n",
      ),
      dirs.write("sys/luigi.cfg", "[s]\nb = sys-luigi\nc = sys-luigi\nd = sys-luigi\ne = sys-luigi\n"),
      dirs.write("cwd/client.cfg", "[s]\nc = cwd-client\nd = cwd-client\ne = cwd-client\n"),
      dirs.write("cwd/luigi.cfg", "[s]\nd = cwd-luigi\ne = cwd-luigi\n"),
      dirs.write("extra/custom.cfg", "[s]\ne = extra\n[other]\nx = 1\n"),
    ];
    const cfg = load({ LUIGI_CONFIG_PATH: files[4] ?? "" });
    expect(cfg.files).toEqual(files);
    expect(cfg.section("s")).toEqual({
      a: "sys-client",
      b: "sys-luigi",
      c: "cwd-client",
      d: "cwd-luigi",
      e: "extra",
    });
    expect(cfg.get("other", "x")).toBe("1");
    // client.cfg is deprecated: a warning per file
    expect(cfg.warnings.filter((w) => w.includes("client.cfg is deprecated"))).toHaveLength(2);
  });

  it("resolves a relative LUIGI_CONFIG_PATH against cwd", () => {
    dirs.write("cwd/conf/my.cfg", "[core]\nworkers = 3\n");
    const cfg = load({ LUIGI_CONFIG_PATH: "conf/my.cfg" });
    expect(cfg.files).toEqual([join(dirs.cwd, "conf/my.cfg")]);
    expect(cfg.getInt("core", "workers", 1)).toBe(3);
  });

  it("only warns when LUIGI_CONFIG_PATH does not exist", () => {
    dirs.write("cwd/luigi.cfg", "[core]\nworkers = 2\n");
    const cfg = load({ LUIGI_CONFIG_PATH: join(dirs.root, "nope.cfg") });
    expect(cfg.getInt("core", "workers", 1)).toBe(2);
    expect(cfg.warnings).toEqual([
      expect.stringContaining(`Config file does not exist: ${join(dirs.root, "nope.cfg")}`),
    ]);
  });

  it("warns and skips a LUIGI_CONFIG_PATH of the other format", () => {
    const path = dirs.write("x.toml", "[core]\nworkers = 5\n");
    const cfg = load({ LUIGI_CONFIG_PATH: path });
    expect(cfg.files).toEqual([]);
    expect(cfg.warnings[0]).toContain("LUIGI_CONFIG_PARSER=toml");
  });

  it("rejects an unknown LUIGI_CONFIG_PARSER", () => {
    expect(() => load({ LUIGI_CONFIG_PARSER: "yaml" })).toThrow(ConfigError);
  });

  it("names the file and line of a malformed file", () => {
    const path = dirs.write("cwd/luigi.cfg", "[core]\nworkers = 2\nthis line has no delimiter\n");
    expect(() => load()).toThrow(`${path}:3:`);
  });

  it("takes ${VAR} values from the injected env", () => {
    dirs.write("cwd/luigi.cfg", "[core]\nmodule = ${MOD}.pipeline\n");
    expect(load({ MOD: "sales" }).get("core", "module")).toBe("sales.pipeline");
  });
});

describe("loadConfig with LUIGI_CONFIG_PARSER=toml", () => {
  it("reads system luigi.toml, ./luigi.toml, then LUIGI_CONFIG_PATH, ignoring cfg files", () => {
    dirs.write("sys/luigi.cfg", "[core]\nworkers = 9\n");
    const files = [
      dirs.write(
        "sys/luigi.toml",
        '[core]\nworkers = 2\nmodule = "a"\n[logging]\nversion = 1\n[logging.root]\nlevel = "INFO"\n',
      ),
      dirs.write("cwd/luigi.toml", '[core]\nworkers = 3\n[logging.root]\nhandlers = ["console"]\n'),
      dirs.write("extra.toml", '[core]\nmodule = "b"\n'),
    ];
    const cfg = load({ LUIGI_CONFIG_PARSER: "toml", LUIGI_CONFIG_PATH: files[2] ?? "" });
    expect(cfg.format).toBe("toml");
    expect(cfg.files).toEqual(files);
    expect(cfg.getRaw("core", "workers")).toBe(3);
    expect(cfg.get("core", "module")).toBe("b");
    // nested tables from several files merge key by key
    expect(cfg.getRaw("logging", "root")).toEqual({ level: "INFO", handlers: ["console"] });
    expect(cfg.getRaw("logging", "version")).toBe(1);
  });

  it("accepts conf and ini as aliases of cfg", () => {
    dirs.write("cwd/luigi.cfg", "[core]\nworkers = 4\n");
    expect(load({ LUIGI_CONFIG_PARSER: "conf" }).getInt("core", "workers", 1)).toBe(4);
    expect(load({ LUIGI_CONFIG_PARSER: "ini" }).getInt("core", "workers", 1)).toBe(4);
  });

  it("names the file and line of malformed TOML", () => {
    const path = dirs.write("cwd/luigi.toml", "[core]\nworkers = 2\nbroken = \n");
    let caught: unknown;
    try {
      load({ LUIGI_CONFIG_PARSER: "toml" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(`${path}:3:`);
    expect((caught as ConfigError).details).toMatchObject({ file: path, line: 3 });
  });
});
