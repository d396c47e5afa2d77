// The parts of notifications that need no process: Luigi's rules for when and to whom, the words of
// mails and digests, the webhook's body, the settings, and the queue's bounds.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  batchEmailConfig,
  emailConfig,
  LuigiConfig,
  smtpConfig,
  webhookConfig,
  type BatchEmailConfig,
} from "../../src/config/index.js";
import { ConfigError } from "../../src/errors.js";
import { createLogger } from "../../src/log/logger.js";
import { unknownConfigEntries } from "../../src/cli/config-check.js";
import { notificationChannels } from "../../src/notify/channels.js";
import { FailureDigest } from "../../src/notify/digest.js";
import { emailDisabledReason, MailChannel } from "../../src/notify/mail-channel.js";
import { disableMail, shellLine, stepErrorMail } from "../../src/notify/mail-format.js";
import type { Notice, StepFailureNotice } from "../../src/notify/notices.js";
import { NotificationQueue, type Channel, type Delivery } from "../../src/notify/queue.js";
import { webhookOrigin, webhookBody } from "../../src/notify/webhook-channel.js";
import { consistent, fixture } from "../scheduler/helpers.js";
import type { FailureReport } from "../../src/scheduler/core.js";

const cfg = (text: string): LuigiConfig => LuigiConfig.fromString(text, "cfg", "luigi.cfg");

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: "info", stream }), lines };
}

const FAILURE: StepFailureNotice = {
  event: "failure",
  step: {
    name: "Load(day=2026-01-01, who=<a & b>)",
    id: "Load_2026_01_01_abc_0123456789",
    family: "Load",
    params: { day: "2026-01-01", who: "<a & b>" },
    owners: ["team@example.com, lead@example.com"],
  },
  error: { message: "boom <x>", stack: "Error: boom <x>\n    at load (pipeline.ts:3:9)" },
  host: "box",
  worker: "Worker(salt=1)",
};

describe("when mail is sent (Luigi's _email_disabled_reason)", () => {
  it("never for format none; with force_send always; else not when stdout is a terminal", () => {
    expect(emailDisabledReason({ format: "none", forceSend: true }, false)).toBe("email format is 'none'");
    expect(emailDisabledReason({ format: "plain", forceSend: false }, true)).toBe("running from a tty");
    expect(emailDisabledReason({ format: "html", forceSend: true }, true)).toBeNull();
    expect(emailDisabledReason({ format: "plain", forceSend: false }, false)).toBeNull();
  });

  it("logs why a mail is not sent from a terminal, and sends it with force_send", () => {
    const { logger, lines } = capturingLogger();
    const channel = (text: string, tty: boolean): MailChannel =>
      new MailChannel({
        email: emailConfig(cfg(text)),
        smtp: smtpConfig(cfg("")),
        log: logger,
        stdoutIsTty: tty,
        commandLine: "luigi",
        sendFailureEmail: true,
        batchEmails: false,
      });
    expect(channel("[email]\nreceiver = ops@example.com", true).deliveriesFor(FAILURE)).toEqual([]);
    expect(lines.at(-1)).toContain("not sending the failure mail because running from a tty");
    const forced = channel("[email]\nreceiver = ops@example.com\nforce_send = true", true).deliveriesFor(
      FAILURE,
    );
    expect(forced.map((d) => d.what)).toEqual([
      "failure mail to ops@example.com, team@example.com, lead@example.com",
    ]);
    // Nobody to tell: nothing, and nothing said.
    const count = lines.length;
    const nobody = { ...FAILURE, step: { ...FAILURE.step, owners: [] } };
    expect(channel("", true).deliveriesFor(nobody)).toEqual([]);
    expect(lines).toHaveLength(count);
  });

  it("gates step and scheduling failures on send_failure_email, never framework errors", () => {
    const { logger } = capturingLogger();
    const channel = new MailChannel({
      email: emailConfig(cfg("[email]\nreceiver = ops@example.com")),
      smtp: smtpConfig(cfg("")),
      log: logger,
      stdoutIsTty: false,
      commandLine: "luigi",
      sendFailureEmail: false,
      batchEmails: false,
    });
    const scheduling = (phase: "complete" | "framework"): Notice => ({
      ...FAILURE,
      event: "scheduling_failure",
      phase,
    });
    expect(channel.deliveriesFor(FAILURE)).toHaveLength(0);
    expect(channel.deliveriesFor(scheduling("complete"))).toHaveLength(0);
    expect(channel.deliveriesFor(scheduling("framework"))).toHaveLength(1);
  });
});

