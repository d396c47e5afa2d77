/**
 * RemoteScheduler: the SchedulerApi spoken over HTTP to a luigid, exactly as Luigi's Python client speaks
 * it (POST `{base}/api/{method}`, form field `data` = JSON of the keyword arguments), so that it works
 * against luigi-ts's luigid and against Luigi's own.
 *
 * Failures: connection errors, timeouts and 5xx answers are retried `retryAttempts` times in all, waiting
 * `retryWait` seconds in between, then fail with SchedulerError(RPC_FAILED). A 4xx is the server refusing
 * the request: retrying cannot help, so it fails at once with the server's code and message.
 *
 * Several URLs (`http://a:8082,http://b:8082`: luigids sharing one `state_url`): calls go to the one that
 * last answered; one that fails or answers 5xx (a standby's 503 STANDBY included) is followed at once
 * by the next (first the one a STANDBY answer names, when it is one of them), and only when each has
 * failed once does the attempt count and the wait begin.
 */
import type { CoreConfig } from "../config/core.js";
import { ErrorCode, SchedulerError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type {
  AddTasksArgs,
  CheckClaimsArgs,
  CheckClaimsResponse,
  GetWorkArgs,
  GetWorkResponse,
  GetWorksArgs,
  GetWorksResponse,
  SchedulerApi,
} from "../scheduler/api.js";
import { ForwardingScheduler } from "../scheduler/forwarding.js";
import { SCHEDULER_METHODS } from "../scheduler/methods.js";
import type { AnswerOf, ArgsOf, SchedulerMethod } from "../scheduler/methods.js";
import { parseErrorBody } from "./error-body.js";
import { createAgents, postForm, TransportError } from "./transport.js";
import type { Agents, HttpAnswer } from "./transport.js";
import { methodUrl, parseSchedulerUrls, schedulerUrl } from "./url.js";
import type { SchedulerEndpoint } from "./url.js";
import { encodeWireJson, parseWireJson } from "./wire-json.js";

export interface RemoteSchedulerOptions {
  /** Full base URL (http, https, http+unix), or several separated by commas; wins over host/port. */
  url?: string;
  /** Default "localhost". */
  host?: string;
  /** Default 8082. */
  port?: number;
  /** Seconds for one attempt, connecting and reading the answer. Default 10. */
  connectTimeout?: number;
  /** Attempts per call. Default 3. */
  retryAttempts?: number;
  /** Seconds between attempts. Default 30. */
  retryWait?: number;
  /** Log each failed attempt (at warn). Default true. */
  logRetries?: boolean;
  /** CA certificate(s) (PEM file) an https scheduler's certificate must chain to. Default: the system's. */
  caFile?: string;
  /** Bearer token for a luigid with `[auth]`; LUIGI_SCHEDULER_TOKEN wins. Default none. */
  token?: string;
  logger?: Logger;
}

/** luigi-ts methods, sent as JSON bodies (see RemoteScheduler.call). */
const JSON_BODY_METHODS = new Set(["add_tasks", "get_works", "add_step_logs", "check_claims"]);

/** Luigi re-asks get_work when it answers null (a lost or confused answer), this many times in all. */
const GET_WORK_NULL_ATTEMPTS = 3;

/** Errors that say nothing listens there (or there is no such host), as opposed to a slow or busy one. */
const NOTHING_THERE = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/**
 * Until the scheduler first answers, "nothing there" is retried only this long (ms), a few times: a
 * luigid started together with the worker has time to listen, and a forgotten `--local-scheduler` is
 * said within seconds instead of after the full rpc_retry_* schedule (a minute and a half by default).
 * Once it has answered, its absence is an outage and gets the full retries.
 */
const FIRST_CONTACT_GRACE_MS = 2_000;
const FIRST_CONTACT_WAIT_MS = 250;

export class RemoteScheduler extends ForwardingScheduler implements SchedulerApi {
  private readonly endpoints: SchedulerEndpoint[];
  /** The index in `endpoints` of the one calls go to: the last that answered. */
  private current = 0;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly waitMs: number;
  private readonly logRetries: boolean;
  private readonly logger: Logger | undefined;
  private readonly agents: Agents;
  /** Set once the server answered that it has no add_tasks (a Luigi luigid): one add_task per step then. */
  private noBatchEndpoint = false;
  /** Set once the server answered that it has no check_claims (a Luigi luigid): every step is checked. */
  private noClaimsEndpoint = false;
  /** Set once the server answered that it has no get_works (a Luigi luigid). */
  private noWorksEndpoint = false;
  /** Set once the scheduler answered anything: from then on its absence is an outage. */
  private reached = false;

  constructor(options: RemoteSchedulerOptions = {}) {
    super();
    // A token given here (`[core] scheduler_token`) stands in for LUIGI_SCHEDULER_TOKEN, which wins.
    const env =
      options.token && !process.env.LUIGI_SCHEDULER_TOKEN?.trim()
        ? { ...process.env, LUIGI_SCHEDULER_TOKEN: options.token }
        : process.env;
    this.endpoints = parseSchedulerUrls(schedulerUrl(options), env);
    this.timeoutMs = (options.connectTimeout ?? 10) * 1000;
    this.attempts = Math.max(1, Math.floor(options.retryAttempts ?? 3));
    this.waitMs = Math.max(0, (options.retryWait ?? 30) * 1000);
    this.logRetries = options.logRetries ?? true;
    this.logger = options.logger;
    this.agents = createAgents({ caFile: options.caFile });
  }

  static fromConfig(core: CoreConfig, logger?: Logger): RemoteScheduler {
    return new RemoteScheduler({
      ...(core.schedulerUrl !== "" ? { url: core.schedulerUrl } : {}),
      host: core.schedulerHost,
      port: core.schedulerPort,
      connectTimeout: core.rpcConnectTimeout,
      retryAttempts: core.rpcRetryAttempts,
      retryWait: core.rpcRetryWait,
      logRetries: core.rpcLogRetries,
      ...(core.rpcCaFile !== "" ? { caFile: core.rpcCaFile } : {}),
      ...(core.schedulerToken !== "" ? { token: core.schedulerToken } : {}),
      ...(logger ? { logger } : {}),
    });
  }

  /** Closes kept-alive connections (lets a test server close at once). The client stays usable. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * Calls any RPC method by its Luigi name and returns its `response`. `nullAttempts` > 1 re-asks while
   * the answer is null, as Luigi's client does for get_work.
   */
  async call(method: string, args: object = {}, nullAttempts = 1): Promise<unknown> {
    // Luigi's form encoding for Luigi's methods (a Luigi luigid reads only that); the luigi-ts batch
    // methods exist only on a luigi-ts luigid, which also reads JSON bodies: cheaper on both sides for
    // the biggest requests (no percent-encoding of every byte).
    const json = JSON_BODY_METHODS.has(method);
    const body = json ? encodeWireJson(args) : new URLSearchParams({ data: encodeWireJson(args) }).toString();
    for (let n = 1; ; n++) {
      const value = await this.fetchWithRetries(method, body, json ? "application/json" : undefined);
      if (value !== null || nullAttempts <= 1) return value;
      if (n >= nullAttempts) {
        const url = methodUrl(this.endpoint, method);
        throw new SchedulerError(ErrorCode.RPC_FAILED, `${url} returned null ${nullAttempts} times`, {
          details: { method, url },
        });
      }
    }
  }

  /** The base URL calls go to now (the last that answered), password masked. */
  get url(): string {
    return this.endpoint.display;
  }

  /** Every scheduler URL given, passwords masked. */
  get urls(): string[] {
    return this.endpoints.map((e) => e.display);
  }

  /** The endpoint calls go to now. */
  private get endpoint(): SchedulerEndpoint {
    return this.endpoints[this.current] as SchedulerEndpoint;
  }

  private async fetchWithRetries(method: string, body: string, contentType?: string): Promise<unknown> {
    let lastCause = "";
    let lastUrl = methodUrl(this.endpoint, method);
    const firstContactUntil = Date.now() + FIRST_CONTACT_GRACE_MS;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      // One round: each endpoint once, from the current one (or the one a standby named).
      let nothingThere: TransportError | undefined;
      let allNothingThere = true;
      const tried = new Set<number>();
      let next: number | undefined = this.current;
      while (next !== undefined) {
        const index = next;
        tried.add(index);
        const endpoint = this.endpoints[index] as SchedulerEndpoint;
        const url = methodUrl(endpoint, method);
        lastUrl = url;
        let answer: HttpAnswer | undefined;
        let named: string | undefined;
        try {
          answer = await postForm(
            endpoint,
            `${endpoint.basePath}api/${method}`,
            body,
            this.timeoutMs,
            this.agents,
            contentType,
          );
        } catch (err) {
          if (!(err instanceof TransportError)) throw err;
          lastCause = err.message;
          if (NOTHING_THERE.has(err.code ?? "")) nothingThere = err;
          else allNothingThere = false;
        }
        if (answer !== undefined) {
          this.reached = true;
          allNothingThere = false;
          if (answer.status < 500) this.current = index;
          if (answer.status >= 200 && answer.status < 300) return responseOf(answer, method, url);
          if (answer.status < 500) throw refused(answer, method, url);
          const error = parseErrorBody(answer.body);
          named = error?.code === ErrorCode.STANDBY ? error.active : undefined;
          lastCause = `HTTP ${answer.status}: ${error?.message ?? snippet(answer.body)}`;
        }
        next = this.nextEndpoint(tried, index, named);
        if (next !== undefined && this.logRetries) {
          this.logger?.warn(
            { url, cause: lastCause, next: this.endpoints[next]?.display },
            `scheduler call failed (${lastCause}); trying ${this.endpoints[next]?.display ?? ""}`,
          );
        }
      }
      if (!this.reached && allNothingThere && nothingThere) {
        if (Date.now() >= firstContactUntil) throw this.unreachable(method, nothingThere);
        attempt--; // the grace replaces the retry schedule until the scheduler has been seen
        await new Promise((resolve) => setTimeout(resolve, FIRST_CONTACT_WAIT_MS));
        continue;
      }
      if (attempt < this.attempts) {
        if (this.logRetries) {
          this.logger?.warn(
            { url: lastUrl, attempt, attempts: this.attempts, cause: lastCause },
            `scheduler call failed (${lastCause}); retrying in ${this.waitMs / 1000}s`,
          );
        }
        // A plain timer on purpose: fake timers in tests can skip the wait.
        await new Promise((resolve) => setTimeout(resolve, this.waitMs));
      }
    }
    throw new SchedulerError(
      ErrorCode.RPC_FAILED,
      `${lastUrl} failed after ${this.attempts} attempt(s): ${lastCause}`,
      { details: { method, url: lastUrl, attempts: this.attempts, cause: lastCause } },
    );
  }

  /**
   * The endpoint to try after `index` failed in this round: the one a standby named (`named`, when it is
   * one of ours and not tried yet), else the next one not tried; undefined when every one was.
   */
  private nextEndpoint(tried: Set<number>, index: number, named: string | undefined): number | undefined {
    if (named !== undefined) {
      const hinted = this.endpoints.findIndex((e, i) => !tried.has(i) && sameServer(e, named));
      if (hinted >= 0) return hinted;
    }
    for (let step = 1; step < this.endpoints.length; step++) {
      const i = (index + step) % this.endpoints.length;
      if (!tried.has(i)) return i;
    }
    return undefined;
  }

  private unreachable(method: string, err: TransportError): SchedulerError {
    const why = err.code === "ECONNREFUSED" ? "connection refused" : err.message;
    return new SchedulerError(
      ErrorCode.SCHEDULER_UNREACHABLE,
      `no scheduler at ${this.urls.join(" nor at ")} (${why}). Start one with \`npx luigid\` (or point --scheduler-url at yours), or run without one: --local-scheduler`,
      { details: { method, url: this.urls.join(","), cause: err.code ?? err.message } },
    );
  }

  private rpc<T>(method: string, args: object = {}, nullAttempts = 1): Promise<T> {
    return this.call(method, args, nullAttempts) as Promise<T>;
  }

  // ------------------------------------------------------------------------------ SchedulerApi

  /** Every SchedulerApi member but the three below: one call of its Luigi name. */
  protected invoke<K extends SchedulerMethod>(member: K, args: ArgsOf<K>): Promise<AnswerOf<K>> {
    return this.rpc(SCHEDULER_METHODS[member].name, args ?? {});
  }

  /** One `add_tasks` round trip; against a scheduler without it (Luigi's), one `add_task` per item. */
  async addTasks(args: AddTasksArgs): Promise<null> {
    if (!this.noBatchEndpoint) {
      try {
        return await this.rpc<null>("add_tasks", args);
      } catch (err) {
        if (!(err instanceof SchedulerError && err.code === ErrorCode.UNKNOWN_METHOD)) throw err;
        this.noBatchEndpoint = true;
      }
    }
    for (const task of args.tasks) await this.addTask({ ...task, worker: args.worker });
    return null;
  }

  /**
   * One `check_claims` round trip; a scheduler without it (Luigi's) knows nothing of claims: every step
   * is the caller's to check, as Luigi's workers do.
   */
  async checkClaims(args: CheckClaimsArgs): Promise<CheckClaimsResponse> {
    if (!this.noClaimsEndpoint) {
      try {
        return await this.rpc<CheckClaimsResponse>("check_claims", args);
      } catch (err) {
        if (!(err instanceof SchedulerError && err.code === ErrorCode.UNKNOWN_METHOD)) throw err;
        this.noClaimsEndpoint = true;
      }
    }
    return { verdicts: args.task_ids.map(() => "yours"), unsupported: true };
  }

  /** Re-asks while the answer is null, as Luigi's client does. */
  getWork(args: GetWorkArgs): Promise<GetWorkResponse> {
    return this.rpc("get_work", args, GET_WORK_NULL_ATTEMPTS);
  }

  /**
   * One `get_works` round trip; against a scheduler without it (Luigi's), the reports go as `add_task`
   * calls and one `get_work` hands out one step.
   */
  async getWorks(args: GetWorksArgs): Promise<GetWorksResponse> {
    if (!this.noWorksEndpoint) {
      try {
        return await this.rpc<GetWorksResponse>("get_works", args);
      } catch (err) {
        if (!(err instanceof SchedulerError && err.code === ErrorCode.UNKNOWN_METHOD)) throw err;
        this.noWorksEndpoint = true;
      }
    }
    for (const report of args.reports ?? []) await this.addTask({ ...report, worker: args.worker });
    const { max_tasks: _max, reports: _reports, ...one } = args;
    return { replies: [await this.getWork(one)] };
  }
}

