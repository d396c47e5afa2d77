/**
 * luigid's failure digests (Luigi's batch notifier, `[scheduler] batch_emails`): failures, disables and
 * scheduling failures are counted per recipient (the receivers plus each step's owners) and per group
 * (`batch_mode`: the exact step, its family, or its family and unbatched parameters), with the last
 * `error_messages` distinct errors of each group; `take()` writes one mail per recipient and starts
 * over. Pure: no clock and no I/O, so luigid decides when (every `email_interval`, and at shutdown).
 */
import type { BatchEmailConfig } from "../config/index.js";
import { escapeHtml } from "./mail-format.js";

/** A step that failed, as the digest counts it. */
export interface DigestEntry {
  /** `Family(a=1)`: the group of batch_mode "all". */
  name: string;
  family: string;
  /** Its parameters less the batched ones: the group of "unbatched_params". */
  params: Readonly<Record<string, unknown>>;
  owners: readonly string[];
  error?: string;
}

export interface DigestMail {
  recipient: string;
  subject: string;
  body: string;
}

/** Per group: failures, disables, scheduling failures, and the latest distinct errors (oldest first). */
interface Group {
  failures: number;
  disables: number;
  schedulingFailures: number;
  errors: string[];
}

type Counts = Pick<Group, "failures" | "disables" | "schedulingFailures">;

/** "1 failure", "3 failures"; nothing for 0. */
function plural(n: number, word: string): string {
  return n === 0 ? "" : `${n} ${word}${n === 1 ? "" : "s"}`;
}

function countText(c: Counts): string {
  return [
    plural(c.failures, "failure"),
    plural(c.disables, "disable"),
    plural(c.schedulingFailures, "scheduling failure"),
  ]
    .filter(Boolean)
    .join(", ");
}

export class FailureDigest {
  /** recipient -> group key -> group, in the order first seen. */
  private readonly byRecipient = new Map<string, Map<string, Group>>();
  private readonly receivers: ReadonlySet<string>;

  constructor(
    private readonly config: BatchEmailConfig,
    receivers: readonly string[],
    private readonly format: "plain" | "html",
  ) {
    this.receivers = new Set(receivers);
  }

  get empty(): boolean {
    return this.byRecipient.size === 0;
  }

  /**
   * Counts one failure, disable or scheduling failure of the step `name` for the receivers and its
   * owners; `error` (failures and scheduling failures) joins the group's latest errors.
   */
  add(kind: "failures" | "disables" | "schedulingFailures", entry: DigestEntry): void {
    for (const group of this.groups(entry)) {
      group[kind]++;
      if (entry.error !== undefined) this.remember(group, entry.error);
    }
  }

  /** One mail per recipient with something to report, and everything counted so far forgotten. */
  take(): DigestMail[] {
    const mails: DigestMail[] = [];
    for (const [recipient, groups] of this.byRecipient) {
      const total: Counts = { failures: 0, disables: 0, schedulingFailures: 0 };
      for (const g of groups.values()) {
        total.failures += g.failures;
        total.disables += g.disables;
        total.schedulingFailures += g.schedulingFailures;
      }
      const counted = countText(total);
      if (counted === "") continue;
      // A receiver gets everything; an owner is told these are their steps.
      const whose = this.receivers.has(recipient) ? "" : "Your tasks have ";
      mails.push({
        recipient,
        subject: `Luigi: ${whose}${counted} in the last ${this.config.emailInterval} minutes`,
        body: this.body(groups),
      });
    }
    this.byRecipient.clear();
    return mails;
  }

  private key(name: string, family: string, params: Readonly<Record<string, unknown>>): string {
    switch (this.config.batchMode) {
      case "all":
        return name;
      case "family":
        return family;
      case "unbatched_params": {
        const text = Object.entries(params)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(", ");
        return `${family}(${text})`;
      }
    }
  }

  private groups({ name, family, params, owners }: DigestEntry): Group[] {
    const key = this.key(name, family, params);
    const recipients = new Set([...this.receivers, ...owners.map((o) => o.trim()).filter(Boolean)]);
    return [...recipients].map((recipient) => {
      let groups = this.byRecipient.get(recipient);
      if (!groups) this.byRecipient.set(recipient, (groups = new Map<string, Group>()));
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { failures: 0, disables: 0, schedulingFailures: 0, errors: [] }));
      return group;
    });
  }

  /** Keeps the latest `error_messages` distinct errors; a repeated one moves to the end. */
  private remember(group: Group, error: string): void {
    const at = group.errors.indexOf(error);
    if (at >= 0) group.errors.splice(at, 1);
    group.errors.push(error);
    while (group.errors.length > this.config.errorMessages) group.errors.shift();
  }

  private errorText(error: string): string {
    const lines = error.trimEnd().split("\n");
    const shown = this.config.errorLines > 0 ? lines.slice(-this.config.errorLines) : lines;
    if (this.format === "html") return `<pre>${escapeHtml(shown.join("\n"))}</pre>`;
    return `\n${shown.map((line) => `      ${line}`).join("\n")}`;
  }

  private errorsText(errors: readonly string[]): string {
    const parts = errors.map((e) => this.errorText(e));
    if (parts.length > 0 && this.format !== "html") parts.push("");
    return parts.join("\n");
  }

  /**
   * Groups with the same errors share one entry (group_by_error_messages); entries and the groups in
   * them come most failures first, then most disables, then by name.
   */
  private body(groups: ReadonlyMap<string, Group>): string {
    const entries = new Map<string, { names: [string, Group][]; text: string }>();
    let n = 0;
    for (const [name, group] of groups) {
      const text = this.errorsText(group.errors);
      const key = this.config.groupByErrorMessages ? `e:${text}` : `g:${n++}`;
      let entry = entries.get(key);
      if (!entry) entries.set(key, (entry = { names: [], text }));
      entry.names.push([name, group]);
    }
    const rank = (names: readonly [string, Group][]): [number, number, string] => [
      -names.reduce((sum, [, g]) => sum + g.failures + g.schedulingFailures, 0),
      -names.reduce((sum, [, g]) => sum + g.disables, 0),
      names.map(([name]) => name).reduce((a, b) => (b < a ? b : a)),
    ];
    const byRank = (a: [number, number, string], b: [number, number, string]): number =>
      a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
    const html = this.format === "html";
    const lines: string[] = [];
    for (const entry of [...entries.values()].sort((a, b) => byRank(rank(a.names), rank(b.names)))) {
      const names = [...entry.names]
        .sort((a, b) => byRank(rank([a]), rank([b])))
        .map(([name, g]) => `${html ? escapeHtml(name) : name} (${countText(g)})`);
      lines.push(html ? `<li>${names.join("\n<br>")}` : `- ${names.join("\n  ")}`);
      if (entry.text !== "") lines.push(entry.text);
    }
    const body = lines.join("\n").trimEnd();
    return html ? `<ul>\n${body}\n</ul>` : body;
  }
}
