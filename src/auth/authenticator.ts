/**
 * Who is making a request, from what it carries. luigid's server asks this one question per request (and
 * then whether that role may call the method: see roles.ts); the scheduler never sees any of it.
 *
 * In order:
 * 1. a proxy header (`[auth] proxy_user_header`), believed only from `trusted_proxies`;
 * 2. `Authorization: Basic` (a user and its password, or its token as the password: Luigi's Python
 *    worker sends credentials from `--scheduler-url http://user:pass@host/` this way) or
 *    `Authorization: Bearer <token>`; credentials that do not match are refused, never passed over;
 * 3. the session cookie of a login (see sessions.ts).
 *
 * A verified basic-auth header is cached (verified-cache.ts): scrypt is paid once per credential, not per
 * call. Failures go through the throttle (throttle.ts) and cost one scrypt whether the user exists or
 * not, so the answer and its time are the same for an unknown user and a wrong password.
 */
import { ConfigError } from "../errors.js";
import type { AuthConfig } from "../config/auth.js";
import type { Logger } from "../log/logger.js";
import { dummyVerify, tokenMatches, verifyPassword } from "./passwords.js";
import { isRole, ROLES, type Role } from "./roles.js";
import { SessionStore, type Session } from "./sessions.js";
import { LoginThrottle, Throttled, type ThrottleOptions } from "./throttle.js";
import { TrustedProxies } from "./trusted-proxies.js";
import { UserDirectory } from "./user-directory.js";
import type { UserEntry } from "./users-file.js";
import { VerifiedCache } from "./verified-cache.js";

export type Via = "password" | "token" | "session" | "proxy";

export interface Identity {
  readonly user: string;
  readonly role: Role;
  readonly via: Via;
  /** The login session, when `via` is "session". */
  readonly session?: Session;
}

/** What a request presents, read by the server. */
export interface Presented {
  /** The Authorization header. */
  readonly authorization?: string | undefined;
  /** The session cookie's value. */
  readonly sessionId?: string | undefined;
  /** The TCP peer's address. */
  readonly address: string;
  /** A request header by its lower-case name (for the proxy headers). */
  header(name: string): string | undefined;
}

export type Verdict =
  | { readonly kind: "identified"; readonly identity: Identity }
  /** Nothing presented (or only a session that has ended). */
  | { readonly kind: "anonymous" }
  /**
   * Credentials presented and refused; `message` says what was wrong without saying which part, `user`
   * is the name they claimed (for the log).
   */
  | { readonly kind: "refused"; readonly message: string; readonly user?: string }
  | { readonly kind: "throttled"; readonly retryAfterSeconds: number };

export type LoginResult =
  | { readonly kind: "ok"; readonly session: Session; readonly role: Role }
  | { readonly kind: "refused" }
  | { readonly kind: "throttled"; readonly retryAfterSeconds: number };

export interface AuthTuning {
  /** How often the users file is checked for changes, in ms. Default 1,000. */
  usersPollMs?: number;
  throttle?: ThrottleOptions;
  now?: () => number;
}

const WRONG = "wrong user name or password";
/** The throttle's key for bearer tokens, which name no user. */
const TOKEN_KEY = "(bearer token)";

export class Authenticator {
  readonly sessions: SessionStore;
  /** Password checks made (each an scrypt) and requests answered from the cache of verified headers. */
  readonly stats = { verifications: 0, cacheHits: 0 };
  private readonly cache = new VerifiedCache();
  private readonly throttle: LoginThrottle;
  private readonly inflight = new Map<string, Promise<Verdict>>();
  private readonly usersPollMs: number | undefined;

  private constructor(
    readonly config: AuthConfig,
    private readonly users: UserDirectory | undefined,
    private readonly proxies: TrustedProxies,
    private readonly proxyDefaultRole: Role,
    tuning: AuthTuning,
  ) {
    this.sessions = new SessionStore(config.sessionMaxAge, tuning.now);
    this.usersPollMs = tuning.usersPollMs;
    this.throttle = new LoginThrottle({ ...tuning.throttle, ...(tuning.now ? { now: tuning.now } : {}) });
    users?.onChange(() => this.cache.clear());
  }

  /**
   * The authenticator `[auth]` asks for, or undefined when it asks for none (no users_file and no
   * proxy_user_header): luigid then answers everybody, as Luigi does. A bad setting or users file throws
   * a ConfigError naming it.
   */
  static async open(
    config: AuthConfig,
    logger?: Logger,
    tuning: AuthTuning = {},
  ): Promise<Authenticator | undefined> {
    if (config.usersFile === "" && config.proxyUserHeader === "") return undefined;
    const proxies = new TrustedProxies(config.trustedProxies);
    if (config.proxyUserHeader !== "" && config.trustedProxies.length === 0) {
      throw new ConfigError(
        `[auth] proxy_user_header = ${config.proxyUserHeader} needs [auth] trusted_proxies: the addresses of the proxies that set it`,
        { section: "auth", key: "trusted_proxies" },
      );
    }
    if (!isRole(config.proxyDefaultRole)) {
      throw new ConfigError(
        `[auth] proxy_default_role = ${JSON.stringify(config.proxyDefaultRole)}: expected ${ROLES.join(", ")}`,
        { section: "auth", key: "proxy_default_role", value: config.proxyDefaultRole },
      );
    }
    const users = config.usersFile === "" ? undefined : await UserDirectory.open(config.usersFile, logger);
    return new Authenticator(config, users, proxies, config.proxyDefaultRole, tuning);
  }

