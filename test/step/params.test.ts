import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { ErrorCode, ParameterError } from "../../src/errors.js";
import {
  BoolParam,
  DateInterval,
  TimeDelta,
  param,
  setStepClassResolver,
  type NumericalParam,
  type OptionalParam,
  type Param,
  type PathParam,
  type ParamValue,
} from "../../src/step/params/index.js";
import { PyFloat, pyJsonDumps } from "../../src/step/pyjson.js";

/** Asserts that `fn` throws a ParameterError naming the parameter, the family and the expected form. */
function expectParamError(fn: () => unknown, p: Param<unknown>, name = "p", family = "Fam"): ParameterError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ParameterError);
  const err = caught as ParameterError;
  expect(err.code).toBe(ErrorCode.PARAMETER_INVALID);
  expect(err.message).toContain(`parameter '${name}' of ${family}`);
  expect(err.message).toContain(p.expected);
  expect(err.details).toMatchObject({ param: name, family, kind: p.kind, expected: p.expected });
  return err;
}

const parse = <T>(p: Param<T>, text: string): T => p.parse(text, "p", "Fam");
const normalize = <T>(p: Param<T>, value: unknown): T => p.normalize(value, "p", "Fam");
const roundTrip = <T>(p: Param<T>, text: string): string => p.serialize(parse(p, text));
const utc = (iso: string): Date => new Date(`${iso}Z`);

describe("common options", () => {
  it("records default, significance, positional, visibility and description", () => {
    const p = param.int({
      default: 3,
      significant: false,
      positional: false,
      visibility: "hidden",
      description: "d",
    });
    expect(p.hasDefault).toBe(true);
    expect(p.options.default).toBe(3);
    expect(p.significant).toBe(false);
    expect(p.positional).toBe(false);
    expect(p.visibility).toBe("hidden");
    expect(p.description).toBe("d");
    expect(Object.isFrozen(p.options)).toBe(true);
    const bare = param.int();
    expect([bare.hasDefault, bare.significant, bare.positional, bare.visibility]).toEqual([
      false,
      true,
      true,
      "public",
    ]);
  });

  it("types the presence of a default", () => {
    expectTypeOf(param.int()).toEqualTypeOf<Param<number, false>>();
    expectTypeOf(param.int({ default: 3 })).toEqualTypeOf<Param<number, true>>();
    expectTypeOf(param.str({ description: "x" })).toEqualTypeOf<Param<string, false>>();
    expectTypeOf(param.bool()).toEqualTypeOf<Param<boolean, true>>();
    expectTypeOf(param.date()).toEqualTypeOf<Param<Date, false>>();
    expectTypeOf(param.date({ interval: 7, default: new Date(0) })).toEqualTypeOf<Param<Date, true>>();
    expectTypeOf(param.optional(param.int())).toEqualTypeOf<Param<number | null, true>>();
    expectTypeOf(param.choice(["a", "b"] as const)).toEqualTypeOf<Param<"a" | "b", false>>();
    expectTypeOf(param.choice(["a", "b"], { default: "a" })).toEqualTypeOf<Param<"a" | "b", true>>();
    expectTypeOf(param.choice([1, 2, "x"])).toEqualTypeOf<Param<1 | 2 | "x", false>>();
    expectTypeOf(param.enum(["red", "green"])).toEqualTypeOf<Param<"red" | "green", false>>();
    expectTypeOf(param.list<number>()).toEqualTypeOf<Param<readonly number[], false>>();
    expectTypeOf<ParamValue<ReturnType<typeof param.timeDelta>>>().toEqualTypeOf<TimeDelta>();
    const options: { default?: number } = {};
    expectTypeOf(param.int(options)).toEqualTypeOf<Param<number, boolean>>();
    // @ts-expect-error the default must have the parameter's type
    param.int({ default: "3" });
    // @ts-expect-error only listed choices are valid defaults
    param.choice(["a", "b"], { default: "c" });
  });

  it("equals compares serialisations", () => {
    const p = param.date();
    expect(p.equals(utc("2024-01-15T10:00:00"), utc("2024-01-15T00:00:00"))).toBe(true);
    expect(p.equals(utc("2024-01-15T00:00:00"), utc("2024-01-16T00:00:00"))).toBe(false);
  });

  it("names the family only when given", () => {
    const p = param.int();
    expect(() => p.parse("x", "count")).toThrow(
      /^parameter 'count': cannot parse "x": not an integer \(expected int: an integer\)$/,
    );
  });
});

