/** The channels a configuration asks for: mail (`[email]`, `[smtp]`) and a webhook (`[webhook] url`). */
import type { LuigiConfig } from "../config/index.js";
import { emailConfig, smtpConfig, SUPPORTED_EMAIL_METHODS, webhookConfig } from "../config/index.js";
import type { Logger } from "../log/logger.js";
import { MailChannel } from "./mail-channel.js";
import type { Channel } from "./queue.js";
import { WebhookChannel } from "./webhook-channel.js";

export interface ChannelContext {
  logger: Logger;
  stdoutIsTty: boolean;
  commandLine: string;
  sendFailureEmail: boolean;
  batchEmails: boolean;
}

/**
 * Reads the sections (a bad value is a ConfigError naming it). Mail is always a channel unless its
 * method is one luigi-ts lacks (said once): with no receiver, only steps with owners are mailed.
 */
export function notificationChannels(
  config: LuigiConfig,
  ctx: ChannelContext,
): { channels: Channel[]; mail: MailChannel | undefined } {
  const email = emailConfig(config);
  const smtp = smtpConfig(config);
  const webhook = webhookConfig(config);
  const channels: Channel[] = [];
  let mail: MailChannel | undefined;
  if (SUPPORTED_EMAIL_METHODS.includes(email.method)) {
    mail = new MailChannel({ email, smtp, log: ctx.logger, ...ctx });
    channels.push(mail);
  } else {
    ctx.logger.warn(
      `[email] method = ${email.method}: luigi-ts sends mail by ${SUPPORTED_EMAIL_METHODS.join(" or ")} only; no mail will be sent`,
    );
  }
  if (webhook.url !== "") channels.push(new WebhookChannel(webhook));
  return { channels, mail };
}
