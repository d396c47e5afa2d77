/**
 * The mail channel: who gets which failure mail (Luigi's rules), sent with nodemailer by SMTP or a
 * local sendmail. nodemailer is loaded on the first mail, so a run without failures never pays for it.
 */
import type { Transporter } from "nodemailer";
import type { EmailConfig, SmtpConfig } from "../config/index.js";
import { commaList } from "../config/index.js";
import type { Logger } from "../log/logger.js";
import { disableMail, stepErrorMail, type MailStyle, type MailText } from "./mail-format.js";
import type { Notice } from "./notices.js";
import type { Channel, Delivery } from "./queue.js";

/**
 * Why no mail is sent at all, or null (Luigi's `_email_disabled_reason`): format "none", or stdout is a
 * terminal (a person is watching) unless force_send.
 */
export function emailDisabledReason(
  email: Pick<EmailConfig, "format" | "forceSend">,
  stdoutIsTty: boolean,
): string | null {
  if (email.format === "none") return "email format is 'none'";
  if (email.forceSend) return null;
  if (stdoutIsTty) return "running from a tty";
  return null;
}

export interface MailChannelOptions {
  email: EmailConfig;
  smtp: SmtpConfig;
  log: Logger;
  /** Whether this process's stdout is a terminal (see emailDisabledReason). */
  stdoutIsTty: boolean;
  /** The command line shown in step mails. */
  commandLine: string;
  /** `[worker] send_failure_email`: step and scheduling failures are mailed (framework errors always). */
  sendFailureEmail: boolean;
  /** `[scheduler] batch_emails` (luigid): disables go into digests instead of a mail each. */
  batchEmails: boolean;
}

export class MailChannel implements Channel {
  readonly name = "email";
  readonly deadline: number;
  private transporter: Promise<Transporter> | undefined;

  constructor(private readonly opts: MailChannelOptions) {
    // nodemailer gives up on a silent server after the timeout itself; this bounds a server that drips.
    this.deadline = opts.smtp.timeout + 5;
  }

  get format(): "plain" | "html" {
    return this.opts.email.format === "html" ? "html" : "plain";
  }

  get receivers(): readonly string[] {
    return this.opts.email.receivers;
  }

  deliveriesFor(notice: Notice): Delivery[] {
    const { email, sendFailureEmail, batchEmails } = this.opts;
    switch (notice.event) {
      case "failure":
      case "scheduling_failure": {
        const always =
          notice.event === "scheduling_failure" && (notice.phase === "framework" || notice.phase === "load");
        if (!sendFailureEmail && !always) return [];
        const style: MailStyle = {
          format: this.format,
          tracebackMaxLength: email.tracebackMaxLength,
          commandLine: this.opts.commandLine,
        };
        return this.mail(
          stepErrorMail(notice, style),
          [...email.receivers, ...notice.step.owners],
          "failure mail",
        );
      }
      case "disable":
        // Luigi sends the disable mail to the receiver only; with batch_emails it goes into the digest.
        return batchEmails
          ? []
          : this.mail(disableMail(notice, this.format), email.receivers, "disable mail");
      case "run_end":
        return [];
    }
  }

  /**
   * The delivery of one mail (subject prefixed) to `recipients` (comma lists split, duplicates dropped),
   * or nothing when there is nobody to tell or mail is off here (logged, as Luigi does).
   */
  mail(text: MailText, recipients: readonly string[], kind: string): Delivery[] {
    const to = [...new Set(recipients.flatMap(commaList))];
    if (to.length === 0) return [];
    const reason = emailDisabledReason(this.opts.email, this.opts.stdoutIsTty);
    if (reason !== null) {
      this.opts.log.info({ to }, `not sending the ${kind} because ${reason}`);
      return [];
    }
    const { prefix, sender } = this.opts.email;
    const subject = prefix ? `${prefix} ${text.subject}` : text.subject;
    const content = this.format === "html" ? { html: text.body } : { text: text.body };
    return [
      {
        what: `${kind} to ${to.join(", ")}`,
        send: async () => {
          const transporter = await this.transport();
          await transporter.sendMail({ from: sender, to, subject, ...content });
        },
      },
    ];
  }

  close(): void {
    const pending = this.transporter;
    this.transporter = undefined;
    void pending?.then((t) => t.close()).catch(() => undefined);
  }

  private transport(): Promise<Transporter> {
    this.transporter ??= import("nodemailer").then(({ createTransport }) => {
      const { email, smtp } = this.opts;
      if (email.method === "sendmail") {
        return createTransport({ sendmail: true, path: email.sendmailPath, newline: "unix" });
      }
      const ms = smtp.timeout * 1000;
      return createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.ssl,
        // Luigi upgrades with STARTTLS when the server offers it, unless no_tls; nodemailer does the same.
        ignoreTLS: smtp.noTls,
        ...(smtp.username && smtp.password ? { auth: { user: smtp.username, pass: smtp.password } } : {}),
        ...(smtp.localHostname ? { name: smtp.localHostname } : {}),
        connectionTimeout: ms,
        greetingTimeout: ms,
        socketTimeout: ms,
      });
    });
    return this.transporter;
  }
}
