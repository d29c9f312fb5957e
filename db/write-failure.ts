/**
 * How a store write either commits or throws. better-sqlite3's `.get()` on `INSERT ... RETURNING`
 * returns the new row after the first step and ignores an error from the commit that follows,
 * so a post could be numbered and then rolled back (the number went to the next post). Store
 * writes therefore step their statement to the end (`.all()` or `.run()`, which report a failed
 * commit) or run in a transaction whose COMMIT is its own statement, and SQLite's refusals become
 * BbsErrors that flows can tell the caller about.
 */
import Database from 'better-sqlite3';
import { BbsError, isBbsError, type ErrorCode } from '../common/errors.js';
import type { FileCheck } from './file-identity.js';

/** The codes a store write that was not stored throws. */
export const WRITE_FAILURE_CODES = ['BBS_ERR_DB_FULL', 'BBS_ERR_DB_WRITE', 'BBS_ERR_DB_GONE'] as const satisfies readonly ErrorCode[];

/** One of WRITE_FAILURE_CODES. */
export type WriteFailureCode = (typeof WRITE_FAILURE_CODES)[number];

/** True when `err` says a store write was not stored (disk full, unwritable, file gone). */
export function isWriteFailure(err: unknown): err is BbsError & { readonly code: WriteFailureCode } {
  return isBbsError(err) && (WRITE_FAILURE_CODES as readonly string[]).includes(err.code);
}

/** The SQLite result code behind a write failure, for the log. */
export function sqliteCodeOf(err: unknown): string | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof Database.SqliteError ? cause.code : undefined;
}

// Codes that mean "not stored because of the file or the disk", not a bug in the statement.
const UNWRITABLE = /^SQLITE_(READONLY|IOERR|CANTOPEN|PERM|BUSY|LOCKED|PROTOCOL|NOLFS|CORRUPT|NOTADB)/;

function translate(err: unknown, what: string, file: string): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  if (err.code === 'SQLITE_FULL') {
    return new BbsError('BBS_ERR_DB_FULL', `${what} was not stored: ${file} is full (disk full or --db-max-size reached)`, { cause: err });
  }
  if (UNWRITABLE.test(err.code)) {
    return new BbsError('BBS_ERR_DB_WRITE', `${what} was not stored: ${file} cannot be written (${err.code}: ${err.message})`, { cause: err });
  }
  return err;
}

/**
 * Runs writes for the store: each checks the file is still there, then runs `write`, which must
 * itself commit or throw (see above); SQLite's refusals are translated. A write after the store
 * closed (a caller's clean-up finishing as the backend stops) is a write failure like the others,
 * not a TypeError thrown from a timer, nor a look for the file (it may be gone by then).
 */
export function writeRunner(db: Database.Database, checkFile: FileCheck): <T>(what: string, write: () => T) => T {
  return <T>(what: string, write: () => T): T => {
    if (!db.open) throw new BbsError('BBS_ERR_DB_WRITE', `${what} was not stored: ${db.name} is closed (this backend is stopping)`);
    checkFile();
    try {
      return write();
    } catch (err) {
      throw translate(err, what, db.name);
    }
  };
}
