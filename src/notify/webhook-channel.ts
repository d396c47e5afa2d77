/**
 * The webhook channel: one JSON POST per notice of the configured events. The body's `text` is what a
 * chat service's incoming webhook shows (Slack, Mattermost, Rocket.Chat, ... read `text`); the other
 * fields carry the same facts for programs. The URL often holds a token, so it is logged as its origin.
 */
import type { WebhookConfig } from "../config/index.js";
import type { Notice } from "./notices.js";
import type { Channel, Delivery } from "./queue.js";

/** `https://chat.example.com/…`: enough to tell which webhook, nothing of its path or query. */
export function webhookOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" && u.search === "" ? "/" : "/…"}`;
  } catch {
    return "(the webhook URL)";
  }
}

/** The JSON a webhook receives. */
export interface WebhookBody {
  event: Notice["event"];
  text: string;
  /** FAILED, UNKNOWN (not scheduled), DISABLED; for run_end the summary's status (SUCCESS, FAILED, ...). */
  status: string;
  time: string;
  host: string;
  worker: string | null;
  step?: string;
  step_id?: string;
  family?: string;
  params?: Record<string, string>;
  owners?: string[];
  error?: { message: string; stack: string } | null;
  [more: string]: unknown;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

export function webhookBody(notice: Notice, now: Date = new Date()): WebhookBody {
  const base = { time: now.toISOString(), host: notice.host, worker: notice.worker };
  if (notice.event === "run_end") {
    const what = notice.roots.length > 0 ? notice.roots.join(", ") : "assistant";
    return {
      event: "run_end",
      text: `Luigi: run of ${what} on ${notice.host} ended (exit code ${notice.exitCode}). ${notice.verdict}`,
      status: notice.status,
      ...base,
      ok: notice.ok,
      exit_code: notice.exitCode,
      roots: [...notice.roots],
      counts: { ...notice.counts },
    };
  }
  const { step } = notice;
  const stepFields = {
    step: step.name,
    step_id: step.id,
    family: step.family,
    params: { ...step.params },
    owners: [...step.owners],
  };
  switch (notice.event) {
    case "failure":
      return {
        event: "failure",
        text: `Luigi: ${step.name} FAILED on ${notice.host}: ${firstLine(notice.error.message)}`,
        status: "FAILED",
        ...base,
        ...stepFields,
        error: { ...notice.error },
      };
    case "scheduling_failure": {
      const why =
        notice.phase === "load"
          ? "cannot be built by this worker"
          : notice.phase === "framework"
            ? "hit a framework error while scheduling"
            : `failed scheduling (${notice.phase}() raised)`;
      return {
        event: "scheduling_failure",
        text: `Luigi: ${step.name} ${why} on ${notice.host}: ${firstLine(notice.error.message)}`,
        status: "UNKNOWN",
        ...base,
        ...stepFields,
        phase: notice.phase,
        error: { ...notice.error },
      };
    }
    case "disable":
      return {
        event: "disable",
        text: `Luigi Scheduler: DISABLED ${step.name} due to excessive failures (${notice.failures} in ${notice.window} s; disabled for ${notice.persist} s)`,
        status: "DISABLED",
        ...base,
        ...stepFields,
        failures: notice.failures,
        window: notice.window,
        persist: notice.persist,
        error: notice.error === null ? null : { message: firstLine(notice.error), stack: notice.error },
      };
  }
}

/** fetch's "fetch failed" says little; its cause says what (connection refused, ...), never the URL's path. */
function fetchFailure(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const detail = cause instanceof Error ? cause.message : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return detail ? `${message} (${detail})` : message;
}

export class WebhookChannel implements Channel {
  readonly name = "webhook";
  readonly deadline: number;

  constructor(private readonly config: WebhookConfig) {
    this.deadline = config.timeout;
  }

  deliveriesFor(notice: Notice): Delivery[] {
    if (!this.config.events.has(notice.event)) return [];
    const body = JSON.stringify(webhookBody(notice));
    return [
      {
        what: `webhook POST (${notice.event}) to ${webhookOrigin(this.config.url)}`,
        send: async (signal) => {
          let res: Response;
          try {
            res = await fetch(this.config.url, {
              method: "POST",
              headers: { "content-type": "application/json", "user-agent": "luigi-ts" },
              body,
              signal,
              redirect: "error",
            });
          } catch (err) {
            throw new Error(fetchFailure(err));
          }
          await res.body?.cancel();
          if (!res.ok) throw new Error(`the webhook answered HTTP ${res.status}`);
        },
      },
    ];
  }
}