describe("str", () => {
  const p = param.str();
  it("parses and serialises any text unchanged", () => {
    for (const text of ["", "hello", "é 😀", " spaced "]) expect(roundTrip(p, text)).toBe(text);
  });
  it("normalises strings and rejects other types", () => {
    expect(normalize(p, "x")).toBe("x");
    expectParamError(() => normalize(p, 5), p);
  });
});

describe("int", () => {
  const p = param.int();
  it.each([
    ["42", 42],
    ["-7", -7],
    ["+5", 5],
    [" 12 ", 12],
    ["1_000", 1000],
    ["007", 7],
    ["-0", 0],
  ])("parses %j as Python's int() does", (text, value) => {
    expect(parse(p, text)).toBe(value);
  });
  it.each(["1.5", "12abc", "", "1e3", "0x10", "1__0", "_1", "9007199254740993"])("rejects %j", (text) => {
    expectParamError(() => parse(p, text), p);
  });
  it("serialises as a decimal and round-trips", () => {
    expect(p.serialize(-12)).toBe("-12");
    expect(roundTrip(p, "0042")).toBe("42");
  });
  it("normalises integers only", () => {
    expect(normalize(p, 3)).toBe(3);
    expectParamError(() => normalize(p, 1.5), p);
    expectParamError(() => normalize(p, "3"), p);
    expectParamError(() => normalize(p, NaN), p);
  });
  it("enumerates by one", () => {
    expect(p.nextInEnumeration(4)).toBe(5);
  });
});

describe("float", () => {
  const p = param.float();
  it.each([
    ["1", 1, "1.0"],
    ["1.5", 1.5, "1.5"],
    ["1e3", 1000, "1000.0"],
    [".5", 0.5, "0.5"],
    ["5.", 5, "5.0"],
    ["-2.5E-7", -2.5e-7, "-2.5e-07"],
    ["1_000.25", 1000.25, "1000.25"],
    ["inf", Infinity, "inf"],
    ["-Infinity", -Infinity, "-inf"],
    ["NaN", NaN, "nan"],
    ["1e16", 1e16, "1e+16"],
    ["0.0001", 0.0001, "0.0001"],
    ["0.00001", 0.00001, "1e-05"],
  ])("parses %j and serialises it as Python's repr", (text, value, serialised) => {
    expect(parse(p, text)).toBe(value);
    expect(roundTrip(p, text)).toBe(serialised);
  });
  it.each(["abc", "", "1.2.3", "e5", "--1", "infinit"])("rejects %j", (text) => {
    expectParamError(() => parse(p, text), p);
  });
  it("normalises numbers, writing integral ones as floats", () => {
    expect(p.serialize(normalize(p, 2))).toBe("2.0");
    expectParamError(() => normalize(p, "2"), p);
  });
});

describe("bool", () => {
  const p = param.bool();
  it("parses true/false in any case and serialises as Python's True/False", () => {
    expect(parse(p, "true")).toBe(true);
    expect(parse(p, "FALSE")).toBe(false);
    expect(parse(p, "True")).toBe(true);
    expect(roundTrip(p, "tRuE")).toBe("True");
    expect(roundTrip(p, "false")).toBe("False");
  });
  it("rejects anything else", () => {
    for (const text of ["yes", "1", "", "t"]) expectParamError(() => parse(p, text), p);
    expectParamError(() => normalize(p, 1), p);
  });
  it("normalises booleans and the strings true/false", () => {
    expect(normalize(p, true)).toBe(true);
    expect(normalize(p, "False")).toBe(false);
  });
  it("defaults to false unless told otherwise, and keeps its parsing mode", () => {
    expect(p.hasDefault).toBe(true);
    expect(p.options.default).toBe(false);
    expect(param.bool({ default: true }).options.default).toBe(true);
    expect((p as BoolParam).parsing).toBe("implicit");
    expect((param.bool({ parsing: "explicit" }) as BoolParam).parsing).toBe("explicit");
  });
});

