/**
 * Paces the password hashing one address makes a backend do. Each hash (scrypt, about 16 MB and a
 * core for tens of milliseconds) is what a login, a sign-up's two passwords and a password change
 * cost; without a bound, nine connections from one address signing up in a loop made 1,026 hashes
 * in 30 s and every other caller's login five times slower. An address has a burst of them at
 * once, then one every so often: past that its hashes wait their turn (the caller waits; nobody
 * else does). Addresses are forgotten once their burst is whole again.
 */
import { BbsError } from '../common/errors.js';

/**
 * How much hashing an address may have at once, and how much a minute after that, in hashes at
 * the default scrypt cost (db/password.ts hashWork: a cheaper hash counts for less).
 */
export interface HashPace {
  readonly burst: number;
  readonly perMinute: number;
}

/**
 * The pace a backend keeps when addresses are told apart (--login-address-lock-after not 0): 60
 * hashes at once (thirty sign-ups from one address, or a school's lab logging in together), then
 * one every 2 s.
 */
export const DEFAULT_HASH_PACE: HashPace = Object.freeze({ burst: 60, perMinute: 30 });

// Addresses remembered at most; past it, those whose burst is whole again are forgotten.
const REMEMBERED = 10_000;
// The longest wait setTimeout takes (a longer one fires at once).
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Gives each address its turn to hash. */
export class HashPacing {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly pace: HashPace,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = waitFor,
  ) {}

  /**
   * Resolves when `address` may have `work` more hashing (hashWork): at once within its burst, else
   * when its turn comes, booked at most a burst ahead (2 minutes at the default pace). Past that
   * it throws BBS_ERR_HASH_PACED at once: the call is ended, and nothing is booked, so an address
   * dialling, typing a password and hanging up over and over queues no hashing. A turn whose
   * caller hangs up while it waits (`signal`) is handed back, and its hash never made.
   */
  async turn(address: string | undefined, work: number, signal?: AbortSignal): Promise<void> {
    if (address === undefined || work <= 0) return;
    const ms = this.reserve(address, work);
    if (ms === 0) return;
    try {
      await this.wait(ms, signal);
    } catch (error) {
      this.refund(address, work);
      throw error;
    }
  }

  /** Takes `work` from the address's bucket (below empty: a turn booked ahead) and says how long until it is due. */
  private reserve(address: string, work: number): number {
    const now = this.now();
    const perMs = this.pace.perMinute / 60_000;
    const bucket = this.buckets.get(address) ?? { tokens: this.pace.burst, at: now };
    const before = Math.min(this.pace.burst, bucket.tokens + (now - bucket.at) * perMs);
    const tokens = before - work;
    // Refused only from a bucket in debt: a hash dearer than the burst (a stored password of a
    // higher cost) from a full bucket waits its turn, however long, rather than never being made.
    if (before < 0 && tokens < -this.pace.burst) {
      throw new BbsError('BBS_ERR_HASH_PACED', `Too many passwords checked or hashed from ${address} just now: the call is ended rather than queued`);
    }
    bucket.tokens = tokens;
    bucket.at = now;
    this.buckets.set(address, bucket);
    if (this.buckets.size > REMEMBERED) this.forgetWhole(now, perMs);
    return tokens >= 0 ? 0 : Math.min(MAX_TIMER_MS, Math.ceil(-tokens / perMs));
  }

  private refund(address: string, work: number): void {
    const bucket = this.buckets.get(address);
    if (bucket !== undefined) bucket.tokens = Math.min(this.pace.burst, bucket.tokens + work);
  }

  private forgetWhole(now: number, perMs: number): void {
    for (const [address, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= this.pace.burst) this.buckets.delete(address);
    }
  }
}

// Waits `ms`, or rejects as soon as `signal` aborts (the caller hung up).
function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms).unref();
    function aborted(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
