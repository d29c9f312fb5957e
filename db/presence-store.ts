/**
 * Who is on and who called, in the board's database: one presence row per open call (written by
 * the backend holding it, kept fresh by its heartbeat) and one calls row per login. A row whose
 * heartbeat is old belongs to a backend that died; it is not shown, and comes back when another
 * backend takes the call over (it rewrites owner and heartbeat).
 */
import type Database from 'better-sqlite3';

/** One call as who's online shows it. */
export interface OnlineCaller {
  readonly line: string;
  /** The caller's name, or null while logging in. */
  readonly name: string | null;
  readonly number: string;
  readonly door: string;
  readonly since: number;
  readonly doing: string;
}

/** One call as a sysop sees it (`m2bbs sysop who`): with who is on it and from where. */
export interface LiveCallRow extends OnlineCaller {
  readonly callerId: number | null;
  readonly remote: string | null;
}

/** One login as Last callers shows it. */
export interface PastCall {
  readonly name: string;
  readonly number: string;
  readonly door: string;
  readonly at: number;
}

/** What the backend writes of a call it holds. */
export interface PresenceRow {
  readonly line: string;
  readonly number: string;
  readonly door: string;
  readonly callerId: number | null;
  readonly name: string | null;
  readonly since: number;
  readonly doing: string;
  readonly owner: string;
  /** The caller's address as the server gave it (REMOTE_ADDR), shown to the sysop only. */
  readonly remote?: string | undefined;
}

/** What a caller's row says of them that changes during the call. */
export interface PresenceUpdate {
  readonly callerId: number | null;
  readonly name: string | null;
  readonly doing: string;
}

/** The presence and calls tables, as the store offers them. */
export interface PresenceStore {
  /** Writes the row of a call this backend holds now (opened, or taken over: owner and heartbeat rewritten). */
  hold(row: PresenceRow, now: number): void;
  /** The caller on `line` logged in as `name`, or is doing something else now. */
  update(line: string, owner: string, change: PresenceUpdate, now: number): void;
  /** Several callers' updates in one transaction (a savepoint inside the caller's own, if any). */
  updateMany(rows: readonly { readonly line: string; readonly change: PresenceUpdate }[], owner: string, now: number): void;
  /** The call on `line` ended: its row goes at once; returns what the row said (undefined: there was none). */
  close(line: string): { readonly number: string; readonly name: string | null; readonly doing: string } | undefined;
  /** One heartbeat for every row `owner` holds; old rows of backends long gone are removed. */
  beat(owner: string, now: number, staleBefore: number): void;
  /** Calls whose heartbeat is at or after `freshSince`, longest on first. */
  online(freshSince: number): OnlineCaller[];
  /** The same calls with the caller's id and address, for the sysop (never in a caller's journal). */
  live(freshSince: number): LiveCallRow[];
  /** Logs a login for Last callers, keeping the newest KEEP_CALLS. */
  logCall(call: { readonly callerId: number | null; readonly name: string; readonly number: string; readonly door: string }, now: number): void;
  /** The newest `limit` logins, newest first. */
  lastCallers(limit: number): PastCall[];
}

// Logins the calls table keeps: Last callers shows fewer.
const KEEP_CALLS = 100;

/** Prepares the presence statements on a migrated database; `write` runs each write. */
export function createPresenceStore(db: Database.Database, write: <T>(what: string, run: () => T) => T): PresenceStore {
  const sql = {
    hold: db.prepare<[string, string, string, number | null, string | null, number, string, string, number, string | null]>(
      `INSERT INTO presence (line, number, door, caller_id, name, since, doing, owner, heartbeat_at, remote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (line) DO UPDATE SET number = excluded.number, door = excluded.door, caller_id = excluded.caller_id, name = excluded.name,
         doing = excluded.doing, owner = excluded.owner, heartbeat_at = excluded.heartbeat_at, remote = coalesce(excluded.remote, presence.remote)`,
    ),
    update: db.prepare<[number | null, string | null, string, number, string, string]>('UPDATE presence SET caller_id = ?, name = ?, doing = ?, heartbeat_at = ? WHERE line = ? AND owner = ?'),
    close: db.prepare<[string], { number: string; name: string | null; doing: string }>('DELETE FROM presence WHERE line = ? RETURNING number, name, doing'),
    beat: db.prepare<[number, string]>('UPDATE presence SET heartbeat_at = ? WHERE owner = ?'),
    stale: db.prepare<[number]>('DELETE FROM presence WHERE heartbeat_at < ?'),
    online: db.prepare<[number], LiveCallRow>('SELECT line, name, number, door, since, doing, caller_id AS callerId, remote FROM presence WHERE heartbeat_at >= ? ORDER BY since, line'),
    logCall: db.prepare<[number | null, string, string, string, number]>('INSERT INTO calls (caller_id, name, number, door, at) VALUES (?, ?, ?, ?, ?)'),
    prune: db.prepare<[number]>('DELETE FROM calls WHERE id <= (SELECT id FROM calls ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    last: db.prepare<[number], PastCall>('SELECT name, number, door, at FROM calls ORDER BY id DESC LIMIT ?'),
  };
  const updateMany = db.transaction((rows: readonly { readonly line: string; readonly change: PresenceUpdate }[], owner: string, now: number) => {
    for (const { line, change } of rows) sql.update.run(change.callerId, change.name, change.doing, now, line, owner);
  });
  return {
    hold(row, now) {
      write('Who is online', () => sql.hold.run(row.line, row.number, row.door, row.callerId, row.name, row.since, row.doing, row.owner, now, row.remote ?? null));
    },
    update(line, owner, change, now) {
      write('Who is online', () => sql.update.run(change.callerId, change.name, change.doing, now, line, owner));
    },
    updateMany(rows, owner, now) {
      if (rows.length > 0) write('Who is online', () => updateMany(rows, owner, now));
    },
    close(line) {
      return write('Who is online', () => sql.close.get(line));
    },
    beat(owner, now, staleBefore) {
      write('Who is online', () => {
        sql.beat.run(now, owner);
        sql.stale.run(staleBefore);
      });
    },
    // Who's online is a journaled result: callers' ids and addresses stay out of it.
    online: (freshSince) => sql.online.all(freshSince).map(({ callerId: _id, remote: _remote, ...shown }) => shown),
    live: (freshSince) => sql.online.all(freshSince),
    logCall(call, now) {
      write('A call logged', () => {
        sql.logCall.run(call.callerId, call.name, call.number, call.door, now);
        sql.prune.run(KEEP_CALLS);
      });
    },
    lastCallers: (limit) => sql.last.all(limit),
  };
}
