/**
 * Drafts (migration 19): what a caller was writing when their line ended under them (they hung up,
 * idled, or were hung up on), kept for their next call, where it is shown to them once. One per
 * caller, the latest: a draft is at most a message's length, so a caller holds one bounded row.
 */
import type Database from 'better-sqlite3';
import { checkInteger, checkString } from './store-checks.js';

/** A draft kept for a caller: what it was ("a message", "mail to bob"), its text, when kept. */
export interface Draft {
  readonly what: string;
  readonly body: string;
  readonly keptAt: number;
}

/** The drafts table, as the store offers it. */
export interface Drafts {
  /** Keeps `body` as the caller's draft, in place of any older one. */
  keep(callerId: number, what: string, body: string, now: number): void;
  /** The caller's draft, deleted as it is given (shown once); undefined for none. */
  take(callerId: number): Draft | undefined;
}

/** Prepares the statements of drafts on a migrated database; `write` runs each write. */
export function createDrafts(db: Database.Database, write: <T>(what: string, run: () => T) => T): Drafts {
  const sql = {
    keep: db.prepare<[number, string, string, number]>(
      'INSERT INTO drafts (caller_id, what, body, kept_at) VALUES (?, ?, ?, ?) ON CONFLICT (caller_id) DO UPDATE SET what = excluded.what, body = excluded.body, kept_at = excluded.kept_at',
    ),
    take: db.prepare<[number], Draft>('DELETE FROM drafts WHERE caller_id = ? RETURNING what, body, kept_at AS keptAt'),
  };
  return {
    keep(callerId, what, body, now) {
      checkInteger('callerId', callerId, 1);
      checkString('what', what);
      checkString('body', body);
      checkInteger('now', now, 0);
      write('A draft', () => sql.keep.run(callerId, what, body, now));
    },
    take(callerId) {
      checkInteger('callerId', callerId, 1);
      // .all(): a DELETE ... RETURNING read with .get() would not report a failed commit.
      return write('Taking a draft', () => sql.take.all(callerId)[0]);
    },
  };
}
