/**
 * Paces the password hashing one address makes a backend do. Each hash (scrypt, about 16 MB and a
 * core for tens of milliseconds) is what a login, a sign-up's two passwords and a password change
 * cost; without a bound, nine connections from one address signing up in a loop made 1,026 hashes
 * in 30 s and every other caller's login five times slower. An address has a burst of them at
 * once, then one every so often: past that its hashes wait their turn (the caller waits; nobody
 * else does). The buckets are the board's (db/hash-buckets.ts): an address has one burst
 * however many backends it reaches. Addresses are forgotten once their burst is whole again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BbsError, isBbsError } from '../common/errors.js';
import { memoryTokenBuckets, refilled, type TokenBuckets } from '../common/token-buckets.js';

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

// How often the buckets whole again are forgotten.
const FORGET_EVERY_MS = 60_000;
// The longest wait setTimeout takes (a longer one fires at once).
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Gives each address its turn to hash. */
export class HashPacing {
  private forgotAt: number;
  // When the board's buckets cannot be written (a full disk), this process's own keep the pace.
  private readonly ownBuckets = memoryTokenBuckets();

  /** `buckets`: shared by every backend on the board (the store's), or this process's own. */
  constructor(
    private readonly pace: HashPace,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = waitFor,
    private readonly buckets: TokenBuckets = memoryTokenBuckets(),
  ) {
    this.forgotAt = now();
  }

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
    const { burst } = this.pace;
    const tokens = this.shared((buckets) =>
      buckets.change(address, (bucket = { tokens: burst, at: now }) => {
        const before = refilled(bucket, now, burst, perMs);
        const after = before - work;
        // Refused only from a bucket in debt: a hash dearer than the burst (a stored password of a
        // higher cost) from a full bucket waits its turn, however long, rather than never being made.
        if (before < 0 && after < -burst) {
          throw new BbsError('BBS_ERR_HASH_PACED', `Too many passwords checked or hashed from ${address} just now: the call is ended rather than queued`);
        }
        return { bucket: { tokens: after, at: now }, result: after };
      }),
    );
    if (now - this.forgotAt >= FORGET_EVERY_MS) {
      this.forgotAt = now;
      this.shared((buckets) => buckets.forgetWhole(now, burst, perMs));
      // What was booked here while the board's could not be written is forgotten as well.
      this.ownBuckets.forgetWhole(now, burst, perMs);
    }
    return tokens >= 0 ? 0 : Math.min(MAX_TIMER_MS, Math.ceil(-tokens / perMs));
  }

  private refund(address: string, work: number): void {
    const { burst } = this.pace;
    this.shared((buckets) => buckets.change(address, (bucket) => ({ bucket: bucket === undefined ? { tokens: burst, at: this.now() } : { tokens: Math.min(burst, bucket.tokens + work), at: bucket.at }, result: undefined })));
  }

  // Runs `use` on the board's buckets, or on this process's own when the board's cannot be written.
  private shared<T>(use: (buckets: TokenBuckets) => T): T {
    try {
      return use(this.buckets);
    } catch (error) {
      if (!isBbsError(error) || !error.code.startsWith('BBS_ERR_DB_')) throw error;
      return use(this.ownBuckets);
    }
  }
}

// Waits `ms`, or rejects as soon as `signal` aborts (the caller hung up); the wait keeps no process alive.
function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal, ref: false });
}
