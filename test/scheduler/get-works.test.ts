/** get_works (luigi-ts): reports applied first, then several hand-outs, each as consecutive get_work calls. */
import { describe, expect, test } from "vitest";
import { MAX_WORKS_PER_CALL } from "../../src/scheduler/api.js";
import { consistent, fixture } from "./helpers.js";

describe("get_works", () => {
  test("hands out up to max_tasks steps, each once, and lists the running steps only in the last answer", () => {
    const f = fixture();
    for (let i = 0; i < 10; i++) f.add(`A_${i}`, { priority: i });
    const { replies } = f.s.getWorks({ worker: "W1", host: "h", current_tasks: [], max_tasks: 4 });
    expect(replies.map((r) => r.task_id)).toEqual(["A_9", "A_8", "A_7", "A_6"]);
    for (const id of ["A_9", "A_8", "A_7", "A_6"]) expect(f.status(id)).toBe("RUNNING");
    expect(f.status("A_5")).toBe("PENDING");
    // Counts are get_work's: taken before each hand-out.
    expect(replies.map((r) => r.n_pending_tasks)).toEqual([10, 9, 8, 7]);
    consistent(f.s);
  });

  test("applies the reports first, so a finished step's dependants are handed out in the same call", () => {
    const f = fixture();
    f.add("Top_1", { deps: ["Mid_1"] });
    f.add("Mid_1", { deps: ["Low_1"] });
    f.add("Low_1");
    expect(f.next()).toBe("Low_1");
    const { replies } = f.s.getWorks({
      worker: "W1",
      current_tasks: ["Low_1"],
      max_tasks: 5,
      reports: [{ task_id: "Low_1", status: "DONE" }],
    });
    expect(f.status("Low_1")).toBe("DONE");
    expect(replies.map((r) => r.task_id)).toEqual(["Mid_1", null]);
    consistent(f.s);
  });

  test("keeps to a fair share of the pending steps and answers once when there is nothing of the pending steps", () => {
    const f = fixture();
    f.add("B_1");
    f.add("B_2");
    f.s.addWorker({ worker: "W2", info: {} });
    f.s.addWorker({ worker: "W3", info: {} });
    // Three workers known, two pending steps: one each, the rest stays for the others.
    const first = f.s.getWorks({ worker: "W1", current_tasks: [], max_tasks: 10 });
    expect(first.replies.map((r) => r.task_id)).toEqual(["B_1"]);
    const fixture2 = fixture();
    fixture2.add("C_1");
    const alone = fixture2.s.getWorks({ worker: "W1", current_tasks: [], max_tasks: 10 });
    expect(alone.replies.map((r) => r.task_id)).toEqual(["C_1"]);
    // Nothing left: one empty answer, with the counts a worker decides on.
    const empty = fixture2.s.getWorks({ worker: "W1", current_tasks: ["C_1"], max_tasks: 10 });
    expect(empty.replies).toEqual([expect.objectContaining({ task_id: null, n_pending_tasks: 0 })]);
  });

  test("gives an assistant its fair share of every worker's runnable steps, not one step a call", () => {
    // Bug: the fair share was taken of the assistant's own pending steps (it registered none, so none),
    // and each call handed it one step: seven assistants beside one worker made a 20,000-step run twice
    // as slow, each sending a request per step.
    const f = fixture();
    for (let i = 0; i < 40; i++) f.add(`F_${i}`);
    f.s.addWorker({ worker: "A1", info: {} });
    const { replies } = f.s.getWorks({ worker: "A1", assistant: true, current_tasks: [], max_tasks: 32 });
    // Two workers known (W1, A1), 40 runnable: twenty each.
    expect(replies.map((r) => r.task_id)).toHaveLength(20);
    for (const r of replies) expect(f.status(r.task_id as string)).toBe("RUNNING");
    // What is left of the 40 is W1's; and an assistant still never takes a step that is not runnable.
    f.add("G_1", { runnable: false });
    const rest = f.s.getWorks({ worker: "A1", assistant: true, current_tasks: [], max_tasks: 32 });
    expect(rest.replies.map((r) => r.task_id)).not.toContain("G_1");
    expect(rest.replies.filter((r) => r.task_id !== null).length).toBeLessThanOrEqual(10);
    consistent(f.s);
  });

  test("never re-hands a step handed out earlier in the same call (current_tasks grow)", () => {
    const f = fixture();
    for (let i = 0; i < 3; i++) f.add(`D_${i}`);
    const { replies } = f.s.getWorks({ worker: "W1", current_tasks: [], max_tasks: 10 });
    const ids = replies.map((r) => r.task_id).filter((id) => id !== null);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(["D_0", "D_1", "D_2"]);
  });

  test("caps max_tasks at MAX_WORKS_PER_CALL", () => {
    const f = fixture();
    for (let i = 0; i < MAX_WORKS_PER_CALL + 20; i++) f.add(`E_${i}`);
    const { replies } = f.s.getWorks({ worker: "W1", current_tasks: [], max_tasks: 100_000 });
    expect(replies).toHaveLength(MAX_WORKS_PER_CALL);
    consistent(f.s);
  });
});

describe("add_tasks", () => {
  test("is exactly add_task of each step in order, and leaves the caller's step objects as they were", () => {
    const tasks = [
      { task_id: "Low_1", family: "Low", status: "PENDING" as const, priority: 3 },
      { task_id: "Top_1", family: "Top", status: "PENDING" as const, deps: ["Low_1"], resources: { db: 1 } },
      { task_id: "Low_1", family: "Low", status: "DONE" as const, deps: null },
    ];
    const copies = structuredClone(tasks);
    const batched = fixture();
    batched.s.addTasks({ worker: "W1", tasks });
    const single = fixture();
    for (const task of tasks) single.s.addTask({ ...task, worker: "W1" });
    expect(tasks).toEqual(copies);
    expect(batched.s.exportState()).toEqual(single.s.exportState());
    expect(batched.next()).toBe("Top_1");
    consistent(batched.s);
  });
});
