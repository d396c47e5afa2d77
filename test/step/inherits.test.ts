import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  build,
  ErrorCode,
  inherits,
  LuigiConfig,
  MemoryTarget,
  param,
  ParameterError,
  requires,
  requiresOn,
  setActiveConfig,
  Step,
  StepDefinitionError,
  WrapperStep,
} from "../../src/index.js";
import { clearFamilyFlags } from "../../src/step/context.js";

beforeEach(() => {
  MemoryTarget.clearAll();
  clearFamilyFlags();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

const DAY = new Date("2026-11-20T00:00:00Z");
const iso = (d: Date): string => d.toISOString().slice(0, 10);

class Extract extends Step.with({ day: param.date(), source: param.str({ default: "web" }) }) {
  output() {
    return new MemoryTarget(`extract-${this.source}-${iso(this.day)}`);
  }
  async run() {
    await this.output().write(`${this.source} ${iso(this.day)}\n`);
  }
}

class Rates extends Step.with({ day: param.date(), currency: param.str({ default: "EUR" }) }) {
  output() {
    return new MemoryTarget(`rates-${this.currency}-${iso(this.day)}`);
  }
  async run() {
    await this.output().write(`${this.currency}\n`);
  }
}

describe("clone()", () => {
  it("carries over the parameters the other class shares, overrides winning (Luigi's Task.clone)", () => {
    const rates = new Rates({ day: DAY, currency: "USD" });
    const extract = rates.clone(Extract);
    expectTypeOf(extract).toEqualTypeOf<Extract>();
    expect(extract).toBe(new Extract({ day: DAY }));
    expect(rates.clone(Extract, { source: "api" })).toBe(new Extract({ day: DAY, source: "api" }));
    const next = new Date("2026-11-21T00:00:00Z");
    expect(rates.clone({ day: next })).toBe(new Rates({ day: next, currency: "USD" }));
    expect(rates.clone()).toBe(rates);
    // @ts-expect-error Extract has no currency parameter
    expect(() => rates.clone(Extract, { currency: "GBP" })).toThrow(ParameterError);
  });

  it("refuses an override the class lacks, naming it and the known parameters", () => {
    const rates = new Rates({ day: DAY });
    const wrong = () => rates.clone(Extract, { currency: "GBP" } as never);
    expect(wrong).toThrow(ParameterError);
    expect(wrong).toThrow(/Extract: unknown parameter 'currency' \(known: day, source\)/);
  });

  it("leaves a parameter this step lacks to the other class's flags, config and default", () => {
    setActiveConfig(LuigiConfig.fromString("[Extract]\nsource = config\n", "cfg"));
    expect(new Rates({ day: DAY }).clone(Extract).source).toBe("config");
    class NoDay extends Step.with({ other: param.int({ default: 1 }) }) {}
    expect(() => new NoDay().clone(Extract)).toThrow(/Extract: missing parameter 'day'/);
  });
});

describe("inherits()", () => {
  it("copies the parameters of other classes into a schema, typed; the first class and the own ones win", () => {
    class Report extends Step.with({
      ...inherits(Extract, Rates),
      currency: param.str({ default: "GBP" }),
      pages: param.int(),
    }) {}
    expect(Object.keys(Report.schema)).toEqual(["day", "source", "currency", "pages"]);
    expect(Report.schema.day).toBe(Extract.schema.day);
    const report = new Report({ day: DAY, pages: 3 });
    expectTypeOf(report.day).toEqualTypeOf<Date>();
    expectTypeOf(report.source).toEqualTypeOf<string>();
    expectTypeOf(report.currency).toEqualTypeOf<string>();
    expect([report.source, report.currency, report.pages]).toEqual(["web", "GBP", 3]);
    // @ts-expect-error day, inherited without a default, is required
    expect(() => new Report({ pages: 1 })).toThrow(/missing parameter 'day'/);
    // Only parameters are copied: no class inheritance, no behaviour.
    expect(report).not.toBeInstanceOf(Extract);
    expect(report.output()).toEqual([]);

    const inherited = inherits(Rates, Extract);
    expectTypeOf(inherited.day).toEqualTypeOf(Rates.schema.day);
    expect(Object.keys(inherited)).toEqual(["day", "currency", "source"]);
  });

  it("refuses what is not a step class", () => {
    expect(() => inherits()).toThrow(/at least one step class/);
    const notAClass = (() => 1) as unknown as typeof Extract;
    const thrown = (() => {
      try {
        inherits(notAClass);
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toBeInstanceOf(StepDefinitionError);
    expect((thrown as StepDefinitionError).code).toBe(ErrorCode.STEP_DEFINITION);
    expect((thrown as Error).message).toMatch(/inherits\(\) takes step classes; got the function/);
  });
});

describe("requires()", () => {
  it("requires the parent cloned from this step's parameters, with input() typed as its output", async () => {
    class Clean extends requires(Extract).with({ strict: param.bool() }) {
      output() {
        return new MemoryTarget(`clean-${this.source}-${iso(this.day)}-${this.strict}`);
      }
      async run() {
        const input = this.input();
        expectTypeOf(input).toEqualTypeOf<MemoryTarget>();
        await this.output().write((await input.read()).toUpperCase());
      }
    }
    const clean = new Clean({ day: DAY, source: "api", strict: true });
    expectTypeOf(clean.requires()).toEqualTypeOf<Extract>();
    expect(clean.requires()).toBe(new Extract({ day: DAY, source: "api" }));
    expect(clean.dependencies()).toEqual([new Extract({ day: DAY, source: "api" })]);
    const summary = await build([clean], { localScheduler: true });
    expect(summary.status).toBe("SUCCESS");
    expect(await clean.output().read()).toBe("API 2026-11-20\n");
  });

  it("gives an array for several parents and an object for named ones", () => {
    class Both extends requires(Extract, Rates) {}
    const both = new Both({ day: DAY, currency: "USD" });
    expectTypeOf(both.requires()).toEqualTypeOf<[Extract, Rates]>();
    expect(both.requires()).toEqual([new Extract({ day: DAY }), new Rates({ day: DAY, currency: "USD" })]);
    expectTypeOf(both.input()).toEqualTypeOf<MemoryTarget[]>();

    class Named extends requires({ extract: Extract, rates: Rates }) {}
    const named = new Named({ day: DAY, source: "api" });
    expectTypeOf(named.requires()).toEqualTypeOf<{ extract: Extract; rates: Rates }>();
    expect(named.requires()).toEqual({
      extract: new Extract({ day: DAY, source: "api" }),
      rates: new Rates({ day: DAY }),
    });
    expectTypeOf(named.input().rates).toEqualTypeOf<MemoryTarget>();
    // @ts-expect-error day is required (from both parents)
    expect(() => new Named({})).toThrow(ParameterError);
  });

  it("works on another base with requiresOn(), whose own parameters win", async () => {
    class All extends requiresOn(WrapperStep, Extract, Rates) {}
    const all = new All({ day: DAY });
    expect(all).toBeInstanceOf(WrapperStep);
    expect(await all.complete()).toBe(false);
    expect((await build([all], { localScheduler: true })).status).toBe("SUCCESS");
    expect(await all.complete()).toBe(true);

    class Base extends Step.with({ source: param.str({ default: "base" }) }) {}
    class FromBase extends requiresOn(Base, Extract) {}
    expect(FromBase.schema.source).toBe(Base.schema.source);
    const fromBase = new FromBase({ day: DAY });
    expect(fromBase.source).toBe("base");
    expect(fromBase).toBeInstanceOf(Base);
    expect(fromBase.requires()).toBe(new Extract({ day: DAY, source: "base" }));
    expect(() => requiresOn(Object as never, Extract)).toThrow(/requiresOn\(\) takes step classes/);
  });

  it("keeps the families of the classes that extend it, not of the intermediate class", () => {
    class Clean extends requires(Extract) {}
    expect(new Clean({ day: DAY }).family).toBe("Clean");
    expect(String(new Clean({ day: DAY }))).toBe("Clean(day=2026-11-20, source=web)");
  });
});
