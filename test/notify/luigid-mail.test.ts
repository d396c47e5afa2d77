// luigid's own mails: a disable as it happens, or (batch_emails) digests per recipient. Real luigid and
// luigi processes, a real SMTP server here.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, FIXTURES, startLuigi, workdir } from "../helpers/cli.js";
import { startLuigid, type RunningLuigid } from "../helpers/luigid.js";
import { startSmtpServer, type ReceivedMail, type SmtpServerHandle } from "./servers.js";

const NOTIFY = path.join(FIXTURES, "notify.ts");

let smtp: SmtpServerHandle | undefined;
let daemon: RunningLuigid | undefined;
afterEach(async () => {
  await daemon?.stop();
  await smtp?.close();
  daemon = undefined;
  smtp = undefined;
});

function config(dir: string, name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const smtpLines = (port: number): string[] => ["[smtp]", "host = 127.0.0.1", `port = ${port}`];

async function start(dir: string, lines: string[]): Promise<RunningLuigid> {
  const cfg = config(dir, "luigid.cfg", lines);
  return startLuigid(["--state-path", path.join(dir, "state.json")], {
    cwd: dir,
    env: { LUIGI_CONFIG_PATH: cfg },
  });
}

async function work(dir: string, cfg: string, url: string, args: string[]): Promise<number | null> {
  const result = await collect(
    startLuigi(["--module", NOTIFY, ...args, "--scheduler-url", url, "--no-lock"], {
      cwd: dir,
      env: { OUT: path.join(dir, "out"), LUIGI_CONFIG_PATH: cfg },
    }),
  );
  return result.code;
}

/**
 * An SMTP server, a luigid with batch_emails (`batch` and `email` lines added to its sections) mailing
 * digest@example.com through it, and a worker configuration that mails nothing itself.
 */
async function startBatching(
  batch: string[],
  email: string[] = [],
): Promise<{
  w: ReturnType<typeof workdir>;
  workerCfg: string;
  mailbox: SmtpServerHandle;
  luigid: RunningLuigid;
}> {
  const mailbox = await startSmtpServer();
  smtp = mailbox;
  const w = workdir();
  const luigid = await start(w.dir, [
    "[scheduler]",
    "batch_emails = true",
    "[batch_email]",
    ...batch,
    "[email]",
    "receiver = digest@example.com",
    ...email,
    ...smtpLines(mailbox.port),
  ]);
  daemon = luigid;
  const quiet = ["[worker]", "send_failure_email = false", ...smtpLines(mailbox.port)];
  return { w, workerCfg: config(w.dir, "worker.cfg", quiet), mailbox, luigid };
}

const to = (mail: ReceivedMail): string => [...mail.envelope.to].sort().join(" ");

describe("luigid's mails", () => {
  it("mails the receiver when it disables a step, besides the worker's own failure mail to the owners", async () => {
    smtp = await startSmtpServer();
    const w = workdir();
    daemon = await start(w.dir, ["[email]", "receiver = scheduler-ops@example.com", ...smtpLines(smtp.port)]);
    const workerCfg = config(w.dir, "worker.cfg", smtpLines(smtp.port));
    for (let round = 1; round <= 3; round++) {
      expect(await work(w.dir, workerCfg, daemon.url, ["Ledger", "--day", `2026-05-0${round}`])).toBe(30);
      await smtp.waitForMails(2 * round);
      const [disable, failure] = smtp.mails
        .slice(-2)
        .sort((a, b) => (a.headers.get("subject") ?? "").localeCompare(b.headers.get("subject") ?? ""));
      expect(to(failure!)).toBe("owner@example.com second@example.com third@example.com");
      expect(failure!.headers.get("subject")).toMatch(
        /^Luigi: Ledger\(day=2026-05-0\d, .*\) FAILED\. Host: /,
      );
      expect(to(disable!)).toBe("scheduler-ops@example.com");
      const subject = disable!.headers.get("subject") ?? "";
      const id = /^Luigi Scheduler: DISABLED (Ledger_\S+) due to excessive failures$/.exec(subject)?.[1];
      expect(id, subject).toBeDefined();
      expect(disable!.body.trim()).toBe(
        `${id} failed 1 times in the last 3600 seconds, so it is being disabled for 86400 seconds`,
      );
    }
  });

  it("with batch_emails, mails one digest per recipient instead, at shutdown", async () => {
    const { w, workerCfg, mailbox, luigid } = await startBatching(["batch_mode = family"]);
    expect(await work(w.dir, workerCfg, luigid.url, ["Ledger", "--day", "2026-06-01"])).toBe(30);
    expect(await work(w.dir, workerCfg, luigid.url, ["Ledger", "--day", "2026-06-02"])).toBe(30);
    expect(await work(w.dir, workerCfg, luigid.url, ["Unreadable", "--n", "3"])).toBe(35);
    // Nothing yet: neither the worker (send_failure_email = false) nor a disable mail.
    expect(mailbox.mails).toEqual([]);
    await luigid.stop();
    await mailbox.waitForMails(3);
    const mails = new Map(mailbox.mails.map((m) => [to(m), m]));
    expect([...mails.keys()].sort()).toEqual([
      "digest@example.com",
      "owner@example.com",
      "second@example.com third@example.com",
    ]);
    const digest = mails.get("digest@example.com")!;
    expect(digest.headers.get("subject")).toBe(
      "Luigi: 2 failures, 2 disables, 1 scheduling failure in the last 60 minutes",
    );
    expect(digest.body).toContain("- Ledger (2 failures, 2 disables)\n");
    expect(digest.body).toContain("      Error: ledger line <no separator here> & the rest: no separator");
    expect(digest.body).toContain("- Unreadable (1 scheduling failure)\n");
    expect(digest.body).toContain("      Error: cannot tell whether Unreadable(3) is complete");
    expect(mails.get("owner@example.com")!.headers.get("subject")).toBe(
      "Luigi: Your tasks have 2 failures, 2 disables, 1 scheduling failure in the last 60 minutes",
    );
    expect(mails.get("second@example.com third@example.com")!.headers.get("subject")).toBe(
      "Luigi: Your tasks have 2 failures, 2 disables in the last 60 minutes",
    );
  });

  it("with batch_emails, mails each digest once every email_interval while it runs", async () => {
    const { w, workerCfg, mailbox, luigid } = await startBatching(
      ["email_interval = 0.02"],
      ["format = html"],
    );
    for (let round = 1; round <= 3; round++) {
      const day = `2026-07-0${round}`;
      // One add_task brings the failure and the disable: they cannot straddle two digests.
      expect(await work(w.dir, workerCfg, luigid.url, ["Ledger", "--day", day])).toBe(30);
      await mailbox.waitForMails(3 * round);
      const digest = mailbox.mails.slice(-3).find((m) => to(m) === "digest@example.com");
      expect(digest?.headers.get("subject"), `round ${round}`).toBe(
        "Luigi: 1 failure, 1 disable in the last 0.02 minutes",
      );
      // unbatched_params (the default) names each step; html escapes it.
      expect(digest!.body).toContain(
        `<ul>\n<li>Ledger(day=${day}, label=&lt;b&gt;east &amp; west&lt;/b&gt;) (1 failure, 1 disable)\n<pre>`,
      );
    }
    await luigid.stop();
    // Told once: the shutdown has nothing new to say.
    expect(mailbox.mails).toHaveLength(9);
  });
});
