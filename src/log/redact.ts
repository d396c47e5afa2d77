/**
 * `[worker] log_redact`: what a step's captured log (and what the worker prints of it) must never show.
 * A comma-separated list; each entry is either
 * - `/regex/flags`: every match is masked (flags i, m, s, u; the search is always global), or
 * - a name: the value of the environment variable of that name, and the value of the running step's
 *   parameter of that name, are masked wherever they appear.
 * Private parameters (`visibility: "private"`) are masked too, without being named. Values shorter than
 * MIN_SECRET_LENGTH are left alone: masking "1" or "yes" everywhere would hide the log, not a secret.
 * A masked value reads `***`.
 */
import { ConfigError } from "../errors.js";

export const MASK = "***";
/** Shorter values are not masked (see above). */
export const MIN_SECRET_LENGTH = 4;

/** The parsed list: names to look up, patterns to match. */
export interface RedactRules {
  readonly names: readonly string[];
  readonly patterns: readonly RegExp[];
}

export const NO_REDACTION: RedactRules = Object.freeze({ names: [], patterns: [] });

/** Splits the setting's text into its entries (see splitList). */
export function redactEntries(text: string): string[] {
  return splitList(text);
}

/** Parses the setting's text (or an already split list), refusing a bad regex by name. */
export function parseRedactRules(entries: string | readonly string[]): RedactRules {
  const list = typeof entries === "string" ? splitList(entries) : entries.map((e) => e.trim());
  const names: string[] = [];
  const patterns: RegExp[] = [];
  for (const entry of list) {
    if (entry === "") continue;
    const m = /^\/(.+)\/([a-z]*)$/s.exec(entry);
    if (!m) {
      names.push(entry);
      continue;
    }
    const [, source, flags] = m as unknown as [string, string, string];
    const bad = [...flags].find((f) => !"imsu".includes(f));
    try {
      if (bad !== undefined) throw new Error(`flag ${bad} is not one of i, m, s, u`);
      const re = new RegExp(source, `${flags}g`);
      if (re.test("")) throw new Error("it matches the empty text");
      patterns.push(re);
    } catch (err) {
      throw new ConfigError(
        `[worker] log_redact: ${entry} is not a usable pattern (${(err as Error).message})`,
        {
          section: "worker",
          key: "log_redact",
          value: entry,
          expected: "names of environment variables or parameters, or /regex/ patterns, separated by commas",
        },
      );
    }
  }
  return { names, patterns };
}

/** Commas separate entries, except inside a /regex/ (which may hold commas of its own). */
function splitList(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let inPattern = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "/" && (current.trim() === "" || inPattern) && text[i - 1] !== "\\") {
      if (current.trim() === "") inPattern = true;
      else if (inPattern) {
        // The closing slash (flags may follow) ends the pattern.
        const rest = text.slice(i + 1);
        const flags = /^[a-z]*/.exec(rest)?.[0] ?? "";
        if (/^\s*(,|$)/.test(rest.slice(flags.length))) inPattern = false;
      }
    }
    if (c === "," && !inPattern) {
      out.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  out.push(current.trim());
  return out.filter((e) => e !== "");
}

/** Masks one step's secrets in text. */
export class Redactor {
  private readonly re: RegExp | undefined;

  constructor(values: readonly string[], patterns: readonly RegExp[]) {
    const unique = [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH))];
    // Longest first: a secret that contains another is masked whole.
    unique.sort((a, b) => b.length - a.length);
    const sources = [...unique.map(escapeRegExp), ...patterns.map((p) => `(?:${p.source})`)];
    const flags = new Set(["g", ...patterns.flatMap((p) => [...p.flags])]);
    this.re = sources.length === 0 ? undefined : new RegExp(sources.join("|"), [...flags].join(""));
  }

  /** Whether anything would ever be masked. */
  get active(): boolean {
    return this.re !== undefined;
  }

  mask(text: string): string {
    if (this.re === undefined) return text;
    this.re.lastIndex = 0;
    return text.replace(this.re, MASK);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