describe("numerical", () => {
  const ints = param.numerical({ varType: "int", min: 0, max: 10 });
  const floats = param.numerical({ varType: "float", min: 0, max: 1, leftOp: "<", rightOp: "<=" });
  it("accepts values in range, [min, max) by default", () => {
    expect(parse(ints, "0")).toBe(0);
    expect(parse(ints, "9")).toBe(9);
    expect(roundTrip(floats, "1")).toBe("1.0");
    expect(roundTrip(floats, "0.25")).toBe("0.25");
  });
  it("rejects values out of range or of the wrong type, saying the range", () => {
    const err = expectParamError(() => parse(ints, "10"), ints);
    expect(err.message).toContain("10 is not in [0, 10)");
    expectParamError(() => parse(ints, "1.5"), ints);
    expectParamError(() => parse(floats, "0"), floats);
    expectParamError(() => normalize(ints, -1), ints);
    expect(ints.expected).toBe("an integer in [0, 10)");
    expect(floats.expected).toBe("a number in (0.0, 1.0]");
  });
  it("adds the range to the description, as Luigi does", () => {
    expect(ints.description).toBe("permitted values: int in [0, 10)");
    const described = param.numerical({
      varType: "int",
      min: 1,
      max: 5,
      rightOp: "<=",
      description: "Level.",
    });
    expect(described.description).toBe("Level. permitted values: int in [1, 5]");
    expect((described as NumericalParam).max).toBe(5);
  });
});

describe("date kinds", () => {
  it("date: YYYY-MM-DD at UTC midnight", () => {
    const p = param.date();
    expect(parse(p, "2024-01-15")).toEqual(utc("2024-01-15T00:00:00"));
    expect(roundTrip(p, "2024-01-15")).toBe("2024-01-15");
    expect(roundTrip(p, "2013-7-1")).toBe("2013-07-01"); // Python's strptime is this lenient
    expect(p.nextInEnumeration(utc("2024-02-28T00:00:00"))).toEqual(utc("2024-02-29T00:00:00"));
    for (const bad of ["2024-02-30", "2024-13-01", "20240115", "2024-01-15T10", "0000-01-01", ""]) {
      expectParamError(() => parse(p, bad), p);
    }
    expect(p.expected).toBe("YYYY-MM-DD");
  });

  it("date: normalises Dates and ISO strings, dropping the time of day (UTC)", () => {
    const p = param.date();
    expect(normalize(p, utc("2024-01-15T23:59:59"))).toEqual(utc("2024-01-15T00:00:00"));
    expect(normalize(p, "2024-01-15")).toEqual(utc("2024-01-15T00:00:00"));
    expect(normalize(p, "2024-01-15T22:30:00-03:00")).toEqual(utc("2024-01-16T00:00:00"));
    expect(normalize(p, "2024-01-15T10:00")).toEqual(utc("2024-01-15T00:00:00")); // zone-less = UTC
    expectParamError(() => normalize(p, new Date(NaN)), p);
    expectParamError(() => normalize(p, 1705276800000), p);
    expectParamError(() => normalize(p, "yesterday"), p);
  });

  it("date: returns a copy, not the caller's Date", () => {
    const given = utc("2024-01-15T00:00:00");
    expect(normalize(param.date(), given)).not.toBe(given);
  });

  it("date: clamps down onto start + k * interval days", () => {
    const weekly = param.date({ interval: 7 });
    expect(weekly.serialize(parse(weekly, "2024-01-15"))).toBe("2024-01-11"); // epoch was a Thursday
    const fromMonday = param.date({ interval: 7, start: "2024-01-01" });
    expect(fromMonday.serialize(normalize(fromMonday, "2024-01-17"))).toBe("2024-01-15");
    expect(fromMonday.serialize(normalize(fromMonday, "2023-12-31"))).toBe("2023-12-25");
    expect(weekly.nextInEnumeration(utc("2024-01-11T00:00:00"))).toEqual(utc("2024-01-18T00:00:00"));
    expect(() => param.date({ interval: 0 })).toThrow(RangeError);
  });

  it("month: YYYY-MM, first of the month, interval in months", () => {
    const p = param.month();
    expect(parse(p, "2024-05")).toEqual(utc("2024-05-01T00:00:00"));
    expect(p.serialize(normalize(p, "2024-05-20"))).toBe("2024-05");
    expect(normalize(p, utc("2024-05-20T10:00:00"))).toEqual(utc("2024-05-01T00:00:00"));
    const quarterly = param.month({ interval: 3 });
    expect(quarterly.serialize(normalize(quarterly, "2024-05-20"))).toBe("2024-04");
    expect(p.nextInEnumeration(utc("2024-12-01T00:00:00"))).toEqual(utc("2025-01-01T00:00:00"));
    expectParamError(() => parse(p, "2024-05-01"), p);
    expectParamError(() => parse(p, "2024-13"), p);
    expect(p.expected).toBe("YYYY-MM");
  });

  it("year: YYYY, Jan 1", () => {
    const p = param.year();
    expect(parse(p, "2024")).toEqual(utc("2024-01-01T00:00:00"));
    expect(p.serialize(normalize(p, utc("2024-07-04T12:00:00")))).toBe("2024");
    const decade = param.year({ interval: 10 });
    expect(decade.serialize(normalize(decade, "2024-07-04"))).toBe("2020");
    expect(p.nextInEnumeration(utc("2024-01-01T00:00:00"))).toEqual(utc("2025-01-01T00:00:00"));
    expectParamError(() => parse(p, "24"), p);
    expect(p.expected).toBe("YYYY");
  });

  it("dateHour: YYYY-MM-DDTHH, minutes dropped, interval in hours", () => {
    const p = param.dateHour();
    expect(parse(p, "2013-07-10T19")).toEqual(utc("2013-07-10T19:00:00"));
    expect(roundTrip(p, "2013-07-10t19")).toBe("2013-07-10T19");
    expect(p.serialize(normalize(p, utc("2024-01-15T17:45:12.500")))).toBe("2024-01-15T17");
    const sixHourly = param.dateHour({ interval: 6 });
    expect(sixHourly.serialize(normalize(sixHourly, "2024-01-15T17:45:12"))).toBe("2024-01-15T12");
    expect(p.nextInEnumeration(utc("2024-01-15T23:00:00"))).toEqual(utc("2024-01-16T00:00:00"));
    expectParamError(() => parse(p, "2013-07-10"), p);
    expectParamError(() => parse(p, "2013-07-10T24"), p);
    expect(p.expected).toBe("YYYY-MM-DDTHH");
  });

  it("dateMinute: YYYY-MM-DDTHHMM, also the deprecated 2013-07-10T19H07", () => {
    const p = param.dateMinute();
    expect(parse(p, "2013-07-10T1907")).toEqual(utc("2013-07-10T19:07:00"));
    expect(parse(p, "2013-07-10T19H07")).toEqual(utc("2013-07-10T19:07:00"));
    expect(roundTrip(p, "2013-07-10T19H07")).toBe("2013-07-10T1907");
    const quarterHourly = param.dateMinute({ interval: 15 });
    expect(quarterHourly.serialize(normalize(quarterHourly, "2024-01-15T17:47:12Z"))).toBe("2024-01-15T1745");
    expectParamError(() => parse(p, "2013-07-10T19:07"), p);
    expect(p.expected).toBe("YYYY-MM-DDTHHMM");
  });

  it("dateSecond: YYYY-MM-DDTHHMMSS, milliseconds dropped", () => {
    const p = param.dateSecond();
    expect(parse(p, "2013-07-10T190738")).toEqual(utc("2013-07-10T19:07:38"));
    expect(roundTrip(p, "2013-07-10T190738")).toBe("2013-07-10T190738");
    expect(normalize(p, utc("2013-07-10T19:07:38.999"))).toEqual(utc("2013-07-10T19:07:38"));
    expect(p.nextInEnumeration(utc("2013-07-10T19:07:59"))).toEqual(utc("2013-07-10T19:08:00"));
    expectParamError(() => parse(p, "2013-07-10T190760"), p);
    expect(p.expected).toBe("YYYY-MM-DDTHHMMSS");
  });

  it("own text forms are accepted in code too", () => {
    expect(normalize(param.dateHour(), "2013-07-10T19")).toEqual(utc("2013-07-10T19:00:00"));
    expect(normalize(param.month(), "2013-07")).toEqual(utc("2013-07-01T00:00:00"));
  });
});