  /** Whether `address` is one of `[auth] trusted_proxies`. */
  trustsProxy(address: string): boolean {
    return this.proxies.trusts(address);
  }

  async identify(req: Presented): Promise<Verdict> {
    const proxied = this.fromProxy(req);
    if (proxied !== undefined) return proxied;
    const authorization = req.authorization?.trim();
    if (authorization) return this.fromAuthorization(authorization, req.address);
    if (req.sessionId !== undefined) {
      const session = this.sessions.get(req.sessionId);
      const entry = session && this.users?.user(session.user);
      if (session && entry && credentialOf(entry) === session.credential) {
        return {
          kind: "identified",
          identity: { user: session.user, role: entry.role, via: "session", session },
        };
      }
    }
    return { kind: "anonymous" };
  }

  /** The login form: a new session for good credentials. */
  async login(user: string, password: string, address: string): Promise<LoginResult> {
    try {
      const ok = await this.throttle.attempt(user, address, () => this.check(user, password));
      const entry = ok ? this.users?.user(user) : undefined;
      if (!entry) return { kind: "refused" };
      return { kind: "ok", session: this.sessions.create(user, credentialOf(entry)), role: entry.role };
    } catch (err) {
      if (err instanceof Throttled) return { kind: "throttled", retryAfterSeconds: err.retryAfterSeconds };
      throw err;
    }
  }

  logout(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** Starts re-reading the users file when it changes (luigid does once it listens). */
  watchUsers(): void {
    this.users?.watch(this.usersPollMs);
  }

  close(): void {
    this.users?.close();
  }

  /** Re-reads the users file now if it changed (tests; luigid polls). */
  async reloadUsers(): Promise<void> {
    await this.users?.check();
  }

  private fromProxy(req: Presented): Verdict | undefined {
    const { proxyUserHeader, proxyRoleHeader } = this.config;
    if (proxyUserHeader === "" || !this.proxies.trusts(req.address)) return undefined;
    const user = req.header(proxyUserHeader.toLowerCase())?.trim();
    if (!user) return undefined;
    const named = proxyRoleHeader === "" ? undefined : req.header(proxyRoleHeader.toLowerCase())?.trim();
    if (named && !isRole(named)) {
      return {
        kind: "refused",
        message: `${proxyRoleHeader}: ${JSON.stringify(named)} is not a role (${ROLES.join(", ")})`,
      };
    }
    const role = named && isRole(named) ? named : this.proxyDefaultRole;
    return { kind: "identified", identity: { user, role, via: "proxy" } };
  }

  private async fromAuthorization(header: string, address: string): Promise<Verdict> {
    const space = header.indexOf(" ");
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? "" : header.slice(space + 1).trim();
    if (scheme === "bearer") return this.fromToken(value, address);
    if (scheme !== "basic") {
      return { kind: "refused", message: `Authorization: ${scheme} is not supported; use Basic or Bearer` };
    }
    const cached = this.cache.get(header);
    const cachedEntry = cached === undefined ? undefined : this.users?.user(cached);
    if (cached !== undefined && cachedEntry) {
      this.stats.cacheHits++;
      return {
        kind: "identified",
        identity: { user: cached, role: cachedEntry.role, via: viaOf(cachedEntry) },
      };
    }
    // A worker's parallel calls after a users-file change share one verification, not one scrypt each.
    const key = `${address}\u0000${header}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fromBasic(header, value, address).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fromBasic(header: string, value: string, address: string): Promise<Verdict> {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) return { kind: "refused", message: "Authorization: Basic needs user:password" };
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const generation = this.users?.generation;
    try {
      const ok = await this.throttle.attempt(user, address, () => this.check(user, password));
      const entry = ok ? this.users?.user(user) : undefined;
      if (!entry) return { kind: "refused", message: WRONG, user };
      if (this.users?.generation === generation) this.cache.set(header, user);
      return { kind: "identified", identity: { user, role: entry.role, via: viaOf(entry) } };
    } catch (err) {
      if (err instanceof Throttled) return { kind: "throttled", retryAfterSeconds: err.retryAfterSeconds };
      throw err;
    }
  }

  private async fromToken(token: string, address: string): Promise<Verdict> {
    const user = token === "" ? undefined : this.users?.userOfToken(token);
    const entry = user === undefined ? undefined : this.users?.user(user);
    if (user !== undefined && entry)
      return { kind: "identified", identity: { user, role: entry.role, via: "token" } };
    // A token is checked with one hash: no scrypt to equalise, but guessing is still slowed per address.
    try {
      await this.throttle.attempt(TOKEN_KEY, address, async () => false);
    } catch (err) {
      if (err instanceof Throttled) return { kind: "throttled", retryAfterSeconds: err.retryAfterSeconds };
      throw err;
    }
    return { kind: "refused", message: "unknown or revoked token" };
  }

  /** One password (or token-as-password) check, costing one scrypt whether or not the user exists. */
  private async check(user: string, password: string): Promise<boolean> {
    this.stats.verifications++;
    const entry = this.users?.user(user);
    if (entry?.password) return verifyPassword(password, entry.password);
    if (entry?.token && tokenMatches(password, entry.token)) return true;
    return dummyVerify(password);
  }
}

function credentialOf(entry: UserEntry): string {
  return entry.password?.hash ?? entry.token?.hash ?? "";
}

function viaOf(entry: UserEntry): Via {
  return entry.token ? "token" : "password";
}
