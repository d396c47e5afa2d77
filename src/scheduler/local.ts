/**
 * The in-process scheduler (`--local-scheduler`): the SchedulerApi over a Scheduler core in the same
 * process. Like Luigi's local scheduler it prunes on every get_work, and it reads the real clock.
 */
import type { SchedulerApi } from "./api.js";
import type { SchedulerHooks } from "./core.js";
import { ForwardingScheduler } from "./forwarding.js";
import type { AnswerOf, ArgsOf, SchedulerMethod } from "./methods.js";
import type { SchedulerOptions } from "./options.js";
import { Scheduler } from "./scheduler.js";

export interface LocalSchedulerInit {
  /** Scheduler settings; `pruneOnGetWork` defaults to true here. */
  options?: Partial<SchedulerOptions>;
  /** Epoch seconds; default the real clock. */
  clock?: () => number;
  hooks?: SchedulerHooks;
  newMessageId?: () => string;
  /** Wrap this core instead of building one (the other fields are then ignored). */
  scheduler?: Scheduler;
}

/** The core's side of the SchedulerApi: every member, answered synchronously. */
type SyncSchedulerApi = { [K in SchedulerMethod]: (args: ArgsOf<K>) => AnswerOf<K> };

export class LocalScheduler extends ForwardingScheduler implements SchedulerApi {
  readonly scheduler: Scheduler;
  /** The core seen as SchedulerApi members: assigning it checks that the core has each, in its shapes. */
  private readonly core: SyncSchedulerApi;

  constructor(init: LocalSchedulerInit = {}) {
    super();
    this.scheduler =
      init.scheduler ??
      new Scheduler({
        pruneOnGetWork: true,
        ...init.options,
        clock: init.clock ?? (() => Date.now() / 1000),
        ...(init.hooks ? { hooks: init.hooks } : {}),
        ...(init.newMessageId ? { newMessageId: init.newMessageId } : {}),
      });
    this.core = this.scheduler;
  }

  // Every call answers at once; `async` only fits the interface the remote client shares (and turns an
  // error thrown by the core into a rejection, as a remote call's would be).
  protected async invoke<K extends SchedulerMethod>(member: K, args: ArgsOf<K>): Promise<AnswerOf<K>> {
    return this.core[member](args);
  }
}
