/** Shared fixtures for the scheduler tests: a hand-driven clock and a few terse wrappers. */
import { expect } from "vitest";
import type { AddTaskArgs, GetWorkResponse, StepStatus } from "../../src/scheduler/api.js";
import { Scheduler, type SchedulerInit } from "../../src/scheduler/scheduler.js";

export const T0 = 1_700_000_000;

export class FakeClock {
  t = T0;
  readonly now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds;
  }
}

export interface Fixture {
  s: Scheduler;
  clock: FakeClock;
  /** add_task from `worker` (default "W1") with status PENDING unless given. */
  add(taskId: string, extra?: Partial<AddTaskArgs>): void;
  work(worker?: string, extra?: Partial<Parameters<Scheduler["getWork"]>[0]>): GetWorkResponse;
  /** The id get_work hands to `worker`, or null. */
  next(worker?: string): string | null;
  status(taskId: string): StepStatus | undefined;
  done(taskId: string, worker?: string): void;
  fail(taskId: string, worker?: string): void;
}

export function fixture(init: Partial<SchedulerInit> = {}): Fixture {
  const clock = new FakeClock();
  const s = new Scheduler({ clock: clock.now, ...init });
  const add = (taskId: string, extra: Partial<AddTaskArgs> = {}): void => {
    s.addTask({ worker: "W1", task_id: taskId, family: taskId.split("_")[0], ...extra });
  };
  const work = (worker = "W1", extra = {}): GetWorkResponse => s.getWork({ worker, host: "h", ...extra });
  return {
    s,
    clock,
    add,
    work,
    next: (worker = "W1") => work(worker).task_id,
    status: (taskId) => s.inspectStep(taskId)?.status,
    done: (taskId, worker = "W1") => add(taskId, { worker, status: "DONE", deps: null }),
    fail: (taskId, worker = "W1") => add(taskId, { worker, status: "FAILED", deps: null, runnable: null }),
  };
}

/** Every test ends with this: the incremental indexes must equal a recomputation from scratch. */
export function consistent(s: Scheduler): void {
  expect(() => s.checkConsistency()).not.toThrow();
}
