/**
 * The step history pages (`/history`, `/history/by_id/{id}`, `/history/by_name/{name}`,
 * `/history/by_params/{name}?data={json}`, `/history/by_task_id/{step id}`): server-rendered HTML, or
 * the same data as JSON when the request accepts application/json (or says `?format=json`). Every
 * listing is paged with `?page=` and `?limit=`. Bad input answers 400, unknown runs and families 404,
 * a database that does not answer 503, and with history off every page answers 404 saying how to turn
 * it on.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorCode } from "../errors.js";
import { html } from "../history/pages/html.js";
import { messagePage, runDetail, runListing, runsTable } from "../history/pages/runs.js";
import { HISTORY_CSS, HISTORY_STYLESHEET_PATH } from "../history/pages/style.js";
import type { HistoryQueries, Paging, RunPage } from "../history/queries.js";
import type { Logger } from "../log/logger.js";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const MAX_PAGE = 100_000;
const DEFAULT_HOURS = 24;

export type Query = Record<string, string | string[] | undefined>;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function wantsJson(request: FastifyRequest): boolean {
  const query = request.query as Query;
  if (query["format"] === "json") return true;
  const accept = request.headers.accept ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

export function one(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function intParam(query: Query, name: string, fallback: number, min: number, max: number): number {
  const text = one(query, name);
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpProblem(
      400,
      ErrorCode.BAD_REQUEST,
      `?${name}=${text}: expected a whole number from ${min} to ${max}`,
    );
  }
  return n;
}

function paging(query: Query): Paging {
  return {
    page: intParam(query, "page", 1, 1, MAX_PAGE),
    limit: intParam(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
  };
}

/** `?hours=N` (default 24) or `?since=<ISO time>`: the start of /history's window, epoch ms. */
export function windowStart(
  query: Query,
  now: number,
  defaultHours: number = DEFAULT_HOURS,
): { since: number; label: string } {
  const since = one(query, "since");
  if (since !== undefined && since !== "") {
    const t = Date.parse(since);
    if (Number.isNaN(t))
      throw new HttpProblem(400, ErrorCode.BAD_REQUEST, `?since=${since}: expected an ISO 8601 time`);
    return { since: t, label: `since ${new Date(t).toISOString()}` };
  }
  const text = one(query, "hours");
  let hours = defaultHours;
  if (text !== undefined && text !== "") {
    hours = Number(text);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 3660) {
      throw new HttpProblem(
        400,
        ErrorCode.BAD_REQUEST,
        `?hours=${text}: expected a positive number of hours`,
      );
    }
  }
  return { since: now - hours * 3_600_000, label: `the past ${hours} hours` };
}

/** `?data={"p":"v"}`: a JSON object whose values are compared as stored (strings; others as JSON). */
function paramFilter(query: Query): Record<string, string> {
  const text = one(query, "data");
  if (text === undefined || text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new HttpProblem(400, ErrorCode.BAD_REQUEST, `?data is not valid JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new HttpProblem(
      400,
      ErrorCode.BAD_REQUEST,
      '?data must be a JSON object such as {"day": "2026-11-20"}',
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

function pageJson(page: RunPage): Record<string, unknown> {
  return { runs: page.runs, page: page.page, limit: page.limit, hasNext: page.hasNext };
}

const OFF_MESSAGE =
  "The step history is off. To turn it on, set record_step_history = true in the [scheduler] section of " +
  "luigi.cfg, and (optionally) db_connection in [step_history], e.g. sqlite:////var/lib/luigi/history.db " +
  "or postgresql://user@host/luigi; then restart luigid.";

export interface HistoryRoutesOptions {
  /** Undefined when history is off: every page then answers 404 saying how to turn it on. */
  queries: HistoryQueries | undefined;
  logger?: Logger;
  /** Epoch ms; default the real clock. */
  now?: () => number;
}

/**
 * How every history page answers: `produce` builds the JSON and the HTML from `source` (undefined when
 * history is off: a 404 saying how to turn it on); an HttpProblem it throws becomes its status, any
 * other error a 503 (the database did not answer).
 */
export function historyResponder<Q>(source: Q | undefined, logger?: Logger) {
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
    produce: (q: Q, json: boolean) => Promise<{ json: unknown; html: string }>,
  ): Promise<FastifyReply> => {
    const json = wantsJson(request);
    try {
      if (source === undefined) throw new HttpProblem(404, ErrorCode.HISTORY_DISABLED, OFF_MESSAGE);
      const out = await produce(source, json);
      return json
        ? reply.type("application/json; charset=UTF-8").send(JSON.stringify(out.json))
        : reply.type("text/html; charset=UTF-8").send(out.html);
    } catch (thrown) {
      const problem =
        thrown instanceof HttpProblem
          ? thrown
          : new HttpProblem(
              503,
              ErrorCode.HISTORY_UNAVAILABLE,
              `the step history database did not answer: ${(thrown as Error).message}`,
            );
      if (problem.status === 503) logger?.error({ err: problem.message }, "history page failed");
      reply.code(problem.status);
      if (json) {
        return reply
          .type("application/json; charset=UTF-8")
          .send(JSON.stringify({ error: { code: problem.code, message: problem.message } }));
      }
      const title =
        problem.status === 404 ? "Not found" : problem.status === 400 ? "Bad request" : "History unavailable";
      const hint =
        problem.code === ErrorCode.HISTORY_DISABLED
          ? html`<pre>
[scheduler]
record_step_history = true

[step_history]
db_connection = sqlite:////var/lib/luigi/history.db</pre>`
          : html`<p><a href="/history">Recent runs</a></p>`;
      return reply.type("text/html; charset=UTF-8").send(messagePage(title, problem.message, hint));
    }
  };
}

