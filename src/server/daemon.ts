import { existsSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { hostname } from "node:os";
import { Gauge } from "prom-client";
import { UsageError } from "../errors.js";
import type { LuigiConfig } from "../config/index.js";
import { advertisedUrlConfig, compactionThreadConfig, stateWhereConfig } from "../config/scheduler.js";
import {
  authConfig,
  pruneIntervalConfig,
  schedulerConfig,
  stepHistoryConfig,
  tlsFilesConfig,
} from "../config/index.js";
import { Authenticator, type AuthTuning } from "../auth/authenticator.js";
import type { StepHistory } from "../history/service.js";
import type { WriterOptions } from "../history/writer.js";
import type { Logger } from "../log/logger.js";
import { SchedulerNotices } from "../notify/index.js";
import type { SchedulerOptions } from "../scheduler/options.js";
import { DurableScheduler, type DurableSchedulerTuning } from "../scheduler/persistence/durable.js";
import type { PgStateStore } from "../scheduler/persistence/pg-store.js";
import { StateLock } from "../scheduler/persistence/state-lock.js";
import { createApp } from "./app.js";
import { createMetricsRegistry } from "./metrics.js";
import { StepMetrics } from "./step-metrics.js";
import { parseAllowedOrigins } from "./cross-site.js";
import { exposureWarning } from "./exposure.js";
import { loadTlsCredentials, resolveTlsFiles, type TlsCredentials } from "./tls.js";

export interface DaemonOptions {
  config: LuigiConfig;
  logger: Logger;
  /** Default 8082; 0 picks a free port (tests). */
  port?: number;
  /** Default: every IPv4 and IPv6 address. */
  address?: string | undefined;
  unixSocket?: string | undefined;
  /** Overrides `[scheduler] state_path`. */
  statePath?: string | undefined;
  /** Seconds between a standby's lock attempts and journal polls (`[scheduler] state_url`). Default 1. */
  standbyInterval?: number;
  /** TLS certificate chain (PEM); overrides `[scheduler] certfile`. With keyFile, luigid serves HTTPS. */
  certFile?: string | undefined;
  /** The certificate's private key (PEM); overrides `[scheduler] keyfile`. */
  keyFile?: string | undefined;
  /**
   * Seconds between prunes. Default: `[scheduler] prune_interval`, else 1. Luigi prunes every 60 s, so a
   * dead worker is noticed up to a minute late; pruning here costs only the expired timers, so it runs often.
   */
  pruneInterval?: number;
  /** Tuning of the step history's writer (tests). */
  historyWriter?: Omit<WriterOptions, "metrics">;
  /** Tuning of authentication (tests). */
  auth?: AuthTuning;
}

export interface DaemonHandle {
  /** "127.0.0.1:8082", "[::]:8082" or the socket path. */
  readonly address: string;
  readonly port: number | undefined;
  readonly scheduler: DurableScheduler;
  /** The step history, when `record_step_history` is on. */
  readonly history: StepHistory | undefined;
  /**
   * Settles, with the reason, when this luigid was active on a shared `state_url` and lost the lead (its
   * lock connection went away, or another luigid took over): it serves no more writes and should stop.
   * Never settles with a state path.
   */
  readonly lost: Promise<string>;
  /** Stops listening, drains connections, saves the state. */
  close(): Promise<void>;
}

/**
 * Starts luigid: locks the state path, loads the state, listens, prunes periodically. A start that fails,
 * for whatever reason, leaves the state files as they were: nothing is written to them before luigid
 * listens (see DurableScheduler.load and start).
 */
export async function startDaemon(options: DaemonOptions): Promise<DaemonHandle> {
  const schedulerOptions = schedulerConfig(options.config);
  // Settings that can be wrong are checked before the state is touched at all.
  const where = stateWhereConfig(options.config, options.statePath);
  const tls = loadTls(options);
  parseAllowedOrigins(authConfig(options.config).allowedOrigins);
  if (where.kind === "postgresql") {
    return startServing(options, schedulerOptions, tls, {
      historyBeside: schedulerOptions.statePath,
      load: async (tuning) => {
        // Loaded only here: node-postgres is an optional peer, needed only with state_url.
        const { PgStateStore } = await import("../scheduler/persistence/pg-store.js");
        const { store, stored } = await PgStateStore.connect({
          url: where.stateUrl,
          logger: options.logger,
          ...(options.standbyInterval !== undefined ? { interval: options.standbyInterval } : {}),
        });
        try {
          return DurableScheduler.fromStore(tuning, store, stored, "standby");
        } catch (err) {
          store.release();
          throw err;
        }
      },
    });
  }
  // Before anything else: a second luigid on this state path stops here, having touched nothing.
  const lock = StateLock.acquire(where.statePath);
  try {
    return await startServing(options, schedulerOptions, tls, {
      historyBeside: lock.statePath,
      load: (tuning) => Promise.resolve(DurableScheduler.load({ ...tuning, lock })),
    });
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** How startServing opens the state: files under a held lock, or PostgreSQL tables. */
interface StateOpener {
  /** The default step history goes beside this path. */
  historyBeside: string;
  load(tuning: DurableSchedulerTuning): Promise<DurableScheduler>;
}

async function startServing(
  options: DaemonOptions,
  schedulerOptions: SchedulerOptions,
  tls: TlsCredentials | undefined,
  opener: StateOpener,
): Promise<DaemonHandle> {
  const log = options.logger;
  const metrics = createMetricsRegistry();
  // Disables and (with batch_emails) digests; a bad [email]/[webhook] setting stops luigid here, before
  // anything is opened. Luigi's older [core] spellings read here are warned about here.
  const warned = options.config.warnings.length;
  const notices = new SchedulerNotices({
    config: options.config,
    scheduler: schedulerOptions,
    logger: log,
    stdoutIsTty: process.stdout.isTTY === true,
  });
  for (const warning of options.config.warnings.slice(warned)) log.warn(warning);
  // Before anything is opened: a bad [auth] setting or users file stops luigid here.
  const auth = await Authenticator.open(authConfig(options.config), log, options.auth);
  // History is luigid's alone (the local scheduler never records it). A bad db_connection stops here.
  let history: StepHistory | undefined;
  if (schedulerOptions.recordStepHistory) {
    const where = stepHistoryConfig(options.config, opener.historyBeside);
    // Loaded only when on: Kysely and the database drivers cost luigid a quarter of its start-up time.
    const { StepHistory } = await import("../history/service.js");
    history = new StepHistory({
      url: where.dbConnection,
      logger: log,
      registry: metrics,
      createDirectory: !where.configured,
      ...(options.historyWriter ? { writer: options.historyWriter } : {}),
    });
    // A database that refuses (none of that name, bad credentials, unusable path) stops luigid here.
    await history.open();
    log.info({ db: history.where }, `step history on: recording to ${history.where}`);
  }
  const stepMetrics = new StepMetrics(metrics);
  const durable = await opener.load({
    options: schedulerOptions,
    compaction: compactionThreadConfig(options.config) ? "thread" : "inline",
    logger: log,
    hooks: { ...history?.recorder.hooks(), ...notices.hooks(), ...stepMetrics.hooks() },
  });
  const shared = durable.store as Partial<PgStateStore>;
  const statePath = durable.statePath;
  let resolveLost: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (resolveLost = resolve));
  let listening = false;
  // Armed only once active: the journal replay above re-ran changes that were recorded (and counted)
  // when they happened, and a standby's following replays what the active one records.
  const arm = (): void => {
    history?.start();
    stepMetrics.start(() => durable.core.census());
    if (listening) notices.arm();
  };
  durable.onRole((role, reason) => {
    if (role === "active") arm();
    if (role === "lost") resolveLost(reason ?? "the lead was lost");
  });
  if (durable.role === "active") arm();
  const r = durable.report;
  log.info(
    { statePath, steps: r.steps, replayed: r.replayed, millis: Math.round(r.millis) },
    `state loaded: ${r.steps} steps (${r.replayed} journal entries replayed in ${Math.round(r.millis)} ms)`,
  );
  const authSettings = authConfig(options.config);
  const app = createApp({
    scheduler: durable.api,
    logger: log,
    history: history?.queries,
    trends: history?.trends,
    metrics,
    allowedOrigins: authSettings.allowedOrigins,
    tls: tls && { cert: tls.cert, key: tls.key },
    auth,
  });
  if (shared.advertise) {
    new Gauge({
      name: "luigid_active",
      help: "1 while this luigid holds the lead on its shared state_url, 0 as a standby (or once it lost it)",
      registers: [metrics],
      collect() {
        this.set(durable.role === "active" ? 1 : 0);
      },
    });
    // Which luigid of the ones sharing the state answered: active or standby (README, "luigid").
    app.addHook("onSend", async (_request, reply, payload) => {
      reply.header("x-luigid-role", durable.role);
      return payload;
    });
  }
  let address: string;
  let port: number | undefined;
  try {
    if (options.unixSocket) {
      if (existsSync(options.unixSocket)) await removeStaleSocket(options.unixSocket);
      await app.listen({ path: options.unixSocket });
      address = options.unixSocket;
    } else {
      const host = options.address ?? "::";
      await app.listen({ port: options.port ?? 8082, host, ipv6Only: false });
      const bound = app.server.address();
      port = typeof bound === "object" && bound ? bound.port : options.port;
      address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    }
    // Only now, with the lock held and the address ours, may the state files change (or, on a shared
    // state_url, may this luigid try for the lead).
    shared.advertise?.(advertisedUrl(options, port, tls !== undefined));
    durable.start();
    auth?.watchUsers();
    listening = true;
    if (durable.role === "active") notices.arm();
  } catch (err) {
    await notices.close();
    durable.abandon();
    await app.close();
    await history?.close();
    throw err;
  }
  log.info({ address, https: tls !== undefined }, `luigid listening on ${address}${tls ? " (https)" : ""}`);
  if (tls) logTls(log, tls);
  if (!options.unixSocket) {
    const bound = app.addresses().map((a) => (typeof a === "string" ? a : a.address));
    const warning = exposureWarning(bound, address, authSettings.usersFile !== "");
    if (warning) log.warn({ address }, warning);
  }
  const prune = setInterval(
    () => {
      // A standby prunes nothing: its state is the active one's.
      if (durable.role !== "active") return;
      durable.api.prune().catch((err: unknown) => log.error({ err: String(err) }, "prune failed"));
    },
    (options.pruneInterval ?? pruneIntervalConfig(options.config)) * 1000,
  );
  prune.unref();
  let closing: Promise<void> | undefined;
  return {
    address,
    port,
    scheduler: durable,
    history,
    lost,
    close: () =>
      (closing ??= (async () => {
        clearInterval(prune);
        auth?.close();
        await app.close();
        if (shared.advertise) await durable.shutdown();
        else durable.close();
        // The digest so far is mailed, as Luigi's scheduler does when it saves its state.
        await notices.close();
        // Everything queued is written before luigid exits (or counted as lost if the database is away).
        await history?.close();
        if (options.unixSocket) rmSync(options.unixSocket, { force: true });
      })()),
  };
}

/**
 * The URL a standby names for this luigid when it is active: `[scheduler] advertised_url`, else this
 * host's name (or the one address it listens on) and its port.
 */
function advertisedUrl(options: DaemonOptions, port: number | undefined, https: boolean): string {
  const configured = advertisedUrlConfig(options.config);
  if (configured !== "") return configured;
  if (options.unixSocket) return `http+unix://${encodeURIComponent(options.unixSocket)}`;
  const a = options.address;
  const host = a === undefined || a === "::" || a === "0.0.0.0" || a === "" ? hostname() : a;
  return `${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port ?? 8082}`;
}

/** The TLS certificate and key, from the flags or `[scheduler]`, read and checked; undefined for HTTP. */
function loadTls(options: DaemonOptions): TlsCredentials | undefined {
  const given = resolveTlsFiles(options, tlsFilesConfig(options.config));
  if (given === undefined) return undefined;
  if (options.unixSocket) {
    throw new UsageError(
      "TLS (--certfile / --keyfile, [scheduler] certfile / keyfile) is for TCP; a unix socket is guarded by its file permissions, and workers reach it over plain http+unix://",
    );
  }
  return loadTlsCredentials(given.files, given.names);
}

function logTls(log: Logger, tls: TlsCredentials): void {
  const until = tls.validTo.toISOString();
  log.info(
    { subject: tls.subject, validTo: until },
    `TLS certificate for ${tls.subject}, valid until ${until}`,
  );
  if (tls.validTo.getTime() < Date.now()) {
    log.warn(
      { validTo: until },
      `the TLS certificate expired on ${until}: browsers and workers will refuse it`,
    );
  }
}

/**
 * A socket file left by a luigid that died is removed; one that answers belongs to a live server (another
 * luigid on another state path, say) and is left alone: taking it over would cut that server off.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (live) {
    throw new UsageError(`the unix socket ${socketPath} is in use by another running server`, {
      socket: socketPath,
    });
  }
  rmSync(socketPath, { force: true });
}
