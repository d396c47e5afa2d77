import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "../log/logger.js";
import type { SchedulerApi } from "../scheduler/api.js";
import { createRpcHandler } from "../rpc/handler.js";
import type { Registry } from "prom-client";
import type { HistoryQueries } from "../history/queries.js";
import type { TrendQueries } from "../history/trend-queries.js";
import type { Authenticator } from "../auth/authenticator.js";
import { registerAccess } from "./access.js";
import { registerHistoryRoutes } from "./history-routes.js";
import { registerMetricsRoute } from "./metrics.js";
import { registerStaticRoutes } from "./static-routes.js";
import { registerTrendRoutes } from "./trend-routes.js";
import { withTriggerRequester } from "./trigger-requests.js";
import { crossSiteGuard } from "./cross-site.js";
import { registerSecurityHeaders } from "./security-headers.js";

export interface AppOptions {
  scheduler: SchedulerApi;
  logger: Logger;
  /** Largest request body accepted, in bytes. Default 32 MiB (a big dependency list fits). */
  bodyLimit?: number;
  /** The step history's page queries; undefined when history is off (its pages then say how to turn it on). */
  history?: HistoryQueries | undefined;
  /** The timeline's and /tasklist's queries; undefined when history is off. */
  trends?: TrendQueries | undefined;
  /** Served at /metrics when given. */
  metrics?: Registry | undefined;
  /** Origins besides luigid's own whose pages may change state (`[auth] allowed_origins`). Default none. */
  allowedOrigins?: readonly string[];
  /** HTTPS with this certificate and key (see tls.ts). Default plain HTTP. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** Who may call what (`[auth]`); undefined: everybody may call everything, as with Luigi. */
  auth?: Authenticator | undefined;
}

/**
 * luigid's HTTP application: a thin adapter from HTTP to the scheduler. `/api/<method>` speaks Luigi's
 * wire protocol (form field `data`, GET query `data`, or a JSON body); everything is decoded, validated
 * and dispatched by src/rpc, which answers 4xx JSON errors on bad input. It never executes steps.
 */
export function createApp(options: AppOptions): FastifyInstance {
  // Fastify's own request logging is off: one line per RPC would drown the log; errors are logged below.
  const settings = {
    logger: false,
    bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024,
    // Luigi's clients send "/api/x" and also "//api/x" when the base URL ends with a slash.
    routerOptions: { ignoreDuplicateSlashes: true },
  } as const;
  // Typed as the HTTP flavour either way: nothing here touches what differs (the raw server's TLS side).
  const app = (
    options.tls ? Fastify({ ...settings, https: options.tls }) : Fastify(settings)
  ) as FastifyInstance;
  const rpc = createRpcHandler(withTriggerRequester(options.scheduler));
  registerSecurityHeaders(app, { https: options.tls !== undefined });
  app.addHook("onRequest", crossSiteGuard(options.allowedOrigins ?? []));
  const access = registerAccess(app, { auth: options.auth, logger: options.logger });

  // Bodies reach the RPC decoder as raw text: it owns the form / JSON / Python-JSON rules.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.route({
    method: ["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"],
    url: "/api/*",
    handler: async (request, reply) => {
      const result = await access.callAs(request, () =>
        rpc({
          httpMethod: request.method,
          url: request.raw.url ?? request.url,
          contentType: request.headers["content-type"],
          body: typeof request.body === "string" ? request.body : undefined,
        }),
      );
      if (!result) return reply.callNotFound();
      if (result.status === 204) return reply.code(204).send();
      return reply.code(result.status).type("application/json; charset=UTF-8").send(result.body);
    },
  });
  registerHistoryRoutes(app, { queries: options.history, logger: options.logger });
  registerTrendRoutes(app, { trends: options.trends, logger: options.logger });
  registerMetricsRoute(app, options.metrics);
  app.head("/", async (_request, reply) => reply.code(204).send());
  app.get("/", async (_request, reply) => reply.redirect("static/visualiser/index.html"));
  void app.register(registerStaticRoutes);
  app.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .type("application/json; charset=UTF-8")
      .send(
        JSON.stringify({
          error: { code: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}` },
        }),
      ),
  );
  app.setErrorHandler(async (thrown, _request, reply) => {
    const error = thrown as { statusCode?: number; message?: string };
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) options.logger.error({ err: error.message }, "request failed");
    return reply
      .code(status)
      .type("application/json; charset=UTF-8")
      .send(
        JSON.stringify({
          error: {
            code: status === 500 ? "INTERNAL" : "BAD_REQUEST",
            message: status === 500 ? "internal error" : (error.message ?? "bad request"),
          },
        }),
      );
  });
  return app;
}
