import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { LuigiConfig } from "../../src/config/index.js";

const cfg = (text: string, env: Record<string, string> = {}) =>
  LuigiConfig.fromString(text, "cfg", "test.cfg", { env });

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("INI reading (ConfigParser rules)", () => {
  it("accepts key = value and key: value, full-line # and ; comments, case-sensitive keys", () => {
    const c = cfg(
      "# comment\n; comment\n[core]\nmodule = sales\nWorkers: 2\n  # indented comment\nworkers=3\nurl = http://x:1/a ; not a comment\n",
    );
    expect(c.get("core", "module")).toBe("sales");
    expect(c.get("core", "Workers")).toBe("2");
    expect(c.get("core", "workers")).toBe("3");
    expect(c.get("core", "url")).toBe("http://x:1/a ; not a comment");
    expect(c.files).toEqual(["test.cfg"]);
  });

  it("keeps dotted section names whole and ignores text after ]", () => {
    const c = cfg("[my_ns.Report] trailing\nregion = eu\n");
    expect(c.sections()).toEqual(["my_ns.Report"]);
    expect(c.get("my_ns.Report", "region")).toBe("eu");
  });

  it("joins indented continuation lines, keeping inner blank lines and dropping trailing ones", () => {
    const c = cfg("[s]\nlist = a\n  b\n\n  c\n\nnext = 1\n");
    expect(c.get("s", "list")).toBe("a\nb\n\nc");
    expect(c.get("s", "next")).toBe("1");
  });

  it("keeps an empty value", () => {
    expect(cfg("[s]\nk =\n").get("s", "k")).toBe("");
  });

  it.each([
    ["key before any header", "k = v\n", 1, "before any [section]"],
    ["line without delimiter", "[s]\na = 1\nnot an option\n", 3, 'expected "key = value"'],
    ["empty key", "[s]\n= v\n", 2, "missing key"],
    ["empty section header", "[]\n", 1, "malformed section header"],
    ["duplicate key", "[s]\na = 1\na = 2\n", 3, "appears twice"],
    ["duplicate section", "[s]\na = 1\n[s]\nb = 2\n", 3, "appears twice"],
  ])("rejects %s with file and line", (_name, text, line, fragment) => {
    const err = thrown(() => cfg(text));
    expect(err.message).toContain(`test.cfg:${line}: `);
    expect(err.message).toContain(fragment);
    expect(err.details).toMatchObject({ file: "test.cfg", line });
  });
});

describe("interpolation", () => {
  it("expands %(name)s from the same section, then DEFAULT, recursively", () => {
    const c = cfg(
      "[DEFAULT]\nroot = /data\nday = 2026\n[paths]\nbase = %(root)s/%(day)s\nout = %(base)s/out\n[other]\nday = 1999\nx = %(root)s/%(day)s\n",
    );
    expect(c.get("paths", "out")).toBe("/data/2026/out");
    // a DEFAULT reference resolves in the reading section's context
    expect(c.get("other", "x")).toBe("/data/1999");
    expect(c.getRaw("paths", "out")).toBe("%(base)s/out");
  });

  it("turns %% into %", () => {
    expect(cfg("[s]\nfmt = 100%% done %%(x)s\n").get("s", "fmt")).toBe("100% done %(x)s");
  });

  it("substitutes ${VAR} after %-interpolation", () => {
    const c = cfg("[DEFAULT]\nhome = ${HOME_DIR}\n[s]\np = %(home)s/${SUB}\n", {
      HOME_DIR: "/home/u",
      SUB: "x",
    });
    expect(c.get("s", "p")).toBe("/home/u/x");
  });

  it("names file, section and key for an unknown env variable", () => {
    const err = thrown(() => cfg("[s]\np = ${NOPE}/x\n").get("s", "p"));
    expect(err.message).toContain("test.cfg [s] p");
    expect(err.message).toContain("NOPE");
    expect(err.details).toMatchObject({ file: "test.cfg", section: "s", key: "p", envVar: "NOPE" });
  });

  it("reports a missing reference only when the value is read", () => {
    const c = cfg("[s]\nok = 1\nbad = %(missing)s\n");
    expect(c.get("s", "ok")).toBe("1");
    const err = thrown(() => c.get("s", "bad"));
    expect(err.message).toContain("test.cfg [s] bad");
    expect(err.message).toContain('"missing"');
    expect(err.details).toMatchObject({ section: "s", key: "bad", missing: "missing" });
  });

  it("reports a cycle with its chain", () => {
    const c = cfg("[s]\na = %(b)s\nb = x%(c)s\nc = %(a)s\nself = %(self)s\n");
    expect(thrown(() => c.get("s", "a")).message).toContain("interpolation cycle: a -> b -> c -> a");
    expect(thrown(() => c.get("s", "self")).message).toContain("self -> self");
  });

  it("stops at the depth limit", () => {
    const lines = Array.from({ length: 13 }, (_, i) => `k${i} = %(k${i + 1})s`);
    const c = cfg(`[s]\n${lines.join("\n")}\nk13 = end\n`);
    expect(thrown(() => c.get("s", "k0")).message).toContain("more than 10 levels");
    expect(c.get("s", "k5")).toBe("end");
  });

  it("rejects a lone %", () => {
    expect(thrown(() => cfg("[s]\np = 50%\n").get("s", "p")).message).toContain(
      "'%' must be followed by '%' or '('",
    );
    expect(thrown(() => cfg("[s]\np = %(x)d\nx = 1\n").get("s", "p")).message).toContain(
      "bad interpolation reference",
    );
  });

  it("treats set() overrides as literal, and references see them", () => {
    const c = cfg("[s]\nbase = /a\nout = %(base)s/out\n");
    c.set("s", "base", "/b%");
    expect(c.get("s", "base")).toBe("/b%");
    expect(c.get("s", "out")).toBe("/b%/out");
  });
});

