/**
 * Loads data for a view: re-runs when `deps` change, keeps the last answer while the next one loads (no
 * flicker on refresh), drops answers of superseded requests, and reports errors.
 */
import { useEffect, useRef, useState } from "preact/hooks";

export function useFetch<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  report: (err: unknown) => void,
): { data: T | null; loading: boolean } {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setLoading(false);
        report(err);
      },
    );
    return () => controller.abort();
  }, deps);
  return { data, loading };
}
