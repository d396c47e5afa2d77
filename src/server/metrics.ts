/**
 * luigid's Prometheus metrics: one prom-client registry that any part of luigid can add its metrics to
 * (the step history adds its queue and error figures), served at `GET /metrics`.
 */
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Registry } from "prom-client";

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "luigid_" });
  return registry;
}

export function registerMetricsRoute(app: FastifyInstance, registry: Registry | undefined): void {
  if (!registry) return;
  app.get("/metrics", async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
