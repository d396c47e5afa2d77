// Failure mails from a real `luigi` process, received by a real SMTP server started here.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES, runLuigi, workdir } from "../helpers/cli.js";
import {
  freePort,
  parseMessage,
  startBrokenSmtpServer,
  startSmtpServer,
  type SmtpServerHandle,
} from "./servers.js";

const NOTIFY = path.join(FIXTURES, "notify.ts");
const RECIPIENTS = ["ops@example.com", "owner@example.com", "second@example.com", "third@example.com"];

let smtp: SmtpServerHandle | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

function run(lines: string[], args: string[]): ReturnType<typeof runLuigi> {
  const w = workdir();
  writeFileSync(path.join(w.dir, "luigi.cfg"), lines.join("\n") + "\n");
  return runLuigi(["--module", NOTIFY, ...args, "--local-scheduler"], { cwd: w.dir, env: { OUT: w.out } });
}

const mailConfig = (port: number, more: string[] = []): string[] => [
  "[email]",
  "receiver = ops@example.com",
  "sender = pipelines@example.com",
  "prefix = [LUIGI]",
  ...more,
  "[smtp]",
  "host = 127.0.0.1",
  `port = ${port}`,
];

describe("a failing step's mail", () => {
  it("goes once to the receiver and the step's owners, naming the step, its parameters, the host and the stack", async () => {
    smtp = await startSmtpServer();
    for (let round = 1; round <= 3; round++) {
      const day = `2026-01-0${round}`;
      const result = await run(mailConfig(smtp.port), ["Ledger", "--day", day]);
      expect(result.code, result.stderr).toBe(30);
      expect(smtp.mails, `round ${round}`).toHaveLength(round);
      const mail = smtp.mails[round - 1]!;
      expect(mail.envelope.from).toBe("pipelines@example.com");
      expect([...mail.envelope.to].sort()).toEqual(RECIPIENTS);
      expect(mail.headers.get("from")).toBe("pipelines@example.com");
      expect(
        mail.headers
          .get("to")
          ?.split(",")
          .map((a) => a.trim())
          .sort(),
      ).toEqual(RECIPIENTS);
      const step = `Ledger(day=${day}, label=<b>east & west</b>)`;
      expect(mail.headers.get("subject")).toBe(`[LUIGI] Luigi: ${step} FAILED. Host: ${hostname()}`);
      expect(mail.contentType).toMatch(/^text\/plain/);
      const body = mail.body;
      expect(body).toContain("A step failed when running. Most likely run() raised an exception.");
      expect(body).toContain("Name: Ledger");
      expect(body).toContain(`Host: ${hostname()}`);
      expect(body).toMatch(/Worker: Worker\(salt=\d+, /);
      expect(body).toContain(`Parameters:\n  day  : ${day}\n  label: <b>east & west</b>\n`);
      expect(body).toContain(
        `Command line:\n  luigi --module ${NOTIFY} Ledger --day ${day} --local-scheduler`,
      );
      expect(body).toContain("Error: ledger line <no separator here> & the rest: no separator");
      expect(body).toMatch(/at parseLedgerLine \(.*notify\.ts:\d+:\d+\)/);
      // The run itself is reported as always.
      expect(result.stdout).toContain(`* 1 failed:\n    - 1 ${step}`);
      expect(result.stderr).toMatch(/INFO: sent failure mail to ops@example\.com, owner@example\.com/);
    }
  });

  it("in html, escapes what it shows", async () => {
    smtp = await startSmtpServer();
    const result = await run(mailConfig(smtp.port, ["format = html"]), ["Ledger", "--day", "2026-02-01"]);
    expect(result.code).toBe(30);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.contentType).toMatch(/^text\/html/);
    expect(mail.body).toContain(
      "<h2>A step failed when running. Most likely run() raised an exception.</h2>",
    );
    expect(mail.body).toContain("<tr><th>label</th><td>&lt;b&gt;east &amp; west&lt;/b&gt;</td></tr>");
    expect(mail.body).toContain("Error: ledger line &lt;no separator here&gt; &amp; the rest");
    expect(mail.body).not.toContain("<b>east");
    expect(mail.body).not.toContain("<no separator here>");
    expect(mail.headers.get("subject")).toContain(
      "[LUIGI] Luigi: Ledger(day=2026-02-01, label=<b>east & west</b>) FAILED",
    );
  });

  it("for a step that cannot be scheduled says which method failed", async () => {
    smtp = await startSmtpServer();
    const result = await run(mailConfig(smtp.port), ["Unreadable", "--n", "4"]);
    expect(result.code).toBe(35);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.headers.get("subject")).toBe(
      `[LUIGI] Luigi: Unreadable(n=4) failed scheduling. Host: ${hostname()}`,
    );
    expect(mail.body).toContain(
      "Will not run Unreadable(n=4) or any dependencies due to error in complete() method",
    );
    expect(mail.body).toContain("Error: cannot tell whether Unreadable(4) is complete");
    expect([...mail.envelope.to].sort()).toEqual(["ops@example.com", "owner@example.com"]);
  });

  it("is not sent with [worker] send_failure_email = false, nor with [email] format = none", async () => {
    smtp = await startSmtpServer();
    const off = await run(
      [...mailConfig(smtp.port), "[worker]", "send_failure_email = false"],
      ["Ledger", "--day", "2026-03-01"],
    );
    expect(off.code).toBe(30);
    const none = await run(mailConfig(smtp.port, ["format = none"]), ["Ledger", "--day", "2026-03-02"]);
    expect(none.code).toBe(30);
    // Each luigi process waits for its queued mails before it exits: had one been sent, it would be here.
    expect(smtp.mails).toEqual([]);
    expect(none.stderr).toContain("not sending the failure mail because email format is 'none'");
  });

  it("reads Luigi's older [core] spellings, with a deprecation warning", async () => {
    smtp = await startSmtpServer();
    const result = await run(
      [
        "[core]",
        "error-email = ops@example.com",
        "email-prefix = [OLD]",
        "smtp_host = 127.0.0.1",
        `smtp_port = ${smtp.port}`,
      ],
      ["Ledger", "--day", "2026-03-03"],
    );
    expect(result.code).toBe(30);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.headers.get("subject")).toMatch(/^\[OLD\] Luigi: Ledger/);
    expect(result.stderr).toContain("[core] error-email is deprecated; use [email] receiver");
    expect(result.stderr).not.toContain("not (yet) by luigi-ts");
  });
});

