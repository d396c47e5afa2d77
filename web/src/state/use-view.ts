/** The view state as a hook: read from the URL fragment, written back on every change. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { formatHash, parseHash, type ViewState } from "./url.js";

export type UpdateView = (patch: Partial<ViewState>) => void;

export function useView(): [ViewState, UpdateView] {
  const [view, setView] = useState<ViewState>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onHash = (): void => setView(parseHash(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const update = useCallback<UpdateView>((patch) => {
    setView((current) => {
      const next = { ...current, ...patch };
      const hash = formatHash(next);
      // Each change is a history entry, so Back returns to the previous view.
      if (hash !== window.location.hash) window.history.pushState(null, "", hash);
      return next;
    });
  }, []);
  return [view, update];
}