/** Whether the advertised URL `url` names the server of `endpoint` (same host and port). */
function sameServer(endpoint: SchedulerEndpoint, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const port = parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
  const mine = endpoint.port ?? (endpoint.protocol === "https:" ? 443 : 80);
  return parsed.hostname.replace(/^\[(.*)\]$/, "$1") === endpoint.hostname && port === mine;
}

/** The `response` member of a 2xx answer; an answer without one is not a scheduler's (not retried). */
function responseOf(answer: HttpAnswer, method: string, url: string): unknown {
  let parsed: unknown;
  try {
    parsed = parseWireJson(answer.body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || !("response" in parsed)) {
    throw new SchedulerError(
      ErrorCode.RPC_FAILED,
      `${url} did not answer {"response": ...}: ${snippet(answer.body)}`,
      { details: { method, url, status: answer.status } },
    );
  }
  return parsed.response;
}

/** A 4xx: luigi-ts's JSON error keeps its code and message; anything else (Luigi's HTML) gets one from the status. */
function refused(answer: HttpAnswer, method: string, url: string): SchedulerError {
  const error = parseErrorBody(answer.body);
  const details: Record<string, unknown> = { method, url, status: answer.status };
  if (error) {
    if (error.field !== undefined) details.field = error.field;
    return new SchedulerError(error.code, error.message, { details });
  }
  const code = answer.status === 404 ? ErrorCode.UNKNOWN_METHOD : ErrorCode.BAD_REQUEST;
  const what = answer.status === 404 ? ` (the scheduler does not know ${method})` : "";
  return new SchedulerError(code, `${url}: HTTP ${answer.status}${what}: ${snippet(answer.body)}`, {
    details,
  });
}

function snippet(body: string): string {
  const text = body
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text || "(empty body)";
}
