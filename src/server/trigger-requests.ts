/**
 * Who asked for a triggered run: luigid puts the caller, as access.ts identified it (user, role and
 * address; the address alone without `[auth]`), in `trigger_step`'s `requested_by`, replacing whatever
 * the client sent. It becomes part of the call's arguments before the scheduler journals them, so a
 * restarted luigid still knows who asked.
 */
import { currentActor, describeActor } from "../history/actor.js";
import type { SchedulerApi, TriggerStepArgs } from "../scheduler/api.js";

export function withTriggerRequester(api: SchedulerApi): SchedulerApi {
  return new Proxy(api, {
    get(target, prop, receiver) {
      if (prop !== "triggerStep") return Reflect.get(target, prop, receiver) as unknown;
      return (args: TriggerStepArgs) => {
        const actor = currentActor();
        return target.triggerStep({ ...args, requested_by: actor ? describeActor(actor) : null });
      };
    },
  });
}
