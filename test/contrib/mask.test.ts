import { describe, expect, it } from "vitest";
import { maskUrl } from "../../src/contrib/shared/mask.js";
import { RedisTarget } from "../../src/contrib/redis/index.js";

describe("store URLs in messages", () => {
  it("mask the password in the user part and in password= options; text that is no URL is not shown", () => {
    expect(maskUrl("postgresql://loader:s3cr3t@db:5432/w?sslmode=require")).toBe(
      "postgresql://loader:***@db:5432/w?sslmode=require",
    );
    expect(maskUrl("redis://:s3cr3t@cache:6379/0")).toBe("redis://:***@cache:6379/0");
    expect(maskUrl("mysql://db/w?user=me&password=s3cr3t&x=1")).toBe("mysql://db/w?user=me&password=***&x=1");
    expect(maskUrl("postgresql://db/w")).toBe("postgresql://db/w");
    expect(maskUrl("s3cr3t")).toBe("(a setting that is not a URL)");
  });

  it("a malformed URL fails as a TargetError that never repeats it", async () => {
    for (const url of ["redis://u:s3cr3t@ho st:6379", "nonsense s3cr3t"]) {
      const err = await new RedisTarget({ updateId: "u", url }).exists().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/^Redis .*: cannot check the marker luigi:u: Invalid URL$/);
      expect(JSON.stringify(err) + String(err?.stack)).not.toContain("s3cr3t");
    }
  });
});
