/**
 * The method table (src/scheduler/methods.ts) and the RPC schemas keyed like it (src/rpc/methods.ts):
 * their types agree with SchedulerApi, and every member goes over real HTTP from a RemoteScheduler to
 * the member of that name on the server's scheduler.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from "vitest";
import { RemoteScheduler } from "../../src/rpc/client.js";
import { ARG_SCHEMAS, MUTATING_METHODS, RPC_METHODS } from "../../src/rpc/methods.js";
import type {
  AddTaskArgs,
  NoArgs,
  SchedulerApi,
  StatusChange,
  StepPage,
  StepPageArgs,
  TaskIdArgs,
} from "../../src/scheduler/api.js";
import { LocalScheduler } from "../../src/scheduler/local.js";
import { SCHEDULER_METHODS } from "../../src/scheduler/methods.js";
import type { MutatingWireName, SchedulerMethod, WireCalls, WireName } from "../../src/scheduler/methods.js";
import { callSample, SAMPLE_CALLS, SAMPLE_ORDER } from "../helpers/scheduler-calls.js";
import { startServer } from "./helpers.js";
import type { TestServer } from "./helpers.js";

/** `true`, or the members at fault: a failing check names them in the compile error. */
type NoneOf<M> = [M] extends [never] ? true : M;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Table = typeof SCHEDULER_METHODS;
/** The member's first parameter as SchedulerApi declares it, `{}` when it has none. */
type DeclaredArgs<K extends SchedulerMethod> =
  Parameters<SchedulerApi[K]> extends [] ? NoArgs : NonNullable<Parameters<SchedulerApi[K]>[0]>;
type DeclaredAnswer<K extends SchedulerMethod> = Awaited<ReturnType<SchedulerApi[K]>>;

/** Members whose entry in WireCalls (found by its wire name) is not the member's own arguments and answer. */
type WireMismatches = {
  [K in SchedulerMethod]: Equal<
    WireCalls[Table[K]["name"]],
    { args: DeclaredArgs<K>; answer: DeclaredAnswer<K> }
  > extends true
    ? never
    : K;
}[SchedulerMethod];

type Schema<K extends SchedulerMethod> = (typeof ARG_SCHEMAS)[K];
type ArgNames<K extends SchedulerMethod> = keyof DeclaredArgs<K>;
type RequiredNames<A> = { [P in keyof A]-?: object extends Pick<A, P> ? never : P }[keyof A];
/**
 * Members whose schema does not list exactly the declared arguments, or requires one the declaration
 * makes optional (a call the types allow would be refused). Arguments declared as an index signature
 * (`update_resources(**resources)`, `graph(**kwargs)`) have no fixed names to compare.
 */
type SchemaMismatches = {
  [K in SchedulerMethod]: string extends ArgNames<K>
    ? never
    : Equal<keyof Schema<K>["properties"], ArgNames<K>> extends true
      ? [Schema<K>["required"][number]] extends [RequiredNames<DeclaredArgs<K>>]
        ? never
        : K
      : K;
}[SchedulerMethod];

describe("the method table's types", () => {
  test("each wire name carries its SchedulerApi member's arguments and answer", () => {
    const wireFits: NoneOf<WireMismatches> = true;
    expect(wireFits).toBe(true);
    expectTypeOf<WireCalls["add_task"]["args"]>().toEqualTypeOf<AddTaskArgs>();
    expectTypeOf<WireCalls["mark_as_done"]>().toEqualTypeOf<{ args: TaskIdArgs; answer: StatusChange }>();
    expectTypeOf<WireCalls["step_page"]>().toEqualTypeOf<{ args: StepPageArgs; answer: StepPage }>();
    expectTypeOf<WireCalls["pause"]["args"]>().toEqualTypeOf<NoArgs>();
    expectTypeOf<WireName>().toEqualTypeOf<keyof WireCalls>();
    // @ts-expect-error a misspelt argument
    const misspelt: WireCalls["fetch_error"]["args"] = { taskid: "A" };
    // @ts-expect-error a method without arguments takes none
    const extra: WireCalls["is_paused"]["args"] = { now: true };
    expect([misspelt, extra]).toHaveLength(2);
  });

  test("each argument schema names exactly the member's declared arguments", () => {
    const schemasFit: NoneOf<SchemaMismatches> = true;
    expect(schemasFit).toBe(true);
  });

  test("the table is keyed by SchedulerApi member: a missing or unknown entry does not compile", () => {
    // @ts-expect-error not a SchedulerApi member
    const unknown: SchedulerMethod = "addTaskz";
    expect(unknown).toBe("addTaskz");
    expectTypeOf<keyof Table>().toEqualTypeOf<keyof SchedulerApi>();
    expectTypeOf<keyof typeof ARG_SCHEMAS>().toEqualTypeOf<keyof SchedulerApi>();
  });
});

