/**
 * Keep-alive pings (Luigi's ping thread): every `ping_interval` seconds the worker tells the scheduler it
 * lives, and the answer carries the scheduler's messages to it (`set_worker_processes`, ...).
 */
import { describeThrown, ErrorCode } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { SchedulerApi } from "../scheduler/api.js";

export interface PingerInit {
  scheduler: SchedulerApi;
  workerId: string;
  /** Seconds between pings; 0 or less = none. */
  intervalSeconds: number;
  log: Logger;
  /** The scheduler asked this worker to run `n` steps at once. */
  onSetProcesses: (n: number) => void;
}

export class Pinger {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly init: PingerInit) {}

  start(): void {
    const interval = this.init.intervalSeconds * 1000;
    if (!(interval > 0) || this.timer) return;
    const { scheduler, workerId, log } = this.init;
    const tick = (): void => {
      scheduler
        .ping({ worker: workerId })
        .then((reply) => {
          for (const message of reply.rpc_messages) this.handle(message.name, message.kwargs);
        })
        .catch((err: unknown) => log.warn({ err: describeThrown(err).message }, "ping failed"));
    };
    this.timer = setInterval(tick, interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private handle(name: string, kwargs: Record<string, unknown>): void {
    if (name === "set_worker_processes") {
      const n = Number(kwargs.n);
      if (Number.isFinite(n)) this.init.onSetProcesses(Math.max(1, Math.floor(n)));
      return;
    }
    this.init.log.debug({ name, code: ErrorCode.UNKNOWN_METHOD }, "ignoring unknown scheduler message");
  }
}