describe("DEFAULT section", () => {
  const text = "[DEFAULT]\nshared = yes\n[core]\nworkers = 2\n[resources]\ngpu = 2\n";

  it("leaks into every section except [resources]", () => {
    const c = cfg(text);
    expect(c.get("core", "shared")).toBe("yes");
    expect(c.has("core", "shared")).toBe(true);
    expect(c.get("nosuch", "shared")).toBe("yes");
    expect(c.section("core")).toEqual({ shared: "yes", workers: "2" });
    expect(c.get("resources", "shared")).toBeUndefined();
    expect(c.section("resources")).toEqual({ gpu: "2" });
  });

  it("is not listed as a section", () => {
    const c = cfg(text);
    expect(c.sections()).toEqual(["core", "resources"]);
    expect(c.has("DEFAULT")).toBe(false);
    expect(c.has("core")).toBe(true);
    expect(c.has("nosuch")).toBe(false);
  });
});

describe("dashed and underscore keys", () => {
  it("tries the underscore form first, then the dashed form, from either spelling", () => {
    const c = cfg("[scheduler]\nretry-delay = 5\nremove_delay = 6\nboth_ways = u\nboth-ways = d\n");
    expect(c.get("scheduler", "retry_delay")).toBe("5");
    expect(c.get("scheduler", "retry-delay")).toBe("5");
    expect(c.get("scheduler", "remove-delay")).toBe("6");
    expect(c.get("scheduler", "both-ways")).toBe("u");
    expect(c.warnings).toEqual([
      expect.stringContaining("[scheduler] retry-delay (with dashes) should be avoided"),
    ]);
  });

  it("lets set() replace every spelling of a key", () => {
    const c = cfg("[scheduler]\nretry_delay = 5\n");
    c.set("scheduler", "retry-delay", "60");
    expect(c.getFloat("scheduler", "retry_delay", 0)).toBe(60);
    expect(c.section("scheduler")).toEqual({ "retry-delay": "60" });
    expect(c.warnings).toEqual([]);
  });
});