describe("dateInterval", () => {
  const p = param.dateInterval();
  it.each([
    ["2015", "year", "2015-01-01", "2016-01-01"],
    ["2015-05", "month", "2015-05-01", "2015-06-01"],
    ["2015-12", "month", "2015-12-01", "2016-01-01"],
    ["2015-W35", "week", "2015-08-24", "2015-08-31"],
    ["2020-W53", "week", "2020-12-28", "2021-01-04"],
    ["2015-11-04", "date", "2015-11-04", "2015-11-05"],
    ["2015-11-04-2015-12-04", "custom", "2015-11-04", "2015-12-04"],
  ])("parses %s as a %s interval", (text, kind, start, end) => {
    const value = parse(p, text);
    expect(value.kind).toBe(kind);
    expect(value.start).toEqual(utc(`${start}T00:00:00`));
    expect(value.end).toEqual(utc(`${end}T00:00:00`));
    expect(p.serialize(value)).toBe(text);
  });

  it("lists its days and hours", () => {
    const week = DateInterval.parse("2015-W35");
    expect(week.dates().map((d) => d.toISOString().slice(0, 10))).toEqual([
      "2015-08-24",
      "2015-08-25",
      "2015-08-26",
      "2015-08-27",
      "2015-08-28",
      "2015-08-29",
      "2015-08-30",
    ]);
    expect(DateInterval.parse("2015-11-04").hours()).toHaveLength(24);
    expect(week.contains(utc("2015-08-30T23:00:00"))).toBe(true);
    expect(week.contains(utc("2015-08-31T00:00:00"))).toBe(false);
  });

  it("steps to the previous and next interval of the same kind", () => {
    expect(DateInterval.parse("2015").prev().toString()).toBe("2014");
    expect(DateInterval.parse("2015-01").prev().toString()).toBe("2014-12");
    expect(DateInterval.parse("2015-12").next().toString()).toBe("2016-01");
    expect(DateInterval.parse("2015-W01").prev().toString()).toBe("2014-W52");
    expect(DateInterval.parse("2020-W53").next().toString()).toBe("2021-W01");
    expect(DateInterval.parse("2016-03-01").prev().toString()).toBe("2016-02-29");
    expect(DateInterval.parse("2015-11-04-2015-11-06").next().toString()).toBe("2015-11-06-2015-11-08");
    expect(DateInterval.parse("2015-11-04-2015-11-06").prev().toString()).toBe("2015-11-02-2015-11-04");
  });

  it("is an immutable value", () => {
    const v = DateInterval.year(2015);
    expect(Object.isFrozen(v)).toBe(true);
    v.start.setUTCFullYear(1999);
    expect(v.toString()).toBe("2015");
    expect(v.equals(DateInterval.parse("2015"))).toBe(true);
    expect(v.equals(DateInterval.parse("2015-01-01-2016-01-01"))).toBe(false);
  });

  it("normalises intervals and their text", () => {
    const v = DateInterval.month(2015, 5);
    expect(normalize(p, v)).toBe(v);
    expect(normalize(p, "2015-05").equals(v)).toBe(true);
    expectParamError(() => normalize(p, utc("2015-05-01T00:00:00")), p);
  });

  it.each(["2015-W54", "2015-W00", "2015-13", "2015-02-30", "15", "2015-11-04-2015-11-04", "2015/05"])(
    "rejects %j",
    (text) => {
      expectParamError(() => parse(p, text), p);
    },
  );
});

