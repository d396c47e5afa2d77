import { Counter, Gauge, type Registry } from "prom-client";
import type { WriterMetrics } from "./writer.js";

/** The history writer's figures in a prom-client registry (luigid's `/metrics`). */
export function historyMetrics(registry: Registry, queueLength: () => number): WriterMetrics {
  const dropped = new Counter({
    name: "luigi_history_events_dropped_total",
    help: "Step history events lost: the queue was full, or they could not be written before shutdown",
    registers: [registry],
  });
  const errors = new Counter({
    name: "luigi_history_write_errors_total",
    help: "Failed attempts to reach or write the step history database (each is retried)",
    registers: [registry],
  });
  const written = new Counter({
    name: "luigi_history_events_written_total",
    help: "Step history events written to the database",
    registers: [registry],
  });
  new Gauge({
    name: "luigi_history_queue_length",
    help: "Step history events waiting to be written",
    registers: [registry],
    collect() {
      this.set(queueLength());
    },
  });
  return {
    dropped: (n) => dropped.inc(n),
    writeError: () => errors.inc(),
    written: (n) => written.inc(n),
  };
}