describe("method = sendmail", () => {
  it("hands the mail to the sendmail command, with the sender and the recipients as arguments", async () => {
    const w = workdir();
    // A stand-in for /usr/sbin/sendmail: keeps its arguments and the message it reads from stdin.
    const sendmail = path.join(w.dir, "sendmail");
    writeFileSync(sendmail, `#!/bin/sh\necho "$@" > "${w.dir}/args"\ncat > "${w.dir}/message"\n`);
    chmodSync(sendmail, 0o755);
    writeFileSync(
      path.join(w.dir, "luigi.cfg"),
      [
        "[email]",
        "receiver = ops@example.com",
        "sender = pipelines@example.com",
        "method = sendmail",
        `sendmail_path = ${sendmail}`,
      ].join("\n"),
    );
    const result = await runLuigi(
      ["--module", NOTIFY, "Ledger", "--day", "2026-08-01", "--local-scheduler"],
      {
        cwd: w.dir,
        env: { OUT: w.out },
      },
    );
    expect(result.code, result.stderr).toBe(30);
    expect(readFileSync(path.join(w.dir, "args"), "utf8").trim()).toBe(
      `-i -f pipelines@example.com ${RECIPIENTS.join(" ")}`,
    );
    const mail = parseMessage(readFileSync(path.join(w.dir, "message"), "utf8").replace(/\r?\n/g, "\r\n"));
    expect(mail.headers.get("subject")).toMatch(/^Luigi: Ledger\(day=2026-08-01, .*\) FAILED\. Host: /);
    expect(mail.body).toContain("Error: ledger line <no separator here>");
  });
});

describe("a mail that cannot be sent", () => {
  const expectRunAsUsual = (result: Awaited<ReturnType<typeof runLuigi>>): void => {
    expect(result.code).toBe(30);
    expect(result.stdout).toContain("* 1 ran successfully:\n    - 1 Fine(n=");
    expect(result.stdout).toContain("* 1 failed:\n    - 1 Ledger(day=");
    expect(result.stderr).toMatch(/WARN: could not send failure mail to ops@example\.com/);
  };

  it("is logged, and the step's failure and the run's exit code are as without mail (refused, closed, wrong login)", async () => {
    const refusing = await freePort();
    const closing = await startBrokenSmtpServer("close");
    smtp = await startSmtpServer({ users: { luigi: "the-right-one" } });
    try {
      for (let round = 1; round <= 2; round++) {
        const refused = await run(mailConfig(refusing), ["LedgerAndFine", "--day", `2026-04-0${round}`]);
        expectRunAsUsual(refused);
        expect(refused.stderr).toContain("ECONNREFUSED");

        const closed = await run(mailConfig(closing.port), ["LedgerAndFine", "--day", `2026-05-0${round}`]);
        expectRunAsUsual(closed);
        expect(closing.connections()).toBe(round);

        const password = `s3cret-${round}-never-logged`;
        const login = await run(
          [...mailConfig(smtp.port), "username = luigi", `password = ${password}`],
          ["LedgerAndFine", "--day", `2026-06-0${round}`],
        );
        expectRunAsUsual(login);
        expect(smtp.logins.at(-1)).toEqual({ username: "luigi", accepted: false });
        expect(login.stderr + login.stdout).not.toContain(password);
      }
      expect(smtp.mails).toEqual([]);
    } finally {
      await closing.close();
    }
  });

  it("never holds up the run: a server that never answers is given up after [smtp] timeout, after the other steps ran", async () => {
    const silent = await startBrokenSmtpServer("silent");
    try {
      const result = await run(mailConfig(silent.port, []).concat(["timeout = 3"]), [
        "LedgerAndFine",
        "--day",
        "2026-07-01",
        "--workers",
        "1",
      ]);
      expectRunAsUsual(result);
      expect(silent.connections()).toBe(1);
      // The passing step ran while the mail was still waiting for a greeting that never came.
      const failed = result.stderr.search(/ERROR: failed: Ledger/);
      const done = result.stderr.search(/INFO: done Fine\(n=1\)/);
      expect(failed).toBeGreaterThan(0);
      expect(done).toBeGreaterThan(failed);
      const gaveUp = result.stderr.search(/WARN: could not send failure mail/);
      expect(gaveUp).toBeGreaterThan(done);
      expect(result.stderr).toMatch(
        /could not send failure mail .*(Greeting never received|timeout|no answer)/i,
      );
    } finally {
      await silent.close();
    }
  });
});
