import { hostname } from "node:os";
import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection, type LegacyKey } from "./keys.js";
import { commaList } from "./values.js";

/** How a mail body is written; "none" sends no mail at all (Luigi's `[email] format`). */
export type EmailFormat = "plain" | "html" | "none";
/** luigi-ts sends by smtp or a local sendmail; Luigi's other methods are accepted and then send nothing. */
export type EmailMethod = "smtp" | "sendmail" | "sendgrid" | "ses" | "sns";
export const SUPPORTED_EMAIL_METHODS: readonly EmailMethod[] = ["smtp", "sendmail"];

/** Luigi's address for mails from a worker: `luigi-client@<host>`. */
export function defaultSender(): string {
  return `luigi-client@${hostname()}`;
}

/** Luigi's older spellings, still read (with its deprecation notice) when the new key is absent. */
function deprecated(section: string, key: string, now: string): LegacyKey {
  return { section, key, warning: `[${section}] ${key} is deprecated; use ${now}` };
}

const EMAIL_LEGACY: Readonly<Record<string, LegacyKey>> = {
  receiver: deprecated("core", "error-email", "[email] receiver"),
  prefix: deprecated("core", "email-prefix", "[email] prefix"),
  sender: deprecated("core", "email-sender", "[email] sender"),
  format: deprecated("core", "email-type", "[email] format"),
  method: deprecated("email", "type", "[email] method"),
};

/** The `[email]` keys (Luigi's `email` Config class); flags `--email-<key>`. */
export const EMAIL_SECTION = defineSection({
  name: "email",
  flags: "prefixed",
  help: "failure mails: who gets them and how they are sent",
  keys: {
    receiver: key.string("", "address(es), comma-separated, that get every failure mail"),
    sender: key.string(defaultSender, "the From address", { shown: "luigi-client@<host>" }),
    prefix: key.string("", 'put before every subject, e.g. "[LUIGI]"'),
    format: key.choice(["plain", "html", "none"] as const, "plain", "plain, html, or none (no mail)", {
      normalise: (t) => t.trim().toLowerCase(),
    }),
    method: key.choice(
      ["smtp", "sendmail", "sendgrid", "ses", "sns"] as const,
      "smtp",
      "smtp ([smtp] server) or sendmail (the local sendmail command)",
      { normalise: (t) => t.trim().toLowerCase() },
    ),
    force_send: key.bool(false, "send mail even when stdout is a terminal"),
    traceback_max_length: key.int(5000, "characters of the error's stack in a mail"),
    sendmail_path: key.string("sendmail", "the sendmail command, for method = sendmail"),
  },
  legacy: (name) => EMAIL_LEGACY[name],
});

const SMTP_LEGACY: Readonly<Record<string, LegacyKey>> = {
  host: deprecated("core", "smtp_host", "[smtp] host"),
  port: deprecated("core", "smtp_port", "[smtp] port"),
  username: deprecated("core", "smtp_login", "[smtp] username"),
  password: deprecated("core", "smtp_password", "[smtp] password"),
  ssl: deprecated("core", "smtp_ssl", "[smtp] ssl"),
  no_tls: deprecated("core", "smtp_without_tls", "[smtp] no_tls"),
  local_hostname: deprecated("core", "smtp_local_hostname", "[smtp] local_hostname"),
  timeout: deprecated("core", "smtp_timeout", "[smtp] timeout"),
};

/** The `[smtp]` keys; flags `--smtp-<key>`, except the password (a flag shows in `ps`). */
export const SMTP_SECTION = defineSection({
  name: "smtp",
  flags: "prefixed",
  help: "the SMTP server failure mails go through",
  keys: {
    host: key.string("localhost", "SMTP server host"),
    port: key.int(0, "SMTP server port; 0 = 25, or 465 with ssl"),
    username: key.string("", "login name (used only together with password)"),
    password: key.string("", "login password; config only, never logged", { flag: false }),
    ssl: key.bool(false, "connect over TLS from the start (SMTPS)"),
    no_tls: key.bool(false, "never upgrade the connection with STARTTLS"),
    local_hostname: key.string("", "the name this host gives in EHLO", { shown: "the host name" }),
    timeout: key.float(10, "seconds before a silent SMTP server is given up"),
  },
  legacy: (name) => SMTP_LEGACY[name],
});

export interface EmailConfig {
  /** Addresses that get every failure mail. Default none. */
  receivers: string[];
  /** From address. Default `luigi-client@<host>`. */
  sender: string;
  /** Put before every subject, with a space. Default "". */
  prefix: string;
  /** Default "plain"; "none" sends no mail. */
  format: EmailFormat;
  /** Default "smtp". */
  method: EmailMethod;
  /** Send even when stdout is a terminal. Default false. */
  forceSend: boolean;
  /** Characters of a stack kept in a mail. Default 5000. */
  tracebackMaxLength: number;
  /** The sendmail command for method "sendmail". Default "sendmail" (looked up on PATH). */
  sendmailPath: string;
}

export interface SmtpConfig {
  /** Default "localhost". */
  host: string;
  /** Default 25, or 465 with ssl (Luigi's 0). */
  port: number;
  /** Login, only when both are set (as Luigi). Default none. */
  username: string;
  password: string;
  /** SMTPS from the first byte. Default false. */
  ssl: boolean;
  /** No STARTTLS even when the server offers it. Default false. */
  noTls: boolean;
  /** The EHLO name; "" = the host name. Default "". */
  localHostname: string;
  /** Seconds for connecting, the greeting and each reply. Default 10. */
  timeout: number;
}

export function emailConfig(cfg: LuigiConfig): EmailConfig {
  const v = readSection(cfg, EMAIL_SECTION);
  return {
    receivers: commaList(v.receiver),
    sender: v.sender.trim() || defaultSender(),
    prefix: v.prefix,
    format: v.format,
    method: v.method,
    forceSend: v.force_send,
    tracebackMaxLength: v.traceback_max_length,
    sendmailPath: v.sendmail_path.trim() || "sendmail",
  };
}

export function smtpConfig(cfg: LuigiConfig): SmtpConfig {
  const v = readSection(cfg, SMTP_SECTION);
  return {
    host: v.host.trim() || "localhost",
    port: v.port > 0 ? v.port : v.ssl ? 465 : 25,
    username: v.username,
    password: v.password,
    ssl: v.ssl,
    noTls: v.no_tls,
    localHostname: v.local_hostname.trim(),
    timeout: v.timeout,
  };
}
