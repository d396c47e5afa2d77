/**
 * A step's captured log in its details (`step_log`): the latest attempt's text, the error's stack
 * highlighted. While the step runs it is asked for again every POLL_MS and follows the tail: it stays
 * scrolled to the end unless the user scrolled up to read, and follows again once they scroll back down.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/methods.js";
import type { StepLogAnswer } from "../api/types.js";
import { formatTime } from "../state/format.js";
import { logLines } from "../state/log-lines.js";

/** How often a running step's log is asked for (ms). */
export const POLL_MS = 1500;
/** Pixels from the end that still count as "at the end" (follow the tail). */
const AT_END = 24;

function useStepLog(
  taskId: string,
  running: boolean,
  version: number,
  report: (err: unknown) => void,
): { log: StepLogAnswer | null; loaded: boolean } {
  const [state, setState] = useState<{ id: string; log: StepLogAnswer | null } | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    const load = (): void => {
      api.stepLog(taskId, controller.signal).then(
        (log) => {
          if (controller.signal.aborted) return;
          setState({ id: taskId, log });
          // Asked for again while more may come: the step runs, or its log is still open.
          if ((running || log?.running === true) && document.visibilityState !== "hidden")
            timer = window.setTimeout(load, POLL_MS);
          else if (running || log?.running === true) timer = window.setTimeout(load, POLL_MS * 4);
        },
        (err: unknown) => {
          if (!controller.signal.aborted) report(err);
        },
      );
    };
    load();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [taskId, running, version]);
  const mine = state?.id === taskId ? state : null;
  return { log: mine?.log ?? null, loaded: mine !== null };
}

export function StepLogView(props: {
  taskId: string;
  running: boolean;
  version: number;
  report: (err: unknown) => void;
}) {
  const { log, loaded } = useStepLog(props.taskId, props.running, props.version, props.report);
  const box = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  useEffect(() => {
    follow.current = true;
  }, [props.taskId]);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [log?.text, log?.attempt]);
  const onScroll = (): void => {
    const el = box.current;
    if (el) follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - AT_END;
  };

  if (!loaded) return <p class="muted">Loading the log…</p>;
  if (!log) {
    return (
      <p class="muted" data-testid="step-log-empty">
        {props.running
          ? "No log captured yet: the step has printed nothing so far (or its worker does not capture logs)."
          : "No log captured: this luigid keeps no log for this step (it printed nothing, its worker does not capture logs or sends them elsewhere, or the log was let go; the step history keeps every run's log)."}
      </p>
    );
  }
  const facts = [`attempt ${log.attempt}`, `${log.bytes} bytes`];
  if (log.cut > 0) facts.push(`${log.cut} bytes cut from the middle`);
  facts.push(log.running ? `live, updated ${formatTime(log.updated)}` : `ended ${formatTime(log.updated)}`);
  if (log.incomplete) facts.push("incomplete: the run ended before its worker sent the rest");
  return (
    <>
      <p class="muted log-facts">{facts.join(" · ")}</p>
      <pre
        class="step-log"
        data-testid="step-log"
        data-running={log.running ? "true" : "false"}
        ref={box}
        onScroll={onScroll}
      >
        {logLines(log.text).map((line, i) =>
          line.kind === "plain" ? (
            `${line.text}\n`
          ) : (
            <span key={i} class={line.kind === "stack" ? "log-stack" : "log-cut"}>
              {`${line.text}\n`}
            </span>
          ),
        )}
      </pre>
    </>
  );
}
