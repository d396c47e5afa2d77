/**
 * Notifications (failure mails and a webhook) behind one interface, `Notifier`: the worker and luigid
 * hand it notices and go on; sending happens in the background and never fails a step or a run.
 */
import type { LuigiConfig } from "../config/index.js";
import { workerConfig } from "../config/index.js";
import { silentLogger, type Logger } from "../log/logger.js";
import { notificationChannels } from "./channels.js";
import { shellLine } from "./mail-format.js";
import { NotificationQueue, type Notifier } from "./queue.js";

export type {
  DisableNotice,
  Notice,
  NoticeEvent,
  Origin,
  RunEndNotice,
  SchedulingFailureNotice,
  StepFacts,
  StepFailureNotice,
} from "./notices.js";
export { runEndNotice } from "./notices.js";
export { SILENT_NOTIFIER, NotificationQueue, type Channel, type Delivery, type Notifier } from "./queue.js";
export { StepNotices, stepFacts } from "./step-notices.js";
export { SchedulerNotices } from "./scheduler-notices.js";

export interface NotifierOptions {
  /** Where sending problems are logged (as warnings). Default: nowhere. */
  logger?: Logger;
  /** Whether stdout is a terminal: then no mail, unless `[email] force_send`. Default: process.stdout's. */
  stdoutIsTty?: boolean;
  /** The command line mails show. Default: `luigi` and this process's arguments. */
  commandLine?: readonly string[];
}

/**
 * A worker's notifier from `[email]`, `[smtp]`, `[webhook]` and `[worker] send_failure_email`. Pass it
 * as `WorkerOptions.notifier`, and `close()` it when the run is over so queued mails are sent.
 */
export function createNotifier(config: LuigiConfig, options: NotifierOptions = {}): Notifier {
  const logger = options.logger ?? silentLogger();
  const { channels } = notificationChannels(config, {
    logger,
    stdoutIsTty: options.stdoutIsTty ?? process.stdout.isTTY === true,
    commandLine: shellLine(options.commandLine ?? ["luigi", ...process.argv.slice(2)]),
    sendFailureEmail: workerConfig(config).sendFailureEmail,
    batchEmails: false,
  });
  return new NotificationQueue(channels, logger);
}
