/** "2026-11-25 06:01:52Z": ISO without the T and milliseconds, still UTC and unambiguous. */
export function shortTime(isoText: string | null): string {
  if (isoText === null) return "";
  return `${isoText.slice(0, 10)} ${isoText.slice(11, 19)}Z`;
}

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min. */
export function duration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}
