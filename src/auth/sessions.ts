/**
 * Login sessions, in luigid's memory. Chosen over signed cookies because a session here can really end:
 * logout, and a user removed or replaced in the users file (a new password, a new role), take effect at
 * the next request; and luigid keeps no signing key on disk that would need protecting and rotating. The
 * price: a restart of luigid logs everybody out (workers are not concerned: they send their credentials
 * with each call).
 *
 * Each session has a random id (the cookie, 256 bits) and its own random CSRF token, which the page must
 * echo in `X-CSRF-Token` with every state change: another site can make the browser send the cookie,
 * but cannot read the token.
 */
import { randomBytes } from "node:crypto";

export interface Session {
  readonly id: string;
  readonly user: string;
  /** The user's stored hash at login: replacing the user (`luigid user add` again) ends the session. */
  readonly credential: string;
  readonly csrfToken: string;
  /** Epoch ms. */
  readonly created: number;
  readonly expires: number;
}

/** Sessions kept at most: past it, the oldest is dropped. Default 10,000. */
export const DEFAULT_MAX_SESSIONS = 10_000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    /** Seconds a session lasts from its login. */
    readonly maxAgeSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly maxSessions: number = DEFAULT_MAX_SESSIONS,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  create(user: string, credential: string): Session {
    const now = this.now();
    this.sweep(now);
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
    const session: Session = {
      id: randomBytes(32).toString("base64url"),
      user,
      credential,
      csrfToken: randomBytes(32).toString("base64url"),
      created: now,
      expires: now + this.maxAgeSeconds * 1000,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with that id; an expired one is forgotten. */
  get(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expires <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Drops expired sessions; they are in creation order, so it stops at the first live one. */
  private sweep(now: number): void {
    for (const [id, session] of this.sessions) {
      if (session.expires > now) break;
      this.sessions.delete(id);
    }
  }
}