describe("the words of a mail", () => {
  const style = {
    format: "plain" as const,
    tracebackMaxLength: 5000,
    commandLine: "luigi --module p.ts Load",
  };

  it("plain: headline, name, host, aligned parameters, command line, stack", () => {
    const mail = stepErrorMail(FAILURE, style);
    expect(mail.subject).toBe("Luigi: Load(day=2026-01-01, who=<a & b>) FAILED. Host: box");
    expect(mail.body).toBe(
      [
        "A step failed when running. Most likely run() raised an exception.",
        "",
        "Name: Load",
        "Host: box",
        "Worker: Worker(salt=1)",
        "",
        "Parameters:",
        "  day: 2026-01-01",
        "  who: <a & b>",
        "",
        "Command line:",
        "  luigi --module p.ts Load",
        "",
        "Error: boom <x>",
        "    at load (pipeline.ts:3:9)",
        "",
      ].join("\n"),
    );
  });

  it("cuts the stack at traceback_max_length, saying so", () => {
    const long = { ...FAILURE, error: { message: "m", stack: "x".repeat(50) } };
    expect(stepErrorMail(long, { ...style, tracebackMaxLength: 10 }).body).toContain(
      "xxxxxxxxxx...Traceback exceeds max length and has been truncated.\n",
    );
  });

  it("html: every value escaped", () => {
    const { body } = stepErrorMail(FAILURE, {
      ...style,
      format: "html",
      commandLine: "luigi --who '<a & b>'",
    });
    expect(body).toContain("<tr><th>who</th><td>&lt;a &amp; b&gt;</td></tr>");
    expect(body).toContain("<pre>Error: boom &lt;x&gt;\n    at load (pipeline.ts:3:9)</pre>");
    expect(body).toContain("<pre>luigi --who &#39;&lt;a &amp; b&gt;&#39;</pre>");
    expect(body).not.toMatch(/<a &|<x>/);
  });

  it("scheduling failures say which method failed; framework errors say so", () => {
    const notice = { ...FAILURE, event: "scheduling_failure" as const, phase: "requires" as const };
    expect(stepErrorMail(notice, style).subject).toBe(
      "Luigi: Load(day=2026-01-01, who=<a & b>) failed scheduling. Host: box",
    );
    expect(stepErrorMail(notice, style).body).toMatch(
      /^Will not run Load\(.*\) or any dependencies due to error in requires\(\) method\n/,
    );
    expect(stepErrorMail({ ...notice, phase: "framework" }, style).subject).toBe(
      "Luigi: Framework error while scheduling Load(day=2026-01-01, who=<a & b>). Host: box",
    );
  });

  it("the disable mail is Luigi scheduler's", () => {
    const mail = disableMail(
      {
        event: "disable",
        step: FAILURE.step,
        failures: 3,
        window: 3600,
        persist: 86400,
        error: null,
        host: "h",
        worker: null,
      },
      "plain",
    );
    expect(mail).toEqual({
      subject: "Luigi Scheduler: DISABLED Load_2026_01_01_abc_0123456789 due to excessive failures",
      body: "Load_2026_01_01_abc_0123456789 failed 3 times in the last 3600 seconds, so it is being disabled for 86400 seconds\n",
    });
  });

  it("shows the command line as a shell reads it back", () => {
    expect(shellLine(["luigi", "--module", "a b.ts", "Load", "--who", "it's", "--day=2026-01-01"])).toBe(
      "luigi --module 'a b.ts' Load --who 'it'\\''s' --day=2026-01-01",
    );
  });
});

