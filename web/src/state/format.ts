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

export function paramText(params: Record<string, string | string[]> | undefined): string {
  if (!params) return "";
  return Object.entries(params)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`)
    .join(", ");
}

/** `--param-name` as the luigi command line spells a parameter. */
function flag(name: string): string {
  return `--${name.replace(/_/g, "-")}`;
}

/** POSIX-shell single quoting, so the line can be pasted as is. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** "Command to re-run" (SPEC 5.2): `luigi --module <module> <family> --param value ...`. */
export function rerunCommand(
  module: string | null | undefined,
  family: string,
  params: Record<string, string | string[]> | undefined,
): string {
  const parts = ["luigi"];
  if (module) parts.push("--module", shellQuote(module));
  parts.push(shellQuote(family));
  for (const [k, v] of Object.entries(params ?? {})) {
    parts.push(flag(k), shellQuote(Array.isArray(v) ? v.join(",") : v));
  }
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
