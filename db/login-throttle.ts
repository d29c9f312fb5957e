/**
 * Wrong passwords counted by name and by address, in the board's database so that every backend
 * shares the counts (migrations v5 and v6). A name (or an address) with too many failures within the
 * window is locked until its lock runs out. A lock on a name spares the addresses that name has
 * logged in from (within KNOWN_FOR_MS): someone guessing from elsewhere, however long they keep at
 * it, never locks the real owner out of where they call from, and the owner logging in there lifts
 * nothing for the guesser. Failures are also counted per name and address together (a 'pair'),
 * the name's limit locking the pair on its own, whether or not the name is locked: a guesser sharing
 * the owner's address (a NAT, a reverse proxy) gets as many tries as anyone per lock time, and the
 * name's lock lifting gives them no more while the pair's holds.
 * Writes here run inside the caller's transaction (a durable conversation's journal commit), so a
 * replayed conversation never counts a failure twice.
 */
import type Database from 'better-sqlite3';

/** How long an address a name logged in from stays one its lock spares: 90 days. */
export const KNOWN_FOR_MS = 90 * 24 * 60 * 60 * 1000;

/** How many failures lock what, and for how long. */
export interface ThrottleRules {
  /** Wrong passwords for one name within `windowMs` that lock it. */
  readonly nameLockAfter: number;
  /** Wrong passwords from one address (any names) within `windowMs` that lock it; 0: never (not counted). */
  readonly addressLockAfter: number;
  /** How far back failures count, and how long a lock lasts. */
  readonly windowMs: number;
}

/** What is locked (`pair`: the name from this address), and until when (ms since the epoch). */
export interface LoginLock {
  readonly on: 'name' | 'pair' | 'address';
  readonly until: number;
}

/** The counts after a wrong password, and whether it just locked the name, the address, or the name from that address. */
export interface CountedFailure {
  readonly nameFailures: number;
  readonly addressFailures: number;
  /** The name's failures from this address (0 without one). */
  readonly pairFailures: number;
  readonly nameLockedUntil: number | undefined;
  readonly addressLockedUntil: number | undefined;
  /** The name's failures from this address reached the name's limit: the name is refused there until then, locked or not. */
  readonly pairLockedUntil: number | undefined;
}

/** The login throttle's table, as the store offers it. */
export interface LoginThrottle {
  /** The lock in force at `now` on `name` (unless `address` is one it logged in from), on the pair, or on `address`: the name's or pair's (the later) first. */
  lockOf(name: string, address: string | undefined, now: number): LoginLock | undefined;
  /** Counts a wrong password against `name`, `address` and the two together (the pair), locking each when it reaches its limit. */
  countFailure(name: string, address: string | undefined, now: number, rules: ThrottleRules): CountedFailure;
  /** The name's recent failures, counted before a lock lifted or the window passed are not. */
  failuresOf(name: string, now: number, windowMs: number): number;
  /**
   * A right password from `address`: the name's failures (and the name's from that address) are
   * forgotten unless a lock is in force on them (the guesser stays locked; an address's are never
   * forgotten), and the address is one the name logs in from.
   */
  succeeded(name: string, address: string | undefined, now: number): void;
  /** Deletes rows with no lock in force and no failure within `windowMs`, and addresses not used for KNOWN_FOR_MS; returns how many. */
  prune(now: number, windowMs: number): number;
}

interface Row {
  readonly failures: number;
  readonly firstAt: number;
  readonly lockedUntil: number | null;
}

type Kind = 'name' | 'address' | 'pair';

// A pair's key: the name and the address, which neither can contain a newline of.
const pairKey = (name: string, address: string): string => `${name}\n${address}`;