describe("luigid's digests (Luigi's batch notifier)", () => {
  const settings = (over: Partial<BatchEmailConfig> = {}): BatchEmailConfig => ({
    emailInterval: 60,
    batchMode: "all",
    errorLines: 0,
    errorMessages: 0,
    groupByErrorMessages: false,
    ...over,
  });
  const digest = (over: Partial<BatchEmailConfig> = {}, receivers = ["r@example.com"]): FailureDigest =>
    new FailureDigest(settings(over), receivers, "plain");

  it("counts failures, disables and scheduling failures per step, most failures first", () => {
    const d = digest();
    d.add("failures", { name: "T(a=5)", family: "T", params: { a: 5 }, error: "e", owners: [] });
    for (let i = 0; i < 2; i++)
      d.add("failures", { name: "T(a=6)", family: "T", params: { a: 6 }, error: "e", owners: [] });
    d.add("disables", { name: "T(a=6)", family: "T", params: { a: 6 }, owners: [] });
    d.add("schedulingFailures", { name: "S()", family: "S", params: {}, error: "e", owners: [] });
    expect(d.take()).toEqual([
      {
        recipient: "r@example.com",
        subject: "Luigi: 3 failures, 1 disable, 1 scheduling failure in the last 60 minutes",
        body: "- T(a=6) (2 failures, 1 disable)\n- S() (1 scheduling failure)\n- T(a=5) (1 failure)",
      },
    ]);
    expect(d.take()).toEqual([]);
  });

  it("tells owners that these are their steps, and nobody when there is no recipient", () => {
    const d = digest({}, []);
    d.add("failures", { name: "T(a=5)", family: "T", params: { a: 5 }, error: "e", owners: [] });
    expect(d.take()).toEqual([]);
    d.add("failures", {
      name: "T(a=5)",
      family: "T",
      params: { a: 5 },
      error: "e",
      owners: ["owner@example.com"],
    });
    expect(d.take().map((m) => [m.recipient, m.subject])).toEqual([
      ["owner@example.com", "Luigi: Your tasks have 1 failure in the last 60 minutes"],
    ]);
  });

  it("groups by family, or by family and unbatched parameters", () => {
    const byFamily = digest({ batchMode: "family" });
    byFamily.add("failures", { name: "T(a=5)", family: "T", params: { a: 5 }, error: "e", owners: [] });
    byFamily.add("failures", { name: "T(a=6)", family: "T", params: { a: 6 }, error: "e", owners: [] });
    expect(byFamily.take()[0]?.body).toBe("- T (2 failures)");
    const unbatched = digest({ batchMode: "unbatched_params" });
    unbatched.add("failures", { name: "T(a=5, b=1)", family: "T", params: { b: 1 }, error: "e", owners: [] });
    unbatched.add("failures", { name: "T(a=6, b=1)", family: "T", params: { b: 1 }, error: "e", owners: [] });
    expect(unbatched.take()[0]?.body).toBe("- T(b=1) (2 failures)");
  });

  it("shows the last error_lines of the last error_messages errors, one entry per shared error", () => {
    const d = digest({ errorLines: 2, errorMessages: 1, groupByErrorMessages: true });
    d.add("failures", { name: "A()", family: "A", params: {}, error: "old\nerror", owners: [] });
    d.add("failures", { name: "A()", family: "A", params: {}, error: "one\ntwo\nthree\n", owners: [] });
    d.add("failures", { name: "B()", family: "B", params: {}, error: "one\ntwo\nthree", owners: [] });
    d.add("failures", { name: "C()", family: "C", params: {}, error: "other", owners: [] });
    expect(d.take()[0]?.body).toBe(
      [
        "- A() (2 failures)",
        "  B() (1 failure)",
        "",
        "      two",
        "      three",
        "",
        "- C() (1 failure)",
        "",
        "      other",
      ].join("\n"),
    );
  });
});

