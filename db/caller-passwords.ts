/**
 * Callers' passwords changed after sign-up: by the caller from the main menu, or reset by the
 * sysop to a one-time password (`callers.must_change_password`, migration 13), which works for
 * one login only, after which the caller must choose a new password before reaching the menu.
 */
import type Database from 'better-sqlite3';

/**
 * What a one-time password's hash becomes once a login used it: no password verifies against it
 * (db/password.ts reads it as malformed), so the one-time password works once.
 */
export const USED_ONE_TIME = '!one-time password used';

/** The password columns of callers, as the store offers them. */
export interface CallerPasswords {
  /** Stores a new password hash; `mustChange`: a one-time password, to be changed at the next login. Returns false when no such caller. */
  set(callerId: number, hash: string, mustChange: boolean): boolean;
  /** True when the caller's password is a one-time one (reset by the sysop, or used and not yet changed). */
  mustChange(callerId: number): boolean;
  /** A login used the caller's one-time password: it works no more, and the caller still must choose one. */
  useOneTime(callerId: number): void;
  /** True when `name` (any case) is a caller's the sysop deleted: no password opens it, and nobody can sign up as it. */
  closed(name: string): boolean;
}

/** Prepares the statements of callers' passwords on a migrated database; `write` runs each write. */
export function createCallerPasswords(db: Database.Database, write: <T>(what: string, run: () => T) => T): CallerPasswords {
  const sql = {
    set: db.prepare<[string, number, number]>('UPDATE callers SET password_hash = ?, must_change_password = ? WHERE id = ?'),
    mustChange: db.prepare<[number], number>('SELECT must_change_password FROM callers WHERE id = ?').pluck(),
    useOneTime: db.prepare<[string, number]>('UPDATE callers SET password_hash = ? WHERE id = ? AND must_change_password = 1'),
    closed: db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM callers WHERE name = ? AND deleted_at IS NOT NULL)').pluck(),
  };
  return {
    set: (callerId, hash, mustChange) => write('A password', () => sql.set.run(hash, mustChange ? 1 : 0, callerId).changes > 0),
    mustChange: (callerId) => sql.mustChange.get(callerId) === 1,
    useOneTime: (callerId) => void write('A one-time password used', () => sql.useOneTime.run(USED_ONE_TIME, callerId)),
    closed: (name) => sql.closed.get(name) === 1,
  };
}