export function registerHistoryRoutes(app: FastifyInstance, options: HistoryRoutesOptions): void {
  const { queries, logger } = options;
  const now = options.now ?? Date.now;
  const send = historyResponder(queries, logger);

  // Served with history off too: the page saying how to turn it on uses it. Its URL carries a version.
  app.get(HISTORY_STYLESHEET_PATH, async (_request, reply) =>
    reply
      .type("text/css; charset=UTF-8")
      .header("cache-control", "public, max-age=31536000, immutable")
      .send(HISTORY_CSS),
  );

  app.get("/history", async (request, reply) =>
    send(request, reply, async (q) => {
      const query = request.query as Query;
      const window = windowStart(query, now());
      const page = await q.recent(window.since, paging(query));
      const keep: Record<string, string> = {};
      for (const k of ["hours", "since"]) {
        const v = one(query, k);
        if (v) keep[k] = v;
      }
      return {
        json: { since: new Date(window.since).toISOString(), ...pageJson(page) },
        html: runListing({
          title: "Step history",
          intro: html`<form class="window" method="get" action="/history">
            Runs active in ${window.label}, most recent first. Window:
            <input name="hours" size="4" value="${one(query, "hours") ?? String(DEFAULT_HOURS)}" /> hours
            <button>Show</button>
          </form>`,
          page,
          base: "/history",
          query: keep,
        }),
      };
    }),
  );

  app.get<{ Params: { id: string } }>("/history/by_id/:id", async (request, reply) =>
    send(request, reply, async (q) => {
      const text = request.params.id;
      if (!/^\d{1,15}$/.test(text)) {
        throw new HttpProblem(400, ErrorCode.BAD_REQUEST, `run id "${text}" is not a number`);
      }
      const run = await q.run(Number(text));
      if (!run) throw new HttpProblem(404, ErrorCode.HISTORY_NOT_FOUND, `no run with id ${text}`);
      return { json: run, html: runDetail(run) };
    }),
  );

  app.get<{ Params: { name: string } }>("/history/by_name/:name", async (request, reply) =>
    send(request, reply, async (q) => {
      const family = request.params.name;
      const page = await q.byName(family, paging(request.query as Query));
      if (page.runs.length === 0 && !(await q.familyExists(family))) {
        throw new HttpProblem(404, ErrorCode.HISTORY_NOT_FOUND, `no runs of a step named "${family}"`);
      }
      return {
        json: { family, ...pageJson(page) },
        html: runListing({
          title: `Runs of ${family}`,
          page,
          base: `/history/by_name/${encodeURIComponent(family)}`,
          query: {},
        }),
      };
    }),
  );

  app.get<{ Params: { name: string } }>("/history/by_params/:name", async (request, reply) =>
    send(request, reply, async (q) => {
      const family = request.params.name;
      const query = request.query as Query;
      const params = paramFilter(query);
      const page = await q.byParams(family, params, paging(query));
      if (page.runs.length === 0 && !(await q.familyExists(family))) {
        throw new HttpProblem(404, ErrorCode.HISTORY_NOT_FOUND, `no runs of a step named "${family}"`);
      }
      const shown = Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      return {
        json: { family, params, ...pageJson(page) },
        html: runListing({
          title: `Runs of ${family}`,
          intro: html`<p>Runs whose parameters match ${shown === "" ? "anything" : shown}.</p>`,
          page,
          base: `/history/by_params/${encodeURIComponent(family)}`,
          query: { data: one(query, "data") ?? "{}" },
        }),
      };
    }),
  );

  // Luigi's page: the step id's latest run, with the list of its runs below (JSON: the list).
  app.get<{ Params: { task_id: string } }>("/history/by_task_id/:task_id", async (request, reply) =>
    send(request, reply, async (q, json) => {
      const stepId = request.params.task_id;
      const page = await q.byStepId(stepId, paging(request.query as Query));
      const latest = page.runs[0];
      if (!latest) throw new HttpProblem(404, ErrorCode.HISTORY_NOT_FOUND, `no runs of step id "${stepId}"`);
      if (json) return { json: { stepId, ...pageJson(page) }, html: "" };
      const run = await q.run(latest.id);
      if (!run) throw new HttpProblem(404, ErrorCode.HISTORY_NOT_FOUND, `no runs of step id "${stepId}"`);
      const all = html`<h2>All runs of this step</h2>
        ${runsTable(page)}`;
      return { json: null, html: runDetail(run, all) };
    }),
  );

  app.get("/history/*", async (request, reply) =>
    send(request, reply, async () => {
      throw new HttpProblem(
        404,
        ErrorCode.HISTORY_NOT_FOUND,
        `no history page ${request.url.split("?")[0]}: see /history, /history/by_id/{id}, /history/by_name/{name}, /history/by_params/{name}?data={json}, /history/by_task_id/{step id}, /history/timeline.json, /tasklist, /tasklist/{name}`,
      );
    }),
  );
}