describe("the webhook's body", () => {
  const now = new Date("2026-01-01T10:00:00Z");

  it("carries a chat text and the structured fields", () => {
    expect(webhookBody(FAILURE, now)).toEqual({
      event: "failure",
      text: "Luigi: Load(day=2026-01-01, who=<a & b>) FAILED on box: boom <x>",
      status: "FAILED",
      time: "2026-01-01T10:00:00.000Z",
      host: "box",
      worker: "Worker(salt=1)",
      step: "Load(day=2026-01-01, who=<a & b>)",
      step_id: "Load_2026_01_01_abc_0123456789",
      family: "Load",
      params: { day: "2026-01-01", who: "<a & b>" },
      owners: ["team@example.com, lead@example.com"],
      error: FAILURE.error,
    });
  });

  it("logs a webhook URL as its origin only", () => {
    expect(webhookOrigin("https://hooks.example.com/services/T000/B000/XXXX?token=1")).toBe(
      "https://hooks.example.com/…",
    );
    expect(webhookOrigin("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080/");
    expect(webhookOrigin("not a url")).toBe("(the webhook URL)");
  });
});

describe("the settings", () => {
  it("have Luigi's defaults", () => {
    const email = emailConfig(cfg(""));
    expect(email).toMatchObject({
      receivers: [],
      prefix: "",
      format: "plain",
      method: "smtp",
      forceSend: false,
      tracebackMaxLength: 5000,
    });
    expect(email.sender).toMatch(/^luigi-client@/);
    expect(smtpConfig(cfg(""))).toEqual({
      host: "localhost",
      port: 25,
      username: "",
      password: "",
      ssl: false,
      noTls: false,
      localHostname: "",
      timeout: 10,
    });
    expect(smtpConfig(cfg("[smtp]\nssl = true")).port).toBe(465);
    expect(batchEmailConfig(cfg(""))).toEqual({
      emailInterval: 60,
      batchMode: "unbatched_params",
      errorLines: 20,
      errorMessages: 1,
      groupByErrorMessages: true,
    });
    expect(webhookConfig(cfg(""))).toEqual({
      url: "",
      events: new Set(["failure", "scheduling_failure"]),
      timeout: 10,
    });
  });

  it("read Luigi's older spellings with a deprecation warning", () => {
    const c = cfg(
      "[core]\nerror-email = a@example.com, b@example.com\nsmtp_login = me\n[batch-notifier]\nemail-interval-minutes = 5\n",
    );
    expect(emailConfig(c).receivers).toEqual(["a@example.com", "b@example.com"]);
    expect(smtpConfig(c).username).toBe("me");
    expect(batchEmailConfig(c).emailInterval).toBe(5);
    expect(c.warnings).toEqual([
      "[core] error-email is deprecated; use [email] receiver",
      "[core] smtp_login is deprecated; use [smtp] username",
      "[batch-notifier] email-interval-minutes is deprecated; use [batch_email] email_interval",
    ]);
    expect(unknownConfigEntries(c)).toEqual([]);
  });

  it("refuse what cannot work, naming it, and never repeat a webhook URL", () => {
    const refused = (text: string, read: (c: LuigiConfig) => unknown): string => {
      try {
        read(cfg(text));
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused("[webhook]\nevents = failure, disabled", webhookConfig)).toBe(
      '[webhook] events: "disabled": expected some of failure, scheduling_failure, disable, run_end',
    );
    expect(refused("[webhook]\nurl = ftp://secret-token@example.com/x", webhookConfig)).toBe(
      "[webhook] url: a ftp: URL: expected an http:// or https:// URL",
    );
    expect(refused("[webhook]\nurl = secret-token", webhookConfig)).not.toContain("secret-token");
    expect(refused("[email]\nformat = rtf", emailConfig)).toContain("[email] format");
    expect(refused("[batch_email]\nemail_interval = 0", batchEmailConfig)).toContain(
      "expected minutes above 0",
    );
  });

  it("make a mail channel unless the method is one luigi-ts lacks (said once), and a webhook when a URL is set", () => {
    const { logger, lines } = capturingLogger();
    const ctx = {
      logger,
      stdoutIsTty: false,
      commandLine: "luigi",
      sendFailureEmail: true,
      batchEmails: false,
    };
    const names = (text: string): string[] =>
      notificationChannels(cfg(text), ctx).channels.map((c) => c.name);
    expect(names("")).toEqual(["email"]);
    expect(names("[webhook]\nurl = https://example.com/hook")).toEqual(["email", "webhook"]);
    expect(lines).toEqual([]);
    expect(names("[email]\nmethod = ses")).toEqual([]);
    expect(lines).toEqual([
      expect.stringContaining(
        "[email] method = ses: luigi-ts sends mail by smtp or sendmail only; no mail will be sent",
      ),
    ]);
  });

  it("are known to the check for misspelt keys: [email], [smtp], [batch_email], [webhook]", () => {
    const c = cfg(
      "[email]\nreceiver = a@example.com\nrecevier = b@example.com\n[smtp]\nhost = mail\n[batch_email]\nbatch_mode = all\n[webhook]\nurl = https://example.com/\n[sendgrid]\napikey = x\n",
    );
    expect(unknownConfigEntries(c)).toEqual([
      "luigi.cfg:3: [email] recevier: unknown key; did you mean receiver?",
      "luigi.cfg:11: [sendgrid]: used by Luigi, not (yet) by luigi-ts; ignored",
    ]);
  });
});

describe("the queue", () => {
  function channel(deliver: (n: number) => Promise<void>, deadline = 5): Channel & { started: number[] } {
    let n = 0;
    const started: number[] = [];
    return {
      name: "test",
      deadline,
      started,
      deliveriesFor: (): Delivery[] => {
        const i = ++n;
        return [{ what: `delivery ${i}`, send: () => (started.push(i), deliver(i)) }];
      },
    };
  }

  it("returns at once, sends one at a time, and drops what is beyond its bound", async () => {
    const { logger, lines } = capturingLogger();
    const releases: (() => void)[] = [];
    const ch = channel(() => new Promise<void>((resolve) => releases.push(resolve)));
    const queue = new NotificationQueue([ch], logger, { maxQueued: 2 });
    for (let i = 0; i < 5; i++) queue.notify(FAILURE);
    // 1 in flight, 2 waiting, 2 dropped.
    expect(ch.started).toEqual([1]);
    expect(lines.filter((l) => l.includes("new ones are dropped"))).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await queue.close();
    expect(ch.started).toEqual([1, 2, 3]);
    expect(lines.filter((l) => l.includes("INFO: sent delivery"))).toHaveLength(3);
    expect(lines.at(-1)).toContain("2 test notification(s) not sent");
  });

  it("gives up a delivery after its channel's deadline, logs it, and goes on", async () => {
    const { logger, lines } = capturingLogger();
    const ch = channel((i) => (i === 1 ? new Promise<void>(() => undefined) : Promise.resolve()), 0.2);
    const queue = new NotificationQueue([ch], logger);
    queue.notify(FAILURE);
    queue.notify(FAILURE);
    await queue.close();
    expect(ch.started).toEqual([1, 2]);
    expect(
      lines.some(
        (l) => l.includes("WARN: could not send delivery 1") && l.includes("no answer within 0.2 s"),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes("INFO: sent delivery 2"))).toBe(true);
  });

  it("never throws to the caller, whatever a channel does", async () => {
    const { logger, lines } = capturingLogger();
    const broken: Channel = {
      name: "broken",
      deadline: 1,
      deliveriesFor: () => {
        throw new Error("cannot even");
      },
    };
    const failing = channel(() => Promise.reject(new Error("refused")));
    const queue = new NotificationQueue([broken, failing], logger);
    expect(() => queue.notify(FAILURE)).not.toThrow();
    await queue.close();
    expect(lines.some((l) => l.includes("could not prepare the failure notification"))).toBe(true);
    expect(lines.some((l) => l.includes("could not send delivery 1") && l.includes("refused"))).toBe(true);
  });
});

describe("the scheduler's failure reports (what digests are made from)", () => {
  it("say what failed, with unbatched parameters and owners, and whether it was disabled", () => {
    const reports: FailureReport[] = [];
    const disabled: string[] = [];
    const f = fixture({
      retryCount: 2,
      retryDelay: 0,
      pruneOnGetWork: true,
      batchEmails: true,
      hooks: { failureReported: (r) => reports.push(r), disabledByScheduler: (s) => disabled.push(s.id) },
    });
    f.s.addTaskBatcher({ worker: "W1", task_family: "T", batched_args: ["day"] });
    const params = { day: "2026-01-01", region: "eu" };
    f.add("T_1", { family: "T", params, owners: ["o@example.com"] });
    for (let i = 0; i < 2; i++) {
      expect(f.next()).toBe("T_1");
      f.add("T_1", {
        status: "FAILED",
        expl: JSON.stringify("Error: x"),
        owners: ["o@example.com"],
        runnable: null,
      });
      f.clock.advance(10);
    }
    f.s.announceSchedulingFailure({
      worker: "W1",
      task_name: "U()",
      family: "U",
      params: {},
      expl: "Error: y",
      owners: [],
    });
    const failed = (disabled: boolean): FailureReport => ({
      kind: "failed",
      name: "T(day=2026-01-01, region=eu)",
      family: "T",
      unbatchedParams: { region: "eu" },
      expl: '"Error: x"',
      owners: ["o@example.com"],
      disabled,
      worker: "W1",
    });
    expect(reports).toEqual([
      failed(false),
      failed(true),
      {
        kind: "scheduling",
        name: "U()",
        family: "U",
        unbatchedParams: {},
        expl: "Error: y",
        owners: [],
        disabled: false,
        worker: "W1",
      },
    ]);
    // The disable is reported whatever batch_emails says: the notifier decides what to send.
    expect(disabled).toEqual(["T_1"]);
    consistent(f.s);
  });
});
