import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { parseDbUrl, redactUrl } from "../../src/history/url.js";

describe("db_connection URLs", () => {
  it("reads every SQLite form", () => {
    expect(parseDbUrl("sqlite:////usr/local/var/luigi-step-hist.db")).toEqual({
      dialect: "sqlite",
      file: "/usr/local/var/luigi-step-hist.db",
    });
    expect(parseDbUrl("sqlite:///hist.db", "/srv/luigi")).toEqual({
      dialect: "sqlite",
      file: "/srv/luigi/hist.db",
    });
    expect(parseDbUrl("sqlite:///sub/dir/h.db", "/srv")).toEqual({
      dialect: "sqlite",
      file: path.resolve("/srv/sub/dir/h.db"),
    });
    expect(parseDbUrl("sqlite://")).toEqual({ dialect: "sqlite", file: ":memory:" });
    expect(parseDbUrl("sqlite:///:memory:")).toEqual({ dialect: "sqlite", file: ":memory:" });
  });

  it("reads PostgreSQL URLs, with or without a driver, with options", () => {
    expect(parseDbUrl("postgresql://user:p%40ss@db.example:5433/luigi?sslmode=require")).toEqual({
      dialect: "postgres",
      host: "db.example",
      port: 5433,
      user: "user",
      password: "p@ss",
      database: "luigi",
      options: { sslmode: "require" },
    });
    const t = parseDbUrl("postgresql+psycopg2://postgres@127.0.0.1/test");
    expect(t).toMatchObject({
      dialect: "postgres",
      host: "127.0.0.1",
      port: undefined,
      user: "postgres",
      database: "test",
    });
    expect(parseDbUrl("postgres://h/d")).toMatchObject({ dialect: "postgres", host: "h", database: "d" });
    expect(parseDbUrl("postgresql://[::1]:5432/d")).toMatchObject({ host: "::1", port: 5432 });
  });

  it("reads MySQL / MariaDB URLs", () => {
    expect(parseDbUrl("mysql://root@127.0.0.1:3306/test")).toMatchObject({
      dialect: "mysql",
      host: "127.0.0.1",
      port: 3306,
      user: "root",
      password: undefined,
      database: "test",
    });
    expect(parseDbUrl("mysql+pymysql://u:pw@h/db?charset=utf8mb4")).toMatchObject({
      dialect: "mysql",
      user: "u",
      password: "pw",
      options: { charset: "utf8mb4" },
    });
    expect(parseDbUrl("mariadb://h/db")).toMatchObject({ dialect: "mysql" });
  });

  it.each([
    ["oracle://h/db", "unsupported database"],
    ["mssql+pyodbc://h/db", "unsupported database"],
    ["not a url", "expected a URL"],
    ["", "expected a URL"],
    ["postgresql://", "host is missing"],
    ["postgresql://h", "exactly one database"],
    ["postgresql://h/a/b", "exactly one database"],
    ["mysql://h:99999/db", "malformed URL"],
    ["sqlite://host/file.db", "has no host"],
  ])("rejects %j with a ConfigError naming the setting", (url, why) => {
    let thrown: unknown;
    try {
      parseDbUrl(url);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain("[step_history] db_connection");
    expect((thrown as Error).message).toContain(why);
  });

  it("never shows a password in messages", () => {
    expect(redactUrl("postgresql://u:secret@h/db")).toBe("postgresql://u:***@h/db");
    expect(() => parseDbUrl("oracle://u:secret@h/db")).toThrow(/u:\*\*\*@h/);
  });
});
