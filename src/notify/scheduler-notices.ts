/**
 * luigid's side: the scheduler core's hooks (a disable, a reported failure) turned into notices and
 * digests. The hooks run inside the core's transitions, so they only copy facts and queue; nothing is
 * sent until `arm()` (luigid replays its journal through the core at start, and those disables were
 * told when they happened). With `[scheduler] batch_emails`, failures, disables and scheduling failures
 * go into a digest mailed every `[batch_email] email_interval` minutes and at shutdown, as Luigi's
 * scheduler does; a disable is then not mailed on its own (the webhook still hears of it).
 */
import { hostname } from "node:os";
import type { LuigiConfig } from "../config/index.js";
import { batchEmailConfig } from "../config/index.js";
import { decodeExplanation } from "../history/explanation.js";
import type { Logger } from "../log/logger.js";
import type { FailureReport, SchedulerHooks } from "../scheduler/core.js";
import type { SchedulerOptions } from "../scheduler/options.js";
import { displayName, type StepRecord } from "../scheduler/step-record.js";
import { notificationChannels } from "./channels.js";
import { FailureDigest } from "./digest.js";
import type { MailChannel } from "./mail-channel.js";
import { textParams } from "./notices.js";
import { NotificationQueue } from "./queue.js";

export interface SchedulerNoticesOptions {
  config: LuigiConfig;
  scheduler: Readonly<SchedulerOptions>;
  logger: Logger;
  /** Whether luigid's stdout is a terminal (no mail then, unless `[email] force_send`). */
  stdoutIsTty: boolean;
}

export class SchedulerNotices {
  private readonly queue: NotificationQueue;
  private readonly mail: MailChannel | undefined;
  private readonly digest: FailureDigest | undefined;
  private readonly intervalMinutes: number;
  private readonly host = hostname();
  private timer: NodeJS.Timeout | undefined;
  private armed = false;

  constructor(private readonly opts: SchedulerNoticesOptions) {
    const { channels, mail } = notificationChannels(opts.config, {
      logger: opts.logger,
      stdoutIsTty: opts.stdoutIsTty,
      commandLine: "luigid",
      sendFailureEmail: true,
      batchEmails: opts.scheduler.batchEmails,
    });
    this.queue = new NotificationQueue(channels, opts.logger);
    this.mail = mail;
    const batch = batchEmailConfig(opts.config);
    this.intervalMinutes = batch.emailInterval;
    if (opts.scheduler.batchEmails && mail)
      this.digest = new FailureDigest(batch, mail.receivers, mail.format);
  }

  /** For the scheduler core (merge them with the other observers' hooks). */
  hooks(): SchedulerHooks {
    const hooks: SchedulerHooks = { disabledByScheduler: (rec) => this.disabled(rec) };
    if (this.digest) hooks.failureReported = (report) => this.reported(report);
    return hooks;
  }

  /** Starts telling (after the journal replay), and the digest's clock. */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    if (this.digest) {
      this.timer = setInterval(() => this.sendDigest(), this.intervalMinutes * 60_000);
      this.timer.unref();
    }
  }

  /** Sends the digest so far and what is queued (within the drain deadline). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.armed) this.sendDigest();
    this.armed = false;
    await this.queue.close();
  }

  /** Mails each recipient's digest, if anything was counted since the last one. */
  sendDigest(): void {
    if (!this.digest || !this.mail || this.digest.empty) return;
    for (const d of this.digest.take()) {
      for (const delivery of this.mail.mail(d, [d.recipient], "failure digest")) {
        this.queue.enqueue(this.mail, delivery);
      }
    }
  }

  private disabled(rec: Readonly<StepRecord>): void {
    if (!this.armed) return;
    this.queue.notify({
      event: "disable",
      step: {
        name: displayName(rec),
        id: rec.id,
        family: rec.family,
        params: textParams(rec.params),
        owners: [],
      },
      failures: rec.retryPolicy.retryCount,
      window: rec.retryPolicy.disableWindow,
      persist: this.opts.scheduler.disablePersist,
      error: rec.expl === null ? null : decodeExplanation(rec.expl),
      host: this.host,
      worker: rec.workerRunning,
    });
  }

  private reported(report: FailureReport): void {
    if (!this.armed || !this.digest) return;
    const { name, family, unbatchedParams: params, owners } = report;
    const entry = { name, family, params, owners };
    this.digest.add(report.kind === "scheduling" ? "schedulingFailures" : "failures", {
      ...entry,
      error: decodeExplanation(report.expl),
    });
    if (report.disabled) this.digest.add("disables", entry);
  }
}