describe("typed getters", () => {
  const c = cfg(
    [
      "[t]",
      "int = 42",
      "neg = -3",
      "float = 2.5",
      "exp = 1e3",
      "empty =",
      "word = abc",
      "t1 = TRUE",
      "t2 = yes",
      "t3 = On",
      "t4 = 1",
      "f1 = false",
      "f2 = NO",
      "f3 = off",
      "f4 = 0",
      "d1 = 90",
      "d2 = 1 hour 30 minutes",
      "d3 = 2d 4h",
      "d4 = PT1H30M",
      "d5 = P1W",
      "d6 = 1.5s",
      "d7 = 3 fortnights",
    ].join("\n"),
  );

  it("parses integers and floats", () => {
    expect(c.getInt("t", "int", 0)).toBe(42);
    expect(c.getInt("t", "neg", 0)).toBe(-3);
    expect(c.getFloat("t", "float", 0)).toBe(2.5);
    expect(c.getFloat("t", "exp", 0)).toBe(1000);
    expect(c.getFloat("t", "int", 0)).toBe(42);
  });

  it("returns the fallback for a missing or empty value", () => {
    expect(c.getInt("t", "missing", 7)).toBe(7);
    expect(c.getInt("t", "empty", null)).toBeNull();
    expect(c.getBool("t", "empty", true)).toBe(true);
    expect(c.getString("t", "missing", "x")).toBe("x");
    expect(c.getString("t", "empty", "x")).toBe("");
  });

  it("accepts boolean words case-insensitively", () => {
    for (const k of ["t1", "t2", "t3", "t4"]) expect(c.getBool("t", k, false)).toBe(true);
    for (const k of ["f1", "f2", "f3", "f4"]) expect(c.getBool("t", k, true)).toBe(false);
  });

  it("parses durations to seconds", () => {
    expect(c.getDuration("t", "d1", 0)).toBe(90);
    expect(c.getDuration("t", "d2", 0)).toBe(5400);
    expect(c.getDuration("t", "d3", 0)).toBe(2 * 86400 + 4 * 3600);
    expect(c.getDuration("t", "d4", 0)).toBe(5400);
    expect(c.getDuration("t", "d5", 0)).toBe(604800);
    expect(c.getDuration("t", "d6", 0)).toBe(1.5);
  });

  it.each([
    ["getInt", "float", "an integer"],
    ["getInt", "word", "an integer"],
    ["getFloat", "word", "a number"],
    ["getBool", "word", "a boolean"],
    ["getBool", "int", "a boolean"],
    ["getDuration", "d7", "a duration"],
  ] as const)("%s on [t] %s throws naming section, key, value and expected", (method, key, expected) => {
    const err = thrown(() => c[method]("t", key, 0));
    expect(err.message).toContain(`[t] ${key} = `);
    expect(err.message).toContain(expected);
    expect(err.message).toContain("test.cfg");
    expect(err.details).toMatchObject({ section: "t", key, value: c.get("t", key), file: "test.cfg" });
    expect(err.details["expected"]).toContain(expected);
  });
});

describe("TOML values", () => {
  const t = LuigiConfig.fromString(
    [
      "[core]",
      "workers = 3",
      "local_scheduler = true",
      'module = "m"',
      "ratio = 0.5",
      "day = 2026-11-20",
      "list = [1, 2]",
      "[core.nested]",
      "a = 1",
      '["my_ns.Report"]',
      'region = "eu"',
      "[DEFAULT]",
      "x = 1",
    ].join("\n"),
    "toml",
    "t.toml",
  );

  it("keeps types in getRaw and converts scalars to text in get", () => {
    expect(t.getRaw("core", "workers")).toBe(3);
    expect(t.get("core", "workers")).toBe("3");
    expect(t.getRaw("core", "local_scheduler")).toBe(true);
    expect(t.get("core", "local_scheduler")).toBe("true");
    expect(t.get("core", "day")).toBe("2026-11-20");
    expect(t.get("core", "list")).toBe("[1,2]");
    expect(t.getInt("core", "workers", 1)).toBe(3);
    expect(t.getBool("core", "local_scheduler", false)).toBe(true);
    expect(t.getFloat("core", "ratio", 0)).toBe(0.5);
  });

  it("keeps nested tables as frozen objects", () => {
    const nested = t.getRaw("core", "nested");
    expect(nested).toEqual({ a: 1 });
    expect(Object.isFrozen(nested)).toBe(true);
  });

  it("does not interpolate and has no DEFAULT inheritance", () => {
    const u = LuigiConfig.fromString('[s]\np = "%(x)s ${Y}"\n', "toml");
    expect(u.get("s", "p")).toBe("%(x)s ${Y}");
    expect(t.get("core", "x")).toBeUndefined();
  });

  it("rejects a mistyped value in a typed getter", () => {
    expect(() => t.getInt("core", "ratio", 0)).toThrow(/\[core\] ratio = "0.5".*expected an integer/);
  });
});
