/**
 * The base of both SchedulerApi adapters: every member is `this.invoke(member, args)`, so an adapter
 * writes one generic call (as Temporal builds its service client from one) and overrides only the members
 * with logic of their own. The members are installed from the method table (methods.ts), so a new
 * SchedulerApi member reaches LocalScheduler and RemoteScheduler without a line in either.
 */
import type { SchedulerApi } from "./api.js";
import { SCHEDULER_METHOD_LIST, type AnswerOf, type ArgsOf, type SchedulerMethod } from "./methods.js";

abstract class Forwarding {
  /** Answers one SchedulerApi call; the only member an adapter must write. */
  protected abstract invoke<K extends SchedulerMethod>(member: K, args: ArgsOf<K>): Promise<AnswerOf<K>>;

  static {
    for (const { member } of SCHEDULER_METHOD_LIST) {
      // A method named after the member (stack traces), not enumerable, like a class method.
      const method = {
        [member](this: Forwarding, args: ArgsOf<typeof member>) {
          return this.invoke(member, args);
        },
      }[member];
      Object.defineProperty(this.prototype, member, { value: method, writable: true, configurable: true });
    }
  }
}

/** Extend it, write `invoke`, and override the members that need more than one plain call. */
export const ForwardingScheduler = Forwarding as abstract new () => Forwarding & SchedulerApi;
