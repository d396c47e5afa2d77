/**
 * Auto-refresh: a tick counter that advances every `intervalMs` while enabled and not held (a dialog
 * open, the tab hidden). Views re-fetch when it changes.
 */
import { useEffect, useState } from "preact/hooks";

export const REFRESH_MS = 5000;

export function useRefreshTick(enabled: boolean, held: boolean, intervalMs = REFRESH_MS): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled || held) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== "hidden") setTick((t) => t + 1);
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [enabled, held, intervalMs]);
  return tick;
}
