/**
 * Failed logins are slowed per (user name, client address): after the n-th failure in a row, the next
 * attempt of that pair waits `baseDelayMs * 2^(n-1)` (capped at `maxDelayMs`) before it is even checked,
 * and attempts of one pair are checked one at a time, so guessing from one address goes at most one try
 * per delay however many connections it opens. The key is the name as claimed, whether or not such a user
 * exists, so the delays tell nothing about which names exist. A success clears the pair.
 */
export interface ThrottleOptions {
  /** Delay after the first failure, in ms. Default 250. */
  baseDelayMs?: number;
  /** Longest delay, in ms. Default 8,000. */
  maxDelayMs?: number;
  /** A pair's failures are forgotten this long after its last one, in ms. Default 15 minutes. */
  forgetAfterMs?: number;
  /** Attempts of one pair waiting their turn beyond which new ones are refused at once. Default 4. */
  maxWaiting?: number;
  /** Pairs remembered at most (the oldest are forgotten first). Default 10,000. */
  maxPairs?: number;
  now?: () => number;
}

interface Pair {
  failures: number;
  lastFailure: number;
  waiting: number;
  turn: Promise<void>;
}

export class Throttled extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("too many failed attempts");
  }
}

export class LoginThrottle {
  private readonly pairs = new Map<string, Pair>();
  private readonly base: number;
  private readonly max: number;
  private readonly forget: number;
  private readonly maxWaiting: number;
  private readonly maxPairs: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions = {}) {
    this.base = options.baseDelayMs ?? 250;
    this.max = options.maxDelayMs ?? 8000;
    this.forget = options.forgetAfterMs ?? 15 * 60 * 1000;
    this.maxWaiting = options.maxWaiting ?? 4;
    this.maxPairs = options.maxPairs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The delay the pair's next attempt waits, in ms (0 for a pair without recent failures). */
  delayOf(user: string, address: string): number {
    const pair = this.pairs.get(key(user, address));
    return pair ? this.delay(pair) : 0;
  }

  /**
   * Runs `check` (true = the credentials are good) in the pair's turn, after its delay. Throws Throttled
   * when too many attempts of the pair are already waiting.
   */
  async attempt(user: string, address: string, check: () => Promise<boolean>): Promise<boolean> {
    const k = key(user, address);
    let pair = this.pairs.get(k);
    if (pair && this.now() - pair.lastFailure > this.forget) pair.failures = 0;
    if (!pair) {
      pair = { failures: 0, lastFailure: 0, waiting: 0, turn: Promise.resolve() };
      this.remember(k, pair);
    }
    if (pair.waiting >= this.maxWaiting)
      throw new Throttled(Math.ceil(Math.max(this.delay(pair), 1000) / 1000));
    const p = pair;
    p.waiting++;
    const mine = p.turn.then(async () => {
      const wait = this.delay(p);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const ok = await check().catch(() => false);
      if (ok) {
        p.failures = 0;
      } else {
        p.failures++;
        p.lastFailure = this.now();
      }
      return ok;
    });
    p.turn = mine.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await mine;
    } finally {
      p.waiting--;
      if (p.waiting === 0 && p.failures === 0) this.pairs.delete(k);
    }
  }

  private delay(pair: Pair): number {
    if (pair.failures === 0 || this.now() - pair.lastFailure > this.forget) return 0;
    return Math.min(this.base * 2 ** (pair.failures - 1), this.max);
  }

  private remember(k: string, pair: Pair): void {
    if (this.pairs.size >= this.maxPairs) {
      // Forget the oldest pair that is not waiting (Map order is insertion order).
      for (const [old, p] of this.pairs) {
        if (p.waiting === 0) {
          this.pairs.delete(old);
          break;
        }
      }
    }
    this.pairs.set(k, pair);
  }
}

function key(user: string, address: string): string {
  return `${address}\u0000${user}`;
}
