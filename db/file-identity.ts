/**
 * Whether the database file a connection has open is still the one at its path. A file deleted
 * or replaced under a running backend keeps taking writes through the open descriptor, and they
 * are lost when the backend stops; checking before each write turns that into a refusal.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { BbsError } from '../common/errors.js';

interface Identity {
  readonly dev: number;
  readonly ino: number;
}

const remembered = new WeakMap<Database.Database, Identity>();

function identityOf(file: string): Identity | undefined {
  try {
    const { dev, ino } = statSync(file);
    return { dev, ino };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Notes which file `db` has open, right after opening it; in-memory databases have none. */
export function rememberFile(db: Database.Database): void {
  if (db.memory) return;
  const identity = identityOf(db.name);
  if (identity !== undefined) remembered.set(db, identity);
}

/** A check to run before each write: throws BBS_ERR_DB_GONE, from then on, once the path names another file or none. */
export type FileCheck = () => void;

/** Makes the write check for `db`, from the identity noted at open (or noted now). */
export function fileCheck(db: Database.Database): FileCheck {
  if (db.memory) return () => {};
  if (!remembered.has(db)) rememberFile(db);
  const expected = remembered.get(db);
  let gone: BbsError | undefined;
  return () => {
    if (gone !== undefined) throw gone;
    const now = identityOf(db.name);
    if (expected !== undefined && now !== undefined && now.dev === expected.dev && now.ino === expected.ino) return;
    // Sticky: a file put back at the path later is still not the one this connection writes to.
    gone = new BbsError(
      'BBS_ERR_DB_GONE',
      now === undefined
        ? `The database file ${db.name} was deleted while this backend had it open; writes are off until the backend is restarted`
        : `The database file ${db.name} was replaced while this backend had it open; writes are off until the backend is restarted`,
    );
    throw gone;
  };
}
