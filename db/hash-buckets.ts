/**
 * Each address's bucket of password hashing (handler/hash-pacing.ts), kept in the board's database
 * (migration 20) so that every backend draws on the same one: with a bucket in each process, an
 * address had the burst once per backend.
 */
import type Database from 'better-sqlite3';
import { checkInteger, checkString } from './store-checks.js';

/** An address's hashing left (in hashes; below 0, turns booked ahead) as of `at` (ms since the epoch). */
export interface HashBucket {
  readonly tokens: number;
  readonly at: number;
}

/** What `change` makes of a bucket: the bucket to keep, and what to return. */
export interface BucketChange<T> {
  readonly bucket: HashBucket;
  readonly result: T;
}

/** The buckets of every address, as the store (or a process on its own) keeps them. */
export interface HashBuckets {
  /**
   * Reads the address's bucket (undefined: none kept) and keeps what `change` makes of it, with no
   * other backend's change between; returns what `change` returns. When `change` throws nothing is kept.
   */
  change<T>(address: string, change: (bucket: HashBucket | undefined) => BucketChange<T>): T;
  /** Forgets the buckets whole again at `now` (full at `perMs` a millisecond up to `burst`): they say nothing a new one would not. */
  forgetWhole(now: number, burst: number, perMs: number): void;
  /** How many buckets are kept. */
  size(): number;
}

/** Buckets in the board's database; `write` runs each write (a transaction of its own). */
export function createHashBuckets(db: Database.Database, write: <T>(what: string, run: () => T) => T): HashBuckets {
  const sql = {
    get: db.prepare<[string], HashBucket>('SELECT tokens, at FROM hash_buckets WHERE address = ?'),
    put: db.prepare<[string, number, number]>('INSERT INTO hash_buckets (address, tokens, at) VALUES (?, ?, ?) ON CONFLICT (address) DO UPDATE SET tokens = excluded.tokens, at = excluded.at'),
    forgetWhole: db.prepare<[number, number, number]>('DELETE FROM hash_buckets WHERE tokens + (? - at) * ? >= ?'),
    size: db.prepare('SELECT count(*) FROM hash_buckets').pluck(),
  };
  return {
    change(address, change) {
      checkString('address', address);
      // Immediate: the write lock is taken before the read, so two backends never book the same tokens.
      return write('A password hashing turn', () =>
        db
          .transaction(() => {
            const { bucket, result } = change(sql.get.get(address));
            sql.put.run(address, bucket.tokens, bucket.at);
            return result;
          })
          .immediate(),
      );
    },
    forgetWhole(now, burst, perMs) {
      checkInteger('now', now, 0);
      write('Forgetting hashing turns', () => sql.forgetWhole.run(now, perMs, burst));
    },
    size: () => sql.size.get() as number,
  };
}

/** Buckets in this process only (a board without a store, and the tests of the pacing itself). */
export function memoryHashBuckets(): HashBuckets {
  const buckets = new Map<string, HashBucket>();
  return {
    change(address, change) {
      const { bucket, result } = change(buckets.get(address));
      buckets.set(address, bucket);
      return result;
    },
    forgetWhole(now, burst, perMs) {
      for (const [address, bucket] of buckets) if (bucket.tokens + (now - bucket.at) * perMs >= burst) buckets.delete(address);
    },
    size: () => buckets.size,
  };
}