describe("timeDelta", () => {
  const p = param.timeDelta();
  it.each([
    ["5", "0 w 0 d 0 h 0 m 5 s"],
    ["90061.5", "0 w 1 d 1 h 1 m 1 s"],
    ["1 w 2 d 3 h 4 m 5 s", "1 w 2 d 3 h 4 m 5 s"],
    ["1w2d3h4m5s", "1 w 2 d 3 h 4 m 5 s"],
    ["2 weeks 1 day 3 hours 1 minute 10 seconds", "2 w 1 d 3 h 1 m 10 s"],
    ["3 hours", "0 w 0 d 3 h 0 m 0 s"],
    ["26 h", "0 w 1 d 2 h 0 m 0 s"],
    ["P1DT2H", "0 w 1 d 2 h 0 m 0 s"],
    ["P2W", "2 w 0 d 0 h 0 m 0 s"],
    ["PT90M", "0 w 0 d 1 h 30 m 0 s"],
    ["P10D", "1 w 3 d 0 h 0 m 0 s"],
    ["-5", "-1 w 6 d 23 h 59 m 55 s"], // Python's normalised negative timedelta
  ])("parses %j", (text, serialised) => {
    expect(roundTrip(p, text)).toBe(serialised);
  });

  it("round-trips its own serialisation", () => {
    expect(roundTrip(p, "1 w 2 d 3 h 4 m 5 s")).toBe("1 w 2 d 3 h 4 m 5 s");
    expect(parse(p, "0 w 1 d 2 h 0 m 0 s").totalSeconds).toBe(93600);
  });

  it.each(["", "P", "PT", "abc", "1 w garbage", "1 y", "inf", "P1W2D", "2 d 1 w"])("rejects %j", (text) => {
    expectParamError(() => parse(p, text), p);
  });

  it("normalises TimeDelta values, parts objects and text, but not bare numbers", () => {
    const td = TimeDelta.of({ hours: 2 });
    expect(normalize(p, td)).toBe(td);
    expect(normalize(p, { minutes: 90 }).totalSeconds).toBe(5400);
    expect(normalize(p, "PT1H").equals(TimeDelta.fromSeconds(3600))).toBe(true);
    expectParamError(() => normalize(p, 5000), p);
    expectParamError(() => normalize(p, { hours: "2" }), p);
    expectParamError(() => normalize(p, { years: 1 }), p);
  });

  it("is a frozen value with Python's fields", () => {
    const td = TimeDelta.fromMilliseconds(90_061_500);
    expect(Object.isFrozen(td)).toBe(true);
    expect([td.days, td.seconds, td.microseconds]).toEqual([1, 3661, 500_000]);
    expect(td.totalSeconds).toBe(90061.5);
    expect(td.totalMilliseconds).toBe(90_061_500);
    expect(TimeDelta.fromSeconds(-1).days).toBe(-1);
    expect(String(TimeDelta.of({ weeks: 1, days: 1 }))).toBe("1 w 1 d 0 h 0 m 0 s");
  });
});

