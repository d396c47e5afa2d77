import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  ErrorCode,
  ExternalStep,
  LuigiConfig,
  MemoryTarget,
  param,
  ParameterError,
  setActiveConfig,
  Step,
  StepDefinitionError,
  WrapperStep,
} from "../../src/index.js";
import { clearFamilyFlags, setFamilyFlag } from "../../src/step/context.js";
import { lookupFamily } from "../../src/step/registry.js";

beforeEach(() => {
  MemoryTarget.clearAll();
  clearFamilyFlags();
  setActiveConfig(LuigiConfig.fromString("", "cfg"));
});

class MyStep extends Step.with({ x: param.int(), y: param.int() }) {}

class Extract extends Step.with({ day: param.date(), source: param.str({ default: "web" }) }) {
  output() {
    return new MemoryTarget(`${this.source}-${this.day.toISOString().slice(0, 10)}`);
  }
}
class Report extends Step.with({ day: param.date() }) {
  requires() {
    return { web: new Extract({ day: this.day }), api: new Extract({ day: this.day, source: "api" }) };
  }
  output() {
    return new MemoryTarget(`report-${this.day.toISOString().slice(0, 10)}`);
  }
}

describe("Step", () => {
  it("computes Luigi's step id from the family and significant parameters", () => {
    expect(new MyStep({ x: 123, y: 456 }).id).toBe("MyStep_123_456_a0963984a7");
    class Hello extends Step.with({}) {}
    expect(new Hello().id).toBe("Hello__99914b932b");
  });

  it("types the constructor and fields from the schema", () => {
    const step = new Extract({ day: new Date("2026-11-20T00:00:00Z") });
    expectTypeOf(step.day).toEqualTypeOf<Date>();
    expectTypeOf(step.source).toEqualTypeOf<string>();
    expect(step.source).toBe("web");
    expect(step.family).toBe("Extract");
    expect(String(step)).toBe("Extract(day=2026-11-20, source=web)");
    // @ts-expect-error day is required
    expect(() => new Extract({})).toThrow(ParameterError);
  });

  it("returns the same instance for the same parameters", () => {
    const day = new Date("2026-11-20T00:00:00Z");
    expect(new Extract({ day })).toBe(new Extract({ day, source: "web" }));
    expect(new Extract({ day })).not.toBe(new Extract({ day, source: "api" }));
    class Noted extends Step.with({ n: param.int(), note: param.str({ significant: false, default: "" }) }) {}
    const first = new Noted({ n: 1, note: "first" });
    expect(new Noted({ n: 1, note: "second" })).toBe(first);
    expect(first.note).toBe("first");
    expect(new Extract({ day }).equals(new Extract({ day: new Date("2026-11-20T00:00:00Z") }))).toBe(true);
  });

  it("mirrors requires() in input()", () => {
    const report = new Report({ day: new Date("2026-11-20T00:00:00Z") });
    const input = report.input();
    expectTypeOf(input.web).toEqualTypeOf<MemoryTarget>();
    expect(input.web.name).toBe("web-2026-11-20");
    expect(input.api.name).toBe("api-2026-11-20");
    expect(report.dependencies().map(String)).toEqual([
      "Extract(day=2026-11-20, source=web)",
      "Extract(day=2026-11-20, source=api)",
    ]);
  });

  it("is complete when every output exists, and never without outputs", async () => {
    const report = new Report({ day: new Date("2026-11-20T00:00:00Z") });
    expect(await report.complete()).toBe(false);
    await report.output().write("x");
    expect(await report.complete()).toBe(true);
    class NoOutput extends Step.with({}) {}
    expect(await new NoOutput().complete()).toBe(false);
  });

  it("makes a WrapperStep complete when its requirements are", async () => {
    class Both extends WrapperStep.with({ day: param.date() }) {
      requires() {
        return [new Extract({ day: this.day }), new Extract({ day: this.day, source: "api" })];
      }
    }
    const both = new Both({ day: new Date("2026-11-21T00:00:00Z") });
    expect(await both.complete()).toBe(false);
    await new MemoryTarget("web-2026-11-21").write("x");
    expect(await both.complete()).toBe(false);
    await new MemoryTarget("api-2026-11-21").write("x");
    expect(await both.complete()).toBe(true);
  });

  it("names families with namespaces and explicit overrides", () => {
    class Namespaced extends Step.with({}) {
      static override stepNamespace = "sales";
    }
    class Renamed extends Step.with({}) {
      static override stepFamily = "legacy.OldName";
    }
    expect(new Namespaced().id).toBe("sales.Namespaced__99914b932b");
    expect(Renamed.family).toBe("legacy.OldName");
    new Renamed();
    expect(lookupFamily("legacy.OldName")).toBe(Renamed);
  });

  it("rejects unknown, missing and malformed parameters with errors that name them", () => {
    const make = (args: Record<string, unknown>) => () =>
      new (MyStep as unknown as new (a: unknown) => Step)(args);
    expect(make({ x: 1 })).toThrow(/MyStep: missing parameter 'y'/);
    expect(make({ x: 1, y: 2, z: 3 })).toThrow(/unknown parameter 'z'/);
    try {
      make({ x: 1, y: 2.5 })();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ParameterError);
      expect((err as ParameterError).code).toBe(ErrorCode.PARAMETER_INVALID);
      expect((err as ParameterError).message).toContain("parameter 'y' of MyStep");
    }
  });

  it("takes positional values in declaration order with of(), skipping non-positional parameters", () => {
    class Pos extends Step.with({
      a: param.int(),
      hidden: param.str({ positional: false, default: "h" }),
      b: param.str({ default: "x" }),
    }) {}
    const step = Pos.of(1, "y");
    expect(step).toBe(new Pos({ a: 1, b: "y" }));
    expect(() => Pos.of(1, "y", "z")).toThrow(/3 positional values given, at most 2 accepted \(a, b\)/);
  });

  it("refuses parameter names that Step itself uses", () => {
    expect(() => Step.with({ run: param.str() })).toThrow(StepDefinitionError);
  });

  it("takes values from --Family-param flags and [Family] config sections, constructor first", () => {
    setActiveConfig(
      LuigiConfig.fromString("[Extract]\nsource = config\n[Report]\nday = 2026-11-20\n", "cfg"),
    );
    const fromConfig = new Report({} as never);
    expect(fromConfig.day.toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(new Extract({ day: fromConfig.day }).source).toBe("config");
    setFamilyFlag("Extract", "source", "flag");
    expect(new Extract({ day: fromConfig.day }).source).toBe("flag");
    expect(new Extract({ day: fromConfig.day, source: "given" }).source).toBe("given");
    setActiveConfig(LuigiConfig.fromString("[Report]\nday = yesterday\n", "cfg"));
    expect(() => new Report({} as never)).toThrow(/\[Report\] day/);
  });

  it("keeps hidden parameters out of the id and private ones off the wire", () => {
    class Secretive extends Step.with({
      name: param.str(),
      token: param.str({ visibility: "hidden", default: "t" }),
      key: param.str({ visibility: "private", default: "k" }),
      note: param.str({ significant: false, default: "n" }),
    }) {}
    const a = new Secretive({ name: "a", token: "one" });
    const b = new Secretive({ name: "a", token: "two", note: "other" });
    expect(a.id).toBe(b.id);
    expect(a).not.toBe(b);
    expect(a.wireParams()).toEqual({
      params: { name: "a", token: "one", note: "n" },
      visibilities: { name: 0, token: 1, note: 0 },
    });
  });

  it("types steps that require their own class (a chain) without endless type recursion", () => {
    class Chain extends Step.with({ i: param.int() }) {
      requires() {
        return this.i > 0 ? [new Chain({ i: this.i - 1 })] : [];
      }
      output() {
        return new MemoryTarget(`chain-${this.i}`);
      }
    }
    const inputs = new Chain({ i: 2 }).input();
    expectTypeOf(inputs).toEqualTypeOf<MemoryTarget[]>();
    expect(inputs.map((t) => t.name)).toEqual(["chain-1"]);
  });

  it("types the parameters of every with() in a chain, not only the last one's", () => {
    class Both extends Step.with({ a: param.int() }).with({ b: param.str({ default: "b" }) }) {}
    const both = new Both({ a: 1 });
    expectTypeOf(both.a).toEqualTypeOf<number>();
    expectTypeOf(both.b).toEqualTypeOf<string>();
    expect([both.a, both.b]).toEqual([1, "b"]);
    // @ts-expect-error a, from the first with(), is required
    expect(() => new Both({ b: "x" })).toThrow(/missing parameter 'a'/);
  });

  it("treats ExternalStep as something to check, never to run", () => {
    class Drop extends ExternalStep.with({}) {}
    expect(new Drop()).toBeInstanceOf(ExternalStep);
  });
});

describe("event handlers", () => {
  class Parent extends Step.with({ n: param.int({ default: 0 }) }) {}
  class Child extends Parent {}

  it("fire for the class and its subclasses, stop when removed, and removing twice changes nothing", async () => {
    const seen: string[] = [];
    const offParent = Parent.on("success", (step) => void seen.push(`parent:${step.family}`));
    const offChild = Child.on("success", (step) => void seen.push(`child:${step.family}`));
    await new Child().fireEvent("success");
    await new Parent().fireEvent("success");
    expect(seen).toEqual(["child:Child", "parent:Child", "parent:Parent"]);

    offChild();
    offChild();
    seen.length = 0;
    await new Child().fireEvent("success");
    expect(seen).toEqual(["parent:Child"]);

    // A handler added after a double removal still fires: the count of handlers did not go wrong.
    const offAgain = Child.on("success", () => void seen.push("again"));
    seen.length = 0;
    await new Child().fireEvent("success");
    expect(seen).toEqual(["again", "parent:Child"]);
    offAgain();
    offParent();
    seen.length = 0;
    expect(await new Child().fireEvent("success")).toEqual([]);
    expect(seen).toEqual([]);
  });
});