describe("the RPC table", () => {
  test("one Luigi name per member, the member in snake_case, each with its schema and flags", () => {
    const members = Object.keys(SCHEDULER_METHODS) as SchedulerMethod[];
    expect(RPC_METHODS.size).toBe(members.length);
    for (const member of members) {
      const info = SCHEDULER_METHODS[member];
      expect(info.name).toBe(member.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
      expect(RPC_METHODS.get(info.name)).toEqual({ ...info, call: member, args: ARG_SCHEMAS[member] });
      expect(MUTATING_METHODS.has(info.name)).toBe(info.mutating);
    }
  });

  test("MutatingWireName, for the visualiser, names the methods MUTATING_METHODS has at run time", () => {
    const mutating: MutatingWireName[] = ["add_task", "get_work", "ping", "prune", "mark_as_done"];
    // @ts-expect-error task_list changes nothing
    const readOnly: MutatingWireName = "task_list";
    // @ts-expect-error nor does announce_scheduling_failure (a worker calls it; luigi-ts only acknowledges)
    const acknowledged: MutatingWireName = "announce_scheduling_failure";
    expect([...mutating, readOnly, acknowledged].filter((n) => MUTATING_METHODS.has(n))).toEqual(mutating);
  });

  test("a listing that prunes first is one that changes nothing else", () => {
    for (const info of Object.values(SCHEDULER_METHODS)) {
      if ("prunes" in info) expect(info.mutating).toBe(false);
    }
  });
});

describe("every SchedulerApi member over HTTP", () => {
  interface Served {
    member: string;
    args: unknown;
    answer: unknown;
  }
  const served: Served[] = [];
  let server: TestServer;
  let remote: RemoteScheduler;

  beforeAll(async () => {
    // The server's scheduler, watched: each member it is asked for, with what it got and answered.
    const local = new LocalScheduler();
    const watched = new Proxy(local, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof prop !== "string" || !Object.hasOwn(SCHEDULER_METHODS, prop)) return value;
        if (typeof value !== "function") return value;
        return async (args: unknown) => {
          const answer: unknown = await (value as (a: unknown) => Promise<unknown>).call(target, args);
          served.push({ member: prop, args, answer });
          return answer;
        };
      },
    });
    server = await startServer({ api: watched });
    remote = new RemoteScheduler({ url: server.url, retryAttempts: 1 });
  });
  afterAll(async () => {
    remote.close();
    await server.close();
  });

  test("a RemoteScheduler call of each member reaches that member of the server's scheduler", async () => {
    for (const member of SAMPLE_ORDER) {
      expect(typeof remote[member], member).toBe("function");
      served.length = 0;
      const answer = await callSample(remote, member);
      expect(
        served.map((s) => s.member),
        member,
      ).toEqual([member]);
      const [call] = served;
      // The server fills in Luigi's defaults for the arguments left out.
      expect(call?.args, member).toMatchObject(SAMPLE_CALLS[member] ?? {});
      expect(answer, member).toEqual(call?.answer);
    }
    // Nothing was left uncalled.
    expect(new Set(SAMPLE_ORDER)).toEqual(new Set(Object.keys(SCHEDULER_METHODS)));
  });
});
