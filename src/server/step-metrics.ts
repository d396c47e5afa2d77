/**
 * luigid's step metrics, under Luigi's names (`luigi/contrib/prometheus_metric.py`): counters of steps
 * started, failed, disabled and done, and the duration of the last finished run, each labelled by family;
 * plus gauges of the steps held per status and of the workers alive.
 *
 * The counters are fed by the scheduler's `metrics` hook, inside the transition: one labelled increment,
 * O(1), nothing else. The only label is `family` (Luigi's `use_task_family_in_labels`); Luigi's
 * `task_parameters_to_use_in_labels` is left out on purpose, since one series per parameter value grows
 * without bound. The gauges are read from the scheduler's indexes when Prometheus scrapes, never kept up
 * per change.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { STEP_STATUSES, type StepStatus } from "../scheduler/api.js";
import type { SchedulerHooks } from "../scheduler/core.js";
import type { SchedulerCensus } from "../scheduler/scheduler.js";

type Event = Parameters<NonNullable<SchedulerHooks["metrics"]>>[0];

export class StepMetrics {
  private armed = false;
  private census: (() => SchedulerCensus) | undefined;
  private readonly counters: Record<Event, Counter<"family">>;
  private readonly executionTime: Gauge<"family">;

  constructor(registry: Registry) {
    const counter = (name: string, help: string): Counter<"family"> =>
      new Counter({ name, help, labelNames: ["family"], registers: [registry] });
    this.counters = {
      started: counter("luigi_task_started_total", "Steps handed out to a worker to run"),
      failed: counter("luigi_task_failed_total", "Steps that became FAILED"),
      disabled: counter("luigi_task_disabled_total", "Steps that became DISABLED"),
      done: counter("luigi_task_done_total", "Steps that became DONE"),
    };
    this.executionTime = new Gauge({
      name: "luigi_task_execution_time_seconds",
      help: "Duration of the family's last finished run (hand-out to DONE, FAILED or DISABLED), in seconds",
      labelNames: ["family"],
      registers: [registry],
    });
    const read = (): SchedulerCensus | undefined => this.census?.();
    new Gauge({
      name: "luigi_steps",
      help: "Steps the scheduler holds, by status",
      labelNames: ["status"],
      registers: [registry],
      collect() {
        const steps = read()?.steps;
        if (steps) for (const status of STEP_STATUSES) this.set({ status }, steps[status]);
      },
    });
    new Gauge({
      name: "luigi_workers_alive",
      help: "Workers the scheduler has heard from within worker_disconnect_delay",
      registers: [registry],
      collect() {
        const census = read();
        if (census) this.set(census.workers);
      },
    });
  }

  /** The hooks to give the scheduler; they count nothing until `start()`. */
  hooks(): Pick<SchedulerHooks, "metrics"> {
    return { metrics: (event, step, previous) => this.record(event, step, previous) };
  }

  /**
   * Starts counting (after the journal replay, whose changes were counted when they happened, if by
   * another process) and gives the gauges their source.
   */
  start(census: () => SchedulerCensus): void {
    this.census = census;
    this.armed = true;
  }

  private record(
    event: Event,
    step: { readonly family: string; readonly updated: number; readonly timeRunning: number | null },
    previous: StepStatus,
  ): void {
    if (!this.armed) return;
    const labels = { family: step.family };
    this.counters[event].inc(labels);
    if (event === "started") {
      // As Luigi: a family that started shows its duration series (0) before its first run ends.
      this.executionTime.inc(labels, 0);
    } else if ((previous === "RUNNING" || previous === "BATCH_RUNNING") && step.timeRunning !== null) {
      // Only a run that ends has a duration: a step found complete, or failed while pending, has none.
      this.executionTime.set(labels, Math.max(0, step.updated - step.timeRunning));
    }
  }
}
