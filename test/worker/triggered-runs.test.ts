/**
 * The assistant's side of triggered runs, in one process: what it announces of its families
 * (trigger-families.ts), how it builds a trigger's root step, and an assistant Worker over a
 * LocalScheduler taking a trigger, running it with a worker of its own and reporting how it ended.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { ParameterError, StepDefinitionError } from "../../src/errors.js";
import {
  ExternalStep,
  LocalScheduler,
  LuigiConfig,
  MemoryTarget,
  param,
  setActiveConfig,
  Step,
  Worker,
  type TriggerInfo,
} from "../../src/index.js";
import { buildTriggeredStep, describeFamilies } from "../../src/worker/trigger-families.js";
import { until } from "../helpers/wait.js";

beforeEach(() => {
  MemoryTarget.clearAll();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

enum Colour {
  Red = "red",
  Blue = "blue",
}

class TrgSource extends Step.with({ day: param.date() }) {
  output() {
    return new MemoryTarget(`trg-source-${this.day.toISOString().slice(0, 10)}`);
  }
  async run() {
    await this.output().write("source");
  }
}

class TrgReport extends Step.with({
  day: param.date({ description: "the day" }),
  size: param.choice([1, 2.5, 10], { default: 10 }),
  colour: param.enum(Colour, { default: Colour.Blue }),
  note: param.optional(param.str()),
  month: param.month({ default: new Date(Date.UTC(2026, 0, 1)) }),
  quick: param.bool(),
  token: param.str({ default: "t", visibility: "private" }),
  trace: param.str({ default: "", significant: false }),
}) {
  requires() {
    return new TrgSource({ day: this.day });
  }
  output() {
    return new MemoryTarget(`trg-report-${this.day.toISOString().slice(0, 10)}-${this.size}`);
  }
  async run() {
    await this.output().write(`report ${this.colour}`);
  }
}

class TrgMissing extends ExternalStep.with({ path: param.str() }) {
  output() {
    return new MemoryTarget(`trg-missing-${this.path}`);
  }
}

class TrgBroken extends Step.with({ n: param.int() }) {
  complete(): Promise<boolean> {
    throw new Error(`cannot tell whether batch ${this.n} is complete`);
  }
}

// Registered as `luigi --module` would register them (constructing one registers its class).
new TrgSource({ day: new Date(Date.UTC(2026, 0, 1)) });
new TrgReport({ day: new Date(Date.UTC(2026, 0, 1)) });
new TrgMissing({ path: "x" });
new TrgBroken({ n: 0 });

describe("what an assistant announces", () => {
  it("each runnable family with its parameters' kinds, defaults, choices and descriptions, private ones left out", () => {
    const families = describeFamilies().filter((f) => f.name.startsWith("Trg"));
    // External steps are only checked, never run: not offered.
    expect(families.map((f) => f.name)).toEqual(["TrgBroken", "TrgReport", "TrgSource"]);
    const report = families.find((f) => f.name === "TrgReport");
    expect(
      report?.params.map((p) => [p.name, p.kind, p.default, p.has_default, p.choices, p.optional]),
    ).toEqual([
      ["day", "date", null, false, null, false],
      ["size", "choice", "10", true, ["1", "2.5", "10"], false],
      ["colour", "enum", "Blue", true, ["Red", "Blue"], false],
      ["note", "str", "", true, null, true],
      ["month", "month", "2026-01", true, null, false],
      ["quick", "bool", "False", true, null, false],
      ["trace", "str", "", true, null, false],
    ]);
    expect(report?.params[0]).toMatchObject({
      description: "the day",
      expected: "YYYY-MM-DD",
      significant: true,
    });
    expect(report?.params.at(-1)?.significant).toBe(false);
  });
});

describe("the root step of a trigger", () => {
  it("is built from the text values as the command line would build it", () => {
    const step = buildTriggeredStep("TrgReport", { day: "2026-02-03", size: "2.5", colour: "Red", note: "" });
    expect(step).toBe(
      new TrgReport({ day: new Date(Date.UTC(2026, 1, 3)), size: 2.5, colour: Colour.Red, note: null }),
    );
  });

  it("takes the assistant's [Family] settings for what the trigger leaves out", () => {
    setActiveConfig(LuigiConfig.fromString("[TrgReport]\nsize = 1\n", "cfg"));
    expect((buildTriggeredStep("TrgReport", { day: "2026-02-03" }) as TrgReport).size).toBe(1);
  });

  it("is refused with an error naming the parameter: unknown, unparsable, missing, or no such family", () => {
    const refused = (family: string, params: Record<string, string>): string => {
      try {
        buildTriggeredStep(family, params);
      } catch (err) {
        expect(err instanceof ParameterError || err instanceof StepDefinitionError).toBe(true);
        return (err as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refused("TrgReport", { day: "2026-01-01", colur: "Red" })).toBe(
      "TrgReport: unknown parameter 'colur' (known: day, size, colour, note, month, quick, token, trace)",
    );
    expect(refused("TrgReport", { day: "2026-01-01", size: "3" })).toContain(
      "parameter 'size' of TrgReport: cannot parse \"3\"",
    );
    expect(refused("TrgReport", {})).toBe("TrgReport: missing parameter 'day' (date: YYYY-MM-DD)");
    expect(refused("TrgRepor", {})).toContain("no step family 'TrgRepor'. Did you mean: TrgReport");
  });
});

describe("an assistant Worker with a LocalScheduler", () => {
  async function withAssistant(
    options: { acceptTriggers?: boolean },
    scenario: (scheduler: LocalScheduler, assistant: Worker) => Promise<void>,
  ): Promise<void> {
    const scheduler = new LocalScheduler();
    const assistant = new Worker({
      scheduler,
      assistant: true,
      keepAlive: true,
      waitInterval: 0.01,
      waitJitter: 0,
      pingInterval: 0,
      ...options,
    });
    const running = assistant.run();
    try {
      await scenario(scheduler, assistant);
    } finally {
      assistant.phaseOut();
      expect(await running).toBe(true);
    }
  }

  const ended = (scheduler: LocalScheduler, id: number): Promise<TriggerInfo> =>
    until(`trigger ${id} to end`, async () => {
      const [t] = (await scheduler.triggerList({ trigger_id: id })).triggers;
      return t && !["queued", "taken", "running"].includes(t.status) ? t : null;
    });

  it("runs a trigger with a worker of its own, which holds the run's steps, and reports the outcome", async () => {
    await withAssistant({}, async (scheduler, assistant) => {
      for (let round = 1; round <= 3; round++) {
        const day = `2026-03-0${round}`;
        const { trigger_id } = await scheduler.triggerStep({
          family: "TrgReport",
          params: { day, colour: "Red" },
        });
        const t = await ended(scheduler, trigger_id);
        expect(t, `round ${round}`).toMatchObject({
          status: "done",
          result: "SUCCESS",
          exit_code: 0,
          worker: assistant.id,
          root_status: "DONE",
        });
        expect(t.run_worker).not.toBe(assistant.id);
        expect(await new MemoryTarget(`trg-report-${day}-10`).read()).toBe("report red");
        // The run's steps are its worker's, as a `luigi` process's are (not an assistant's: no stake).
        const root = scheduler.scheduler.inspectStep(t.task_id ?? "");
        expect(root?.stakeholders).toEqual([t.run_worker]);
        expect(t.message).toContain("2 ran successfully");
      }
    });
  });

  it("reports what `luigi FAMILY` would exit with (a scheduling error), and refuses bad parameters", async () => {
    await withAssistant({}, async (scheduler) => {
      const broken = await ended(
        scheduler,
        (await scheduler.triggerStep({ family: "TrgBroken", params: { n: "4" } })).trigger_id,
      );
      expect(broken).toMatchObject({ status: "failed", result: "SCHEDULING_FAILED", exit_code: 35 });
      expect(broken.message).toContain("cannot tell whether batch 4 is complete");
      const bad = await ended(
        scheduler,
        (await scheduler.triggerStep({ family: "TrgSource", params: { day: "x" } })).trigger_id,
      );
      expect(bad).toMatchObject({ status: "refused", task_id: null });
      expect(bad.message).toContain("parameter 'day' of TrgSource");
    });
  });

  it("with acceptTriggers false announces nothing and takes nothing", async () => {
    await withAssistant({ acceptTriggers: false }, async (scheduler) => {
      const { trigger_id } = await scheduler.triggerStep({
        family: "TrgSource",
        params: { day: "2026-01-01" },
      });
      await new Promise((r) => setTimeout(r, 100));
      expect((await scheduler.triggerList({ trigger_id })).triggers[0]).toMatchObject({
        status: "queued",
        assistants: 0,
      });
    });
  });
});