/** Prepares the throttle's statements on a migrated database; `write` runs each write. */
export function createLoginThrottle(db: Database.Database, write: <T>(what: string, run: () => T) => T): LoginThrottle {
  const sql = {
    get: db.prepare<[Kind, string], Row>('SELECT failures, first_at AS firstAt, locked_until AS lockedUntil FROM login_failures WHERE kind = ? AND key = ?'),
    put: db.prepare<[Kind, string, number, number, number, number | null]>(
      `INSERT INTO login_failures (kind, key, failures, first_at, last_at, locked_until) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, last_at = excluded.last_at, locked_until = excluded.locked_until`,
    ),
    forget: db.prepare<[Kind, string, number]>('DELETE FROM login_failures WHERE kind = ? AND key = ? AND (locked_until IS NULL OR locked_until <= ?)'),
    known: db.prepare<[string, string, number], { one: 1 }>('SELECT 1 AS one FROM login_known WHERE name = ? AND address = ? AND last_at > ?'),
    remember: db.prepare<[string, string, number]>(
      'INSERT INTO login_known (name, address, last_at) VALUES (?, ?, ?) ON CONFLICT (name, address) DO UPDATE SET last_at = excluded.last_at',
    ),
    prune: db.prepare<[number, number]>('DELETE FROM login_failures WHERE (locked_until IS NULL OR locked_until <= ?) AND last_at < ?'),
    pruneKnown: db.prepare<[number]>('DELETE FROM login_known WHERE last_at <= ?'),
  };

  // Failures still counting at `now`: none once a lock has lifted or the window has passed.
  function current(row: Row | undefined, now: number, windowMs: number): Row | undefined {
    if (row === undefined) return undefined;
    if (row.lockedUntil !== null && row.lockedUntil <= now) return undefined;
    if (row.lockedUntil === null && row.firstAt <= now - windowMs) return undefined;
    return row;
  }

  function count(kind: Kind, key: string, now: number, rules: ThrottleRules, limit: number): { failures: number; lockedUntil: number | undefined } {
    const before = current(sql.get.get(kind, key), now, rules.windowMs);
    // A failure during a lock (a password prompt opened before it) neither counts nor extends it.
    if (before?.lockedUntil != null) return { failures: before.failures, lockedUntil: undefined };
    const failures = (before?.failures ?? 0) + 1;
    const lockedUntil = failures >= limit ? now + rules.windowMs : undefined;
    sql.put.run(kind, key, failures, before?.firstAt ?? now, now, lockedUntil ?? null);
    return { failures, lockedUntil };
  }

  function lockOn(kind: Kind, key: string, now: number): number | undefined {
    const row = sql.get.get(kind, key);
    return row?.lockedUntil != null && row.lockedUntil > now ? row.lockedUntil : undefined;
  }

  // Name, address and pair counted together: a savepoint inside a journal commit, a transaction otherwise.
  const countTx = db.transaction((name: string, address: string | undefined, now: number, rules: ThrottleRules): CountedFailure => {
    const none = { failures: 0, lockedUntil: undefined };
    const byName = count('name', name, now, rules, rules.nameLockAfter);
    // 0: addresses are never locked (behind a reverse proxy every caller shares one).
    const byAddress = address === undefined || rules.addressLockAfter <= 0 ? none : count('address', address, now, rules, rules.addressLockAfter);
    // Counted even while the name is locked: that is when a spared address's failures must count.
    const byPair = address === undefined ? none : count('pair', pairKey(name, address), now, rules, rules.nameLockAfter);
    return {
      nameFailures: byName.failures,
      addressFailures: byAddress.failures,
      pairFailures: byPair.failures,
      nameLockedUntil: byName.lockedUntil,
      addressLockedUntil: byAddress.lockedUntil,
      pairLockedUntil: byPair.lockedUntil,
    };
  });

  return {
    lockOf(name, address, now) {
      const onName = lockOn('name', name, now);
      // A name's lock spares the addresses it logged in from lately; a pair's lock holds on its own.
      const spared = onName !== undefined && address !== undefined && sql.known.get(name, address, now - KNOWN_FOR_MS) !== undefined;
      const byName = onName === undefined || spared ? undefined : onName;
      const byPair = address === undefined ? undefined : lockOn('pair', pairKey(name, address), now);
      // Both in force: the caller is refused until the later lifts, so that is the one said.
      if (byPair !== undefined && (byName === undefined || byPair > byName)) return { on: 'pair', until: byPair };
      if (byName !== undefined) return { on: 'name', until: byName };
      const onAddress = address === undefined ? undefined : lockOn('address', address, now);
      return onAddress === undefined ? undefined : { on: 'address', until: onAddress };
    },
    // IMMEDIATE: the write lock is taken before the counts are read, so another backend's commit in
    // between cannot make the write fail (SQLITE_BUSY_SNAPSHOT) and the failure go uncounted.
    countFailure: (name, address, now, rules) => write('A wrong password', () => countTx.immediate(name, address, now, rules)),
    failuresOf(name, now, windowMs) {
      return current(sql.get.get('name', name), now, windowMs)?.failures ?? 0;
    },
    succeeded(name, address, now) {
      write('A right password', () => {
        sql.forget.run('name', name, now);
        if (address === undefined) return;
        sql.forget.run('pair', pairKey(name, address), now);
        sql.remember.run(name, address, now);
      });
    },
    prune: (now, windowMs) => write('Pruning login failures', () => sql.prune.run(now, now - windowMs).changes + sql.pruneKnown.run(now - KNOWN_FOR_MS).changes),
  };
}
