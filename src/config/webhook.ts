import { ConfigError } from "../errors.js";
import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";
import { commaList } from "./values.js";

/** What a webhook can be told about; `luigi` posts failures and run ends, `luigid` disables. */
export const WEBHOOK_EVENTS = ["failure", "scheduling_failure", "disable", "run_end"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The `[webhook]` keys (luigi-ts only); flags `--webhook-<key>`, except the URL (it often holds a token). */
export const WEBHOOK_SECTION = defineSection({
  name: "webhook",
  flags: "prefixed",
  help: "a JSON POST per failure (chat services' incoming webhooks show its text)",
  keys: {
    url: key.string("", "where to POST (http or https); config only, never logged", { flag: false }),
    events: key.string("failure, scheduling_failure", `comma-separated: ${WEBHOOK_EVENTS.join(", ")}`),
    timeout: key.float(10, "seconds one POST may take"),
  },
});

export interface WebhookConfig {
  /** "" = no webhook. Default "". */
  url: string;
  /** Default failure and scheduling_failure. */
  events: ReadonlySet<WebhookEvent>;
  /** Seconds one POST may take. Default 10. */
  timeout: number;
}

function bad(keyName: string, value: string, expected: string): ConfigError {
  // The URL's own text is never repeated: it may carry a token.
  return new ConfigError(`[webhook] ${keyName}: ${value}: expected ${expected}`, {
    section: "webhook",
    key: keyName,
    expected,
  });
}

export function webhookConfig(cfg: LuigiConfig): WebhookConfig {
  const v = readSection(cfg, WEBHOOK_SECTION);
  const url = v.url.trim();
  if (url !== "") {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw bad("url", "not a URL", "an http:// or https:// URL");
    }
    if (protocol !== "http:" && protocol !== "https:") {
      throw bad("url", `a ${protocol} URL`, "an http:// or https:// URL");
    }
  }
  const events = new Set<WebhookEvent>();
  for (const name of commaList(v.events.toLowerCase())) {
    const known = WEBHOOK_EVENTS.find((e) => e === name);
    if (known === undefined)
      throw bad("events", JSON.stringify(name), `some of ${WEBHOOK_EVENTS.join(", ")}`);
    events.add(known);
  }
  if (!(v.timeout > 0)) throw bad("timeout", String(v.timeout), "seconds above 0");
  return { url, events, timeout: v.timeout };
}