describe("enum", () => {
  enum Color {
    Red = "red",
    Green = "green",
  }
  const p = param.enum(Color);
  it("parses member names and serialises values back to names, as Luigi", () => {
    expect(parse(p, "Red")).toBe(Color.Red);
    expect(p.serialize(Color.Green)).toBe("Green");
    expect(roundTrip(p, "Green")).toBe("Green");
    expectTypeOf(parse(p, "Red")).toEqualTypeOf<Color>();
  });
  it("also accepts a member's value", () => {
    expect(parse(p, "red")).toBe(Color.Red);
  });
  it("rejects non-members, listing the names", () => {
    const err = expectParamError(() => parse(p, "Blue"), p);
    expect(err.message).toContain("one of Red, Green");
    expectParamError(() => normalize(p, "Red"), p); // code gives values, not names
    expect(normalize(p, Color.Red)).toBe("red");
  });
  it("works with a plain list of names", () => {
    const q = param.enum(["low", "high"], { default: "low" });
    expect(roundTrip(q, "high")).toBe("high");
    expectParamError(() => parse(q, "mid"), q);
    expect(q.expected).toBe("one of low, high");
  });
});

describe("choice", () => {
  const p = param.choice(["a", "b", "c"]);
  it("accepts only the choices", () => {
    expect(roundTrip(p, "b")).toBe("b");
    expect(normalize(p, "c")).toBe("c");
    const err = expectParamError(() => parse(p, "d"), p);
    expect(err.message).toContain("one of a, b, c");
    expectParamError(() => normalize(p, "A"), p);
  });
  it("converts text to numbers for numeric choices", () => {
    const n = param.choice([1, 2, 2.5]);
    expect(parse(n, "2")).toBe(2);
    expect(parse(n, "02")).toBe(2);
    expect(parse(n, "2.5")).toBe(2.5);
    expect(parse(n, "2.0")).toBe(2);
    expect(n.serialize(2.5)).toBe("2.5");
    expect(n.serialize(1)).toBe("1");
    expectParamError(() => parse(n, "3"), n);
    expectParamError(() => normalize(n, "1"), n);
  });
  it("adds the choices to the description, as Luigi does", () => {
    expect(p.description).toBe("Choices: {a, b, c}");
    expect(param.choice(["x"], { description: "Mode." }).description).toBe("Mode. Choices: {x}");
  });
});

describe("list", () => {
  const p = param.list();
  it("parses JSON arrays and serialises with Python's separators", () => {
    expect(parse(p, "[1,2,3]")).toEqual([1, 2, 3]);
    expect(roundTrip(p, '[1,"a",{"b":null}]')).toBe('[1, "a", {"b": null}]');
    expect(roundTrip(p, "[1.0, 2, 1e5]")).toBe("[1.0, 2, 100000.0]");
    expect(roundTrip(p, '["é😀"]')).toBe('["\\u00e9\\ud83d\\ude00"]');
    expect(roundTrip(p, "[]")).toBe("[]");
  });
  it("iterates strings and objects like Python's list()", () => {
    expect(parse(p, '"ab"')).toEqual(["a", "b"]);
    expect(parse(p, '{"k": 1, "j": 2}')).toEqual(["k", "j"]);
  });
  it("rejects non-JSON and scalars", () => {
    for (const text of ["[1,", "1", "null", "(1, 2)"]) expectParamError(() => parse(p, text), p);
    expectParamError(() => normalize(p, { a: 1 }), p);
    expectParamError(() => normalize(p, [undefined]), p);
  });
  it("freezes values deeply, and copies code values", () => {
    const parsed = parse(p, '[[1], {"a": [2]}]');
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed[0])).toBe(true);
    expect(Object.isFrozen((parsed[1] as { a: unknown }).a)).toBe(true);
    const given = [1, [2]];
    const normalized = normalize(p, given);
    expect(normalized).toEqual(given);
    expect(Object.isFrozen(normalized[1])).toBe(true);
    expect(Object.isFrozen(given)).toBe(false);
    expect(() => (normalized as unknown[]).push(3)).toThrow(TypeError);
    expect(p.serialize(normalize(p, [new PyFloat(1), 1]))).toBe("[1.0, 1]");
  });
  it("keeps the same frozen value when normalised again", () => {
    const parsed = parse(p, "[1.0]");
    expect(normalize(p, parsed)).toBe(parsed);
    expect(p.serialize(normalize(p, parsed))).toBe("[1.0]");
  });
});

