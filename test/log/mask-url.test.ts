/** The one rule for URLs with passwords, as every message that names a server shows them. */
import { describe, expect, it } from "vitest";
import { maskUrlPassword } from "../../src/log/mask-url.js";
import { redactUrl } from "../../src/history/url.js";
import { parseSchedulerUrl } from "../../src/rpc/url.js";

describe("maskUrlPassword", () => {
  it("masks the user-info password and password query options, nothing else", () => {
    expect(maskUrlPassword("postgresql://loader:s3cret@db:5432/w")).toBe("postgresql://loader:***@db:5432/w");
    expect(maskUrlPassword("mysql://root@db/test?password=s3cret&ssl=1")).toBe(
      "mysql://root@db/test?password=***&ssl=1",
    );
    expect(maskUrlPassword("http://h:8082/")).toBe("http://h:8082/");
  });

  it("is what the history's URL errors and the scheduler URL's errors show", () => {
    expect(redactUrl("postgresql://u:pw@h/db?pwd=x")).toBe("postgresql://u:***@h/db?pwd=***");
    expect(() => parseSchedulerUrl("ftp://u:hunter2@h/")).toThrow(/ftp:\/\/u:\*\*\*@h\//);
    expect(() => parseSchedulerUrl("ftp://u:hunter2@h/")).not.toThrow(/hunter2/);
  });
});
