/**
 * The visualiser's RPC wrappers (web/src/api/methods.ts) are typed by the scheduler's method table: each
 * answer is the SchedulerApi member's, and a wrong argument shape fails the typecheck. Types only here;
 * the browser tests (visualiser.test.ts) make the calls against a real luigid.
 */
import { describe, expect, expectTypeOf, test } from "vitest";
import type {
  FetchErrorResponse,
  PauseState,
  ReEnableResponse,
  ResourceNode,
  StatusChange,
  StepGraph,
  StepLogAnswer,
  StepPage,
  TriggerInfo,
  TriggerList,
  WorkerNode,
} from "../../src/scheduler/api.js";
import { api, rpc } from "../../web/src/api/methods.js";

describe("the visualiser's RPC wrappers", () => {
  test("answer what the SchedulerApi members answer", () => {
    expectTypeOf(api.stepPage).returns.resolves.toEqualTypeOf<StepPage>();
    expectTypeOf(api.stepGraph).returns.resolves.toEqualTypeOf<StepGraph>();
    expectTypeOf(api.fetchError).returns.resolves.toEqualTypeOf<FetchErrorResponse>();
    expectTypeOf(api.workerList).returns.resolves.toEqualTypeOf<WorkerNode[]>();
    expectTypeOf(api.resourceList).returns.resolves.toEqualTypeOf<ResourceNode[]>();
    expectTypeOf(api.isPaused).returns.resolves.toEqualTypeOf<PauseState>();
    expectTypeOf(api.markAsDone).returns.resolves.toEqualTypeOf<StatusChange>();
    expectTypeOf(api.reEnableTask).returns.resolves.toEqualTypeOf<ReEnableResponse>();
    expectTypeOf(api.updateResource).returns.resolves.toEqualTypeOf<boolean>();
    expectTypeOf(api.triggerList).returns.resolves.toEqualTypeOf<TriggerList>();
    expectTypeOf(api.triggerStep).returns.resolves.toEqualTypeOf<TriggerInfo>();
    expectTypeOf(api.stepLog).returns.resolves.toEqualTypeOf<StepLogAnswer | null>();
  });

  test("refuse, at compile time, an argument shape the method does not take", () => {
    // Compiled, never called.
    const typeOnly = (): void => {
      // @ts-expect-error a misspelt argument
      void rpc("fetch_error", { taskid: "A" });
      // @ts-expect-error a required argument left out
      void rpc("set_worker_processes", { worker: "W" });
      // @ts-expect-error an argument of the wrong type
      void rpc("update_resource", { resource: "r", amount: "3" });
      // @ts-expect-error arguments required
      void rpc("mark_as_done");
      // @ts-expect-error a method that takes no arguments
      void rpc("pause", { now: true });
      // @ts-expect-error not a method
      void rpc("fetch_errors", { task_id: "A" });
      // @ts-expect-error a parameter value is text, as on the command line
      void rpc("trigger_step", { family: "Report", params: { copies: 2 } });
      // Arguments that are all optional may be left out.
      void rpc("pause");
      void rpc("worker_list");
      void rpc("step_page", {}, new AbortController().signal);
    };
    expect(typeOnly).toBeTypeOf("function");
  });
});
