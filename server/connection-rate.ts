/**
 * How fast one address may open connections: as many as the limit at once, then one every
 * 60/limit seconds. Without it one address dialling in and hanging up in a loop (14,456 calls in
 * 15 s, under the cap on connections logging in at once) wrote four log lines and a journal a
 * call: 8.6 MB of log in 15 s and the database 6.6 MB bigger.
 */
import { memoryTokenBuckets, refilled } from '../common/token-buckets.js';

// How often addresses whose allowance is whole again are forgotten.
const FORGET_EVERY_MS = 60_000;

/** Each address's allowance of new connections. */
export class ConnectionRate {
  private readonly buckets = memoryTokenBuckets();
  private forgotAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.forgotAt = now();
  }

  /** Takes one connection from `address`'s allowance: 0 when it may open it, else the seconds until it may. */
  take(address: string): number {
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    if (now - this.forgotAt >= FORGET_EVERY_MS) {
      this.forgotAt = now;
      this.buckets.forgetWhole(now, this.perMinute, perMs);
    }
    return this.buckets.change(address, (bucket = { tokens: this.perMinute, at: now }) => {
      const tokens = refilled(bucket, now, this.perMinute, perMs);
      // Refused, nothing taken: the allowance as it is now is kept.
      if (tokens < 1) return { bucket: { tokens, at: now }, result: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
      return { bucket: { tokens: tokens - 1, at: now }, result: 0 };
    });
  }
}
