/**
 * Token buckets by key (an address): each holds up to a capacity, refilled at a steady rate. Hash
 * pacing books turns against them (handler/hash-pacing.ts, the board's in SQLite:
 * db/hash-buckets.ts) and the proxy counts connections with them (server/connection-rate.ts).
 */

/** A key's tokens (below 0: turns booked ahead) as of `at` (ms since the epoch). */
export interface TokenBucket {
  readonly tokens: number;
  readonly at: number;
}

/** What `change` makes of a bucket: the bucket to keep, and what to return. */
export interface BucketChange<T> {
  readonly bucket: TokenBucket;
  readonly result: T;
}

/** The buckets of every key. */
export interface TokenBuckets {
  /**
   * Reads the key's bucket (undefined: none kept) and keeps what `change` makes of it, with no
   * other change between; returns what `change` returns. When `change` throws nothing is kept.
   */
  change<T>(key: string, change: (bucket: TokenBucket | undefined) => BucketChange<T>): T;
  /** Forgets the buckets full again at `now` (refilled at `perMs` a millisecond up to `capacity`): they say nothing a new one would not. */
  forgetWhole(now: number, capacity: number, perMs: number): void;
  /** How many buckets are kept. */
  size(): number;
}

/** The tokens `bucket` holds at `now`, refilled at `perMs` a millisecond up to `capacity`. */
export function refilled(bucket: TokenBucket, now: number, capacity: number, perMs: number): number {
  return Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
}

/** Buckets in this process only. */
export function memoryTokenBuckets(): TokenBuckets {
  const buckets = new Map<string, TokenBucket>();
  return {
    change(key, change) {
      const { bucket, result } = change(buckets.get(key));
      buckets.set(key, bucket);
      return result;
    },
    forgetWhole(now, capacity, perMs) {
      for (const [key, bucket] of buckets) if (refilled(bucket, now, capacity, perMs) >= capacity) buckets.delete(key);
    },
    size: () => buckets.size,
  };
}
