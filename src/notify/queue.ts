/**
 * The notifier: notices in, deliveries out, never on the caller's path. `notify()` only asks each
 * channel what to send (cheap, synchronous) and queues it; each channel has its own lane, sent one
 * delivery at a time in the background, so a slow SMTP server holds back only further mails, never a
 * step, a `get_work` or the webhook. A lane holds at most `maxQueued` deliveries (more are dropped and
 * counted), and each delivery is abandoned after its channel's deadline. Whatever fails is logged as a
 * warning and goes no further: a notification never fails a step or a run.
 */
import { describeThrown } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { Notice } from "./notices.js";

/** One thing to send, made by a channel and run by the queue. */
export interface Delivery {
  /** For the log: "failure mail to a@example.com", "webhook POST to https://chat.example.com/…"; never a secret. */
  readonly what: string;
  send(signal: AbortSignal): Promise<void>;
}

export interface Channel {
  /** "email", "webhook": the lane's name in the log. */
  readonly name: string;
  /** Seconds one delivery may take before it is abandoned. */
  readonly deadline: number;
  /** What to send for `notice` (nothing: this channel does not send it). May log why not. */
  deliveriesFor(notice: Notice): Delivery[];
  /** Lets go of connections once nothing is left to send. */
  close?(): void;
}

/** Where notices go: `luigi` and `luigid` make one from their configuration (createNotifier). */
export interface Notifier {
  /** Queues what the channels send for `notice` and returns at once; never throws. */
  notify(notice: Notice): void;
  /** Waits for what is queued, at most its drain deadline, then lets go of connections. */
  close(): Promise<void>;
}

/** A notifier that sends nothing (no channel configured, or a library user who wants none). */
export const SILENT_NOTIFIER: Notifier = Object.freeze({
  notify: () => undefined,
  close: async () => undefined,
});

export interface QueueOptions {
  /** Deliveries a lane holds at most; beyond, new ones are dropped. Default 100. */
  maxQueued?: number;
  /** Seconds close() waits for queued deliveries. Default: the largest channel deadline. */
  drainSeconds?: number;
}

interface Lane {
  readonly channel: Channel;
  readonly waiting: Delivery[];
  busy: boolean;
  dropped: number;
}

export class NotificationQueue implements Notifier {
  private readonly lanes: Lane[];
  private readonly maxQueued: number;
  private readonly drainSeconds: number;
  private readonly inFlight = new Set<AbortController>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    channels: readonly Channel[],
    private readonly log: Logger,
    options: QueueOptions = {},
  ) {
    this.lanes = channels.map((channel) => ({ channel, waiting: [], busy: false, dropped: 0 }));
    this.maxQueued = options.maxQueued ?? 100;
    this.drainSeconds = options.drainSeconds ?? Math.max(0, ...channels.map((c) => c.deadline));
  }

  get channels(): readonly Channel[] {
    return this.lanes.map((lane) => lane.channel);
  }

  notify(notice: Notice): void {
    for (const lane of this.lanes) {
      let deliveries: Delivery[];
      try {
        deliveries = lane.channel.deliveriesFor(notice);
      } catch (err) {
        this.log.warn(
          { channel: lane.channel.name, err: describeThrown(err).message },
          `could not prepare the ${notice.event} notification`,
        );
        continue;
      }
      for (const delivery of deliveries) this.push(lane, delivery);
    }
  }

  /** Queues a delivery made outside notify() (luigid's digests) on `channel`'s lane. */
  enqueue(channel: Channel, delivery: Delivery): void {
    const lane = this.lanes.find((l) => l.channel === channel);
    if (lane) this.push(lane, delivery);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.idle()) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const deadline = new Promise<void>(
        (resolve) => (timer = setTimeout(resolve, this.drainSeconds * 1000)),
      );
      await Promise.race([idle, deadline]);
      clearTimeout(timer);
    }
    for (const lane of this.lanes) {
      const unsent = lane.waiting.length + (lane.busy ? 1 : 0);
      lane.waiting.length = 0;
      if (unsent > 0 || lane.dropped > 0) {
        this.log.warn(
          { channel: lane.channel.name, unsent, dropped: lane.dropped },
          `${unsent + lane.dropped} ${lane.channel.name} notification(s) not sent`,
        );
      }
    }
    for (const controller of this.inFlight) controller.abort(new Error("the notifier was closed"));
    for (const lane of this.lanes) {
      try {
        lane.channel.close?.();
      } catch {
        // Letting go of a connection that is already gone is no news.
      }
    }
  }

  private push(lane: Lane, delivery: Delivery): void {
    if (this.closed) {
      lane.dropped++;
      return;
    }
    if (lane.waiting.length >= this.maxQueued) {
      if (lane.dropped++ === 0) {
        this.log.warn(
          { channel: lane.channel.name, queued: lane.waiting.length },
          `too many ${lane.channel.name} notifications waiting: new ones are dropped until the queue drains`,
        );
      }
      return;
    }
    lane.waiting.push(delivery);
    if (!lane.busy) void this.drain(lane);
  }

  private async drain(lane: Lane): Promise<void> {
    lane.busy = true;
    for (let next = lane.waiting.shift(); next !== undefined; next = lane.waiting.shift()) {
      await this.deliver(lane.channel, next);
    }
    lane.busy = false;
    if (this.idle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Sends one delivery within its channel's deadline; never rejects. */
  private async deliver(channel: Channel, delivery: Delivery): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`no answer within ${channel.deadline} s`);
        controller.abort(err);
        reject(err);
      }, channel.deadline * 1000);
    });
    try {
      await Promise.race([delivery.send(controller.signal), expired]);
      this.log.info({ channel: channel.name }, `sent ${delivery.what}`);
    } catch (err) {
      this.log.warn(
        { channel: channel.name, err: describeThrown(err).message },
        `could not send ${delivery.what}`,
      );
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private idle(): boolean {
    return this.lanes.every((lane) => !lane.busy && lane.waiting.length === 0);
  }
}