describe("tuple", () => {
  const p = param.tuple();
  it("parses a JSON array of arrays", () => {
    expect(parse(p, "[[1, 2], [3, 4]]")).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(roundTrip(p, "[[1,2],[3,4]]")).toBe("[[1, 2], [3, 4]]");
    expect(roundTrip(p, '["ab", {"k": 1, "j": 2}, [1.0]]')).toBe('[["a", "b"], ["k", "j"], [1.0]]');
  });
  it("parses Python tuple literals", () => {
    expect(roundTrip(p, "((1,2),(3,4))")).toBe("[[1, 2], [3, 4]]");
    expect(roundTrip(p, "[1, 2]")).toBe("[1, 2]");
    expect(roundTrip(p, "(1,)")).toBe("[1]");
    expect(roundTrip(p, "()")).toBe("[]");
    expect(roundTrip(p, "(1.0, 'a\\n', -2, [True, None], {1: 2.5})")).toBe(
      '[1.0, "a\\n", -2, [true, null], {"1": 2.5}]',
    );
    expect(roundTrip(p, "('x' \"y\", r'a\\b', 0x1F, 1_000, -1e-5)")).toBe(
      '["xy", "a\\\\b", 31, 1000, -1e-05]',
    );
  });
  it("rejects what is neither", () => {
    for (const text of ["((1,2)", "1", "(1, foo)", "{1, 2}", "[1, true]", "(1 2)", "'''a'''", "(01,)"]) {
      expectParamError(() => parse(p, text), p);
    }
  });
  it("freezes values deeply", () => {
    const value = parse(p, "((1,2),(3,4))");
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value[0])).toBe(true);
    expect(Object.isFrozen(normalize(p, [[1, 2]])[0])).toBe(true);
    expectParamError(() => normalize(p, "((1,2),)"), p);
  });
});

describe("dict", () => {
  const p = param.dict();
  it("parses JSON objects, keeping key order and float-ness", () => {
    expect(parse(p, '{"b": 1, "a": 2}')).toEqual({ b: 1, a: 2 });
    expect(roundTrip(p, '{"b":1,"a":[1,2]}')).toBe('{"b": 1, "a": [1, 2]}');
    expect(roundTrip(p, '{"z": 1.0, "10": 2, "2": 3}')).toBe('{"z": 1.0, "10": 2, "2": 3}');
    expect(roundTrip(p, '{"k": "v\\u007f/"}')).toBe('{"k": "v\\u007f/"}');
  });
  it("rejects non-objects", () => {
    for (const text of ["[1]", "1", "null", "{'a': 1}", ""]) expectParamError(() => parse(p, text), p);
    expectParamError(() => normalize(p, [1]), p);
    expectParamError(() => normalize(p, new Map()), p);
    expectParamError(() => normalize(p, { d: new Date(0) }), p);
  });
  it("freezes values deeply and copies code values", () => {
    const value = parse(p, '{"a": {"b": [1]}}');
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen((value.a as { b: unknown }).b)).toBe(true);
    const given = { x: { y: 1 } };
    const normalized = normalize(p, given);
    expect(Object.isFrozen(normalized.x)).toBe(true);
    expect(Object.isFrozen(given.x)).toBe(false);
    expect(p.serialize(normalized)).toBe('{"x": {"y": 1}}');
    expect(pyJsonDumps(normalize(p, { f: new PyFloat(3) }))).toBe('{"f": 3.0}');
  });
});

describe("path", () => {
  const dir = mkdtempSync(join(tmpdir(), "luigi-ts-path-"));
  const file = join(dir, "here.txt");
  writeFileSync(file, "x");

  it("normalises like Python's pathlib", () => {
    const p = param.path();
    expect(roundTrip(p, "a//b/./c/")).toBe("a/b/c");
    expect(roundTrip(p, "./..//a")).toBe("../a");
    expect(roundTrip(p, "")).toBe(".");
    expect(roundTrip(p, "//x/y")).toBe("//x/y");
    expect(roundTrip(p, "///x")).toBe("/x");
    expect(normalize(p, "/tmp/")).toBe("/tmp");
    expectParamError(() => normalize(p, 5), p);
  });
  it("makes paths absolute on request", () => {
    const p = param.path({ absolute: true });
    expect(parse(p, "a/./b")).toBe(`${process.cwd()}/a/b`);
    expect(parse(p, "/x/../y")).toBe("/x/../y");
    expect((p as PathParam).absolute).toBe(true);
  });
  it("checks existence on request", () => {
    const p = param.path({ exists: true });
    expect(parse(p, file)).toBe(file);
    const err = expectParamError(() => parse(p, join(dir, "missing.txt")), p);
    expect(err.message).toContain("does not exist");
  });
});

