/**
 * Each address's bucket of password hashing (handler/hash-pacing.ts), kept in the board's database
 * (migration 20) so that every backend draws on the same one: with a bucket in each process, an
 * address had the burst once per backend.
 */
import type Database from 'better-sqlite3';
import type { TokenBucket, TokenBuckets } from '../common/token-buckets.js';
import { checkInteger, checkString } from './store-checks.js';

/** Each address's hashing left (in hashes; below 0, turns booked ahead): token buckets by address. */
export type HashBuckets = TokenBuckets;

/** Buckets in the board's database; `write` runs each write (a transaction of its own). */
export function createHashBuckets(db: Database.Database, write: <T>(what: string, run: () => T) => T): HashBuckets {
  const sql = {
    get: db.prepare<[string], TokenBucket>('SELECT tokens, at FROM hash_buckets WHERE address = ?'),
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
