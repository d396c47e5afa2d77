/**
 * The timeline and trend pages of the step history: `/history/timeline.json?from=&to=&host=&worker=
 * &limit=` (runs as Gantt bars, for the visualiser's Timeline when the window is older than what the
 * scheduler holds), `/tasklist` and `/tasklist/{name}` (Luigi's pages, with run counts, failures and
 * p50 / p95 durations; JSON twins as the other history pages have). They answer as the history pages do
 * (historyResponder): 400 on bad input, 404 for an unknown family or with history off, 503 when the
 * database does not answer.
 */
import type { FastifyInstance } from "fastify";
import { ErrorCode } from "../errors.js";
import { familyPage, tasklistPage } from "../history/pages/trends.js";
import {
  DEFAULT_FAMILY_RUNS,
  DEFAULT_HISTORY_BARS,
  MAX_FAMILY_RUNS,
  MAX_HISTORY_BARS,
  type TrendQueries,
} from "../history/trend-queries.js";
import type { Logger } from "../log/logger.js";
import { historyResponder, HttpProblem, intParam, one, windowStart, type Query } from "./history-routes.js";

/** /tasklist's default window: a week. */
const TASKLIST_HOURS = 168;
const DAY_MS = 86_400_000;

export interface TrendRoutesOptions {
  /** Undefined when history is off. */
  trends: TrendQueries | undefined;
  logger?: Logger;
  /** Epoch ms; default the real clock. */
  now?: () => number;
}

/** `?from=` / `?to=`: an ISO 8601 time or epoch milliseconds. */
function timeParam(query: Query, name: string, fallback: number): number {
  const text = one(query, name);
  if (text === undefined || text === "") return fallback;
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t)) {
    throw new HttpProblem(
      400,
      ErrorCode.BAD_REQUEST,
      `?${name}=${text}: expected an ISO 8601 time (2026-11-20T22:00:00Z) or epoch milliseconds`,
    );
  }
  return t;
}

function optionalText(query: Query, name: string): string | undefined {
  const text = one(query, name);
  return text === undefined || text === "" ? undefined : text;
}

export function registerTrendRoutes(app: FastifyInstance, options: TrendRoutesOptions): void {
  const now = options.now ?? Date.now;
  const send = historyResponder(options.trends, options.logger);

  app.get("/history/timeline.json", async (request, reply) => {
    // JSON only, whatever the Accept header says.
    (request.query as Query)["format"] = "json";
    return send(request, reply, async (q) => {
      const query = request.query as Query;
      const to = timeParam(query, "to", now());
      const from = timeParam(query, "from", to - DAY_MS);
      if (from > to) {
        throw new HttpProblem(400, ErrorCode.BAD_REQUEST, `?from= is after ?to=: the window is empty`);
      }
      const limit = intParam(query, "limit", DEFAULT_HISTORY_BARS, 1, MAX_HISTORY_BARS);
      const filter = { host: optionalText(query, "host"), worker: optionalText(query, "worker") };
      const timeline = await q.timeline(from, to, filter, limit);
      return {
        json: {
          from: new Date(timeline.fromMs).toISOString(),
          to: new Date(timeline.toMs).toISOString(),
          ...timeline,
        },
        html: "",
      };
    });
  });

  app.get("/tasklist", async (request, reply) =>
    send(request, reply, async (q) => {
      const query = request.query as Query;
      const window = windowStart(query, now(), TASKLIST_HOURS);
      const list = await q.families(window.since);
      return {
        json: { since: new Date(list.sinceMs).toISOString(), families: list.families, cut: list.cut },
        html: tasklistPage({
          list,
          label: window.label,
          hours: one(query, "hours") ?? String(TASKLIST_HOURS),
        }),
      };
    }),
  );

  app.get<{ Params: { name: string } }>("/tasklist/:name", async (request, reply) =>
    send(request, reply, async (q) => {
      const family = request.params.name;
      const limit = intParam(request.query as Query, "limit", DEFAULT_FAMILY_RUNS, 1, MAX_FAMILY_RUNS);
      const trend = await q.family(family, limit);
      if (!trend)
        throw new HttpProblem(404, ErrorCode.HISTORY_NOT_FOUND, `no runs of a step named "${family}"`);
      return { json: trend, html: familyPage(trend) };
    }),
  );
}
