/** Text shown for times, durations, parameters and the command to re-run a step. */

export function formatTime(epochSeconds: number | null | undefined | "UNKNOWN"): string {
  if (typeof epochSeconds !== "number" || !Number.isFinite(epochSeconds)) return "-";
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  const h = Math.floor(seconds / 3600);
  return `${h} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** A duration that may be short (a run, a chart's axis): 850 ms, 4.2 s, then as formatDuration. */
export function formatSpan(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  if (seconds === 0) return "0 s";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${(Math.round(seconds * 10) / 10).toFixed(1)} s`;
  return formatDuration(seconds);
}

/** `text`, cut to at most `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/** `k=v, k=v` (a list value joined by commas); values past `maxValueChars` are cut with an ellipsis. */
export function paramText(
  params: Record<string, string | string[]> | undefined,
  maxValueChars = Infinity,
): string {
  if (!params) return "";
  return Object.entries(params)
    .map(([k, v]) => `${k}=${clip(Array.isArray(v) ? v.join(",") : v, maxValueChars)}`)
    .join(", ");
}

/**
 * A parameter's flag as the luigi command line names it: `the_region` and `theRegion` are both
 * `--the-region`. The same rule as `kebab` in src/cli/flags.ts (not imported: nothing of the server is
 * bundled; test/web/units.test.ts checks they agree).
 */
export function flagName(param: string): string {
  return param
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replaceAll("_", "-")
    .toLowerCase();
}

/** POSIX-shell single quoting, so the line can be pasted as is. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'"'"'`)}'`;
}

export interface RerunTarget {
  module: string | null | undefined;
  family: string;
  params: Record<string, string | string[]> | undefined;
  /** The luigid the page came from (schedulerUrlOf). */
  schedulerUrl: string;
}

/**
 * "Command to re-run" (SPEC 5.2), ready to paste: `npx luigi --module M Family --param=value ...
 * --scheduler-url URL`. Always `--param=value`: a bool parameter is a switch on the command line
 * (`--flag True` would read True as a second family) and a value starting with "-" would be taken for
 * an option.
 */
export function rerunCommand(target: RerunTarget): string {
  const parts = ["npx", "luigi"];
  if (target.module) parts.push("--module", shellQuote(target.module));
  parts.push(shellQuote(target.family));
  for (const [k, v] of Object.entries(target.params ?? {})) {
    parts.push(`--${flagName(k)}=${shellQuote(Array.isArray(v) ? v.join(",") : v)}`);
  }
  parts.push("--scheduler-url", shellQuote(target.schedulerUrl));
  return parts.join(" ");
}

/**
 * Luigi sends a step's error JSON-encoded a second time; show the text, decoded when it was encoded.
 */
export function decodeError(error: string): string {
  const trimmed = error.trim();
  if (trimmed.startsWith('"')) {
    try {
      const decoded: unknown = JSON.parse(trimmed);
      if (typeof decoded === "string") return decoded;
    } catch {
      // not JSON: shown as it is
    }
  }
  return error;
}

/**
 * 12345 -> "12,345". Hand-made: the first toLocaleString() of a page loads ICU data (~150 ms in
 * Chromium), which would be most of the step list's first render.
 */
export function formatCount(n: number): string {
  const s = String(Math.trunc(n));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Plain code-unit order (localeCompare would load ICU collation data on first use). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
