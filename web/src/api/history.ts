/**
 * The step history's JSON the Timeline reads (`/history/timeline.json`, relative to the page like the
 * API): a GET, which changes nothing, so it needs no CSRF token. Errors become an ApiError with luigid's
 * `{error: {code, message}}` text, as the RPC calls' do.
 */
import type { HistoryTimelineAnswer } from "../timeline/model.js";
import { ApiError } from "./client.js";

export interface HistoryTimelineArgs {
  /** Epoch ms. */
  from: number;
  to: number;
  limit: number;
}

export async function historyTimeline(
  args: HistoryTimelineArgs,
  signal?: AbortSignal,
): Promise<HistoryTimelineAnswer> {
  const q = new URLSearchParams({
    from: String(Math.floor(args.from)),
    to: String(Math.ceil(args.to)),
    limit: String(args.limit),
  });
  const where = "history/timeline.json";
  let res: Response;
  try {
    res = await fetch(`../../${where}?${q.toString()}`, {
      headers: { accept: "application/json" },
      signal: signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(where, "NETWORK", `${where}: luigid is unreachable (${String(err)})`, 0);
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) {
    throw new ApiError(
      where,
      body.error?.code ?? `HTTP_${res.status}`,
      body.error?.message ?? `${where}: HTTP ${res.status}`,
      res.status,
    );
  }
  return body as unknown as HistoryTimelineAnswer;
}
