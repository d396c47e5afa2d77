/**
 * The actions of SPEC 5.2-5.4, each behind a confirmation, each followed by an immediate refresh so that
 * the page shows the new state at once.
 */
import { api } from "../api/methods.js";
import type { DialogRequest } from "../components/ConfirmDialog.js";
import type { AppContext } from "./context.js";

type Ctx = Pick<AppContext, "ask" | "bump" | "report">;

function run(ctx: Ctx, action: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    try {
      await action();
    } catch (err) {
      ctx.report(err);
    } finally {
      ctx.bump();
    }
  };
}

function ask(ctx: Ctx, request: Omit<DialogRequest, "onConfirm">, action: () => Promise<unknown>): void {
  ctx.ask({ ...request, onConfirm: run(ctx, action) });
}

export function forgiveFailures(ctx: Ctx, taskId: string, label: string): void {
  ask(
    ctx,
    {
      title: "Forgive failures",
      message: `${label} goes back to PENDING and will be run again by the next worker that has it.`,
      confirmLabel: "Forgive failures",
    },
    () => api.forgiveFailures(taskId),
  );
}

export function markAsDone(ctx: Ctx, taskId: string, label: string): void {
  ask(
    ctx,
    {
      title: "Mark as done",
      message: `${label} will be recorded as DONE without running; the steps that depend on it may start.`,
      confirmLabel: "Mark as done",
      danger: true,
    },
    () => api.markAsDone(taskId),
  );
}

export function reEnable(ctx: Ctx, taskId: string, label: string): void {
  ask(
    ctx,
    {
      title: "Re-enable",
      message: `${label} was disabled by the scheduler after repeated failures; it becomes FAILED and can be retried.`,
      confirmLabel: "Re-enable",
    },
    () => api.reEnableTask(taskId),
  );
}

export function disableWorker(ctx: Ctx, worker: string): void {
  ask(
    ctx,
    {
      title: "Disable worker",
      message: `${worker} will finish its running steps but not start new ones.`,
      confirmLabel: "Disable worker",
      danger: true,
    },
    () => api.disableWorker(worker),
  );
}

export function setWorkerProcesses(ctx: Ctx, worker: string, current: number): void {
  ctx.ask({
    title: "Set worker processes",
    message: `How many steps ${worker} may run at once (it applies this at its next ping).`,
    confirmLabel: "Set",
    number: { label: "Processes", value: current, min: 1 },
    onConfirm: (n) => run(ctx, () => api.setWorkerProcesses(worker, n ?? current))(),
  });
}

export function setResource(ctx: Ctx, resource: string, current: number): void {
  ctx.ask({
    title: `Set resource ${resource}`,
    message: "The total amount of this resource the scheduler hands out.",
    confirmLabel: "Set",
    number: { label: "Amount", value: current, min: 0 },
    onConfirm: (n) => run(ctx, () => api.updateResource(resource, n ?? current))(),
  });
}

export function togglePause(ctx: Ctx, paused: boolean): void {
  ask(
    ctx,
    paused
      ? { title: "Resume", message: "Workers will be handed steps again.", confirmLabel: "Resume" }
      : {
          title: "Pause the scheduler",
          message: "No new step is handed out until you resume; running steps go on.",
          confirmLabel: "Pause",
          danger: true,
        },
    () => (paused ? api.unpause() : api.pause()),
  );
}