describe("step", () => {
  class Extract {
    static readonly family = "Extract";
  }
  class Load {
    static readonly family = "etl.Load";
  }
  const registry = new Map<string, unknown>([
    ["Extract", Extract],
    ["etl.Load", Load],
  ]);

  afterEach(() => setStepClassResolver(undefined));

  it("parses a family name through the registry and serialises the family", () => {
    setStepClassResolver((family) => registry.get(family));
    const p = param.step();
    expect(parse(p, "etl.Load")).toBe(Load);
    expect(p.serialize(Extract)).toBe("Extract");
    expect(roundTrip(p, "Extract")).toBe("Extract");
    expect(normalize(p, Load)).toBe(Load);
    expect(normalize(p, "Extract")).toBe(Extract);
  });
  it("rejects unknown families and non-classes", () => {
    setStepClassResolver((family) => registry.get(family));
    const p = param.step();
    expectParamError(() => parse(p, "Nope"), p);
    expectParamError(() => normalize(p, class NoFamily {}), p);
    expectParamError(() => normalize(p, 3), p);
  });
  it("passes on the registry's own error", () => {
    setStepClassResolver((family) => {
      throw new Error(`${family} is ambiguous`);
    });
    const err = expectParamError(() => parse(param.step(), "Extract"), param.step());
    expect(err.message).toContain("Extract is ambiguous");
  });
  it("says so when no registry is installed", () => {
    const p = param.step();
    const err = expectParamError(() => parse(p, "Extract"), p);
    expect(err.message).toContain("no step registry");
  });
});

describe("optional", () => {
  it("maps the empty string to null and back, for every kind", () => {
    const kinds: Param<unknown>[] = [
      param.str(),
      param.int(),
      param.float(),
      param.bool(),
      param.date(),
      param.month(),
      param.year(),
      param.dateHour(),
      param.dateMinute(),
      param.dateSecond(),
      param.dateInterval(),
      param.timeDelta(),
      param.enum(["a"]),
      param.choice(["a"]),
      param.list(),
      param.tuple(),
      param.dict(),
      param.path(),
      param.step(),
      param.numerical({ varType: "int", min: 0, max: 1 }),
    ];
    for (const kind of kinds) {
      const p = param.optional(kind);
      expect(parse(p, "")).toBeNull();
      expect(p.serialize(null)).toBe("");
      expect(normalize(p, null)).toBeNull();
      expect(p.hasDefault).toBe(true);
      // bool keeps its implicit false default, as Luigi's OptionalBoolParameter (and so the same step id)
      expect(p.options.default).toBe(kind instanceof BoolParam ? false : null);
      expect(p.kind).toBe(kind.kind);
    }
  });

  it("delegates other values to the inner kind, with one clean error", () => {
    const p = param.optional(param.int());
    expect(parse(p, "7")).toBe(7);
    expect(p.serialize(7)).toBe("7");
    expect(normalize(p, 7)).toBe(7);
    const err = expectParamError(() => parse(p, "x"), p);
    expect(err.message).toBe(
      `parameter 'p' of Fam: cannot parse "x": not an integer (expected int: an integer, or an empty value for none)`,
    );
    expectParamError(() => normalize(p, "7"), p);
    expect(p.nextInEnumeration(7)).toBe(8);
    expect(p.nextInEnumeration(null)).toBeNull();
  });

  it("keeps the inner default and options", () => {
    const p = param.optional(
      param.date({ default: utc("2024-01-01T00:00:00"), description: "Day.", interval: 7 }),
    );
    expect(p.options.default).toEqual(utc("2024-01-01T00:00:00"));
    expect(p.description).toBe("Day.");
    expect(p.serialize(parse(p, "2024-01-15"))).toBe("2024-01-11");
    expect((p as OptionalParam<Date>).inner.kind).toBe("date");
    const dicts = param.optional(param.dict());
    expect(Object.isFrozen(parse(dicts, '{"a": [1]}'))).toBe(true);
  });
});
