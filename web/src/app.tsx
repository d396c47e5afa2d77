/** The shell: top bar, the current view, the details panel, errors and the confirmation dialog. */
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { ApiError } from "./api/client.js";
import { api } from "./api/methods.js";
import { ConfirmDialog, type DialogRequest } from "./components/ConfirmDialog.js";
import { ErrorBanner, type ShownError } from "./components/ErrorBanner.js";
import { TopBar } from "./components/TopBar.js";
import { togglePause } from "./state/actions.js";
import type { AppContext } from "./state/context.js";
import { useRefreshTick } from "./state/refresh.js";
import { useView } from "./state/use-view.js";
import { DetailsPanel } from "./views/DetailsPanel.js";
import { GraphView } from "./views/GraphView.js";
import { ResourcesView } from "./views/ResourcesView.js";
import { RunsView } from "./views/RunsView.js";
import { StepsView } from "./views/StepsView.js";
import { TimelineView } from "./views/TimelineView.js";
import { WorkersView } from "./views/WorkersView.js";

const AUTO_REFRESH_KEY = "luigi-ts.autoRefresh";
const MAX_ERRORS = 5;

function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

export function App() {
  const [view, update] = useView();
  const [autoRefresh, setAutoRefresh] = useState(() => localStorage.getItem(AUTO_REFRESH_KEY) !== "off");
  const [dialog, setDialog] = useState<DialogRequest | null>(null);
  const [errors, setErrors] = useState<ShownError[]>([]);
  const [manual, setManual] = useState(0);
  const [hasHistory, setHasHistory] = useState(false);
  const [pause, setPause] = useState({ enabled: false, paused: false });
  const tick = useRefreshTick(autoRefresh, dialog !== null);
  const version = tick + manual * 1_000_000;

  const report = useCallback((err: unknown) => {
    if (err instanceof DOMException && err.name === "AbortError") return;
    setErrors((list) => {
      const text = errorText(err);
      if (list.some((e) => e.text === text)) return list;
      return [...list, { id: Date.now() + Math.random(), text }].slice(-MAX_ERRORS);
    });
  }, []);
  const bump = useCallback(() => setManual((m) => m + 1), []);

  useEffect(() => {
    api.hasTaskHistory().then(setHasHistory, report);
  }, [report]);
  useEffect(() => {
    let live = true;
    (async () => {
      const { enabled } = await api.isPauseEnabled();
      const { paused } = enabled ? await api.isPaused() : { paused: false };
      if (live) setPause({ enabled, paused });
    })().catch(report);
    return () => {
      live = false;
    };
  }, [version, report]);

  const ctx: AppContext = useMemo(
    () => ({ view, update, version, bump, report, ask: setDialog, hasHistory }),
    [view, update, version, bump, report, hasHistory],
  );

  return (
    <div class={`app${view.detail ? " with-details" : ""}`}>
      <TopBar
        tab={view.tab}
        onTab={(tab) => update({ tab })}
        hasHistory={hasHistory}
        pause={pause}
        onPause={() => togglePause(ctx, pause.paused)}
        autoRefresh={autoRefresh}
        onAutoRefresh={(on) => {
          localStorage.setItem(AUTO_REFRESH_KEY, on ? "on" : "off");
          setAutoRefresh(on);
        }}
        onRefresh={bump}
      />
      <ErrorBanner errors={errors} onDismiss={(id) => setErrors((list) => list.filter((e) => e.id !== id))} />
      <div class="content">
        <main class="main">
          {view.tab === "steps" && <StepsView ctx={ctx} />}
          {view.tab === "graph" && <GraphView ctx={ctx} />}
          {view.tab === "timeline" && <TimelineView ctx={ctx} />}
          {view.tab === "workers" && <WorkersView ctx={ctx} />}
          {view.tab === "resources" && <ResourcesView ctx={ctx} />}
          {view.tab === "runs" && <RunsView ctx={ctx} />}
        </main>
        {view.detail && <DetailsPanel ctx={ctx} taskId={view.detail} />}
      </div>
      {dialog && <ConfirmDialog request={dialog} onClose={() => setDialog(null)} />}
    </div>
  );
}
