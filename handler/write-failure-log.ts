/**
 * How a backend logs a write that was not stored. A database file gone is said loudly once (at
 * `error`, naming the rescue copy), then quietly at `warn`, whoever noticed it first: a caller's
 * write or the backend's own watch on the file.
 */
import { describeError, type BbsError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Store } from '../db/store.js';
import { isWriteFailure, sqliteCodeOf, type WriteFailureCode } from '../db/write-failure.js';

const goneReported = new WeakSet<Store>();

/** Logs that `op` on `store` was not stored because of `err`, with the fields that say whose. */
export function logWriteFailure(log: Logger, store: Store, op: string, fields: Record<string, unknown>, err: BbsError): void {
  const record = { op, ...fields, error: describeError(err), code: err.code, sqlite: sqliteCodeOf(err), file: store.file };
  if (err.code !== 'BBS_ERR_DB_GONE') {
    log.error('write not stored', record);
  } else if (goneReported.has(store)) {
    log.warn('write not stored', record);
  } else {
    goneReported.add(store);
    log.error('database file gone: writes are off until restart', record);
  }
}

/** A write that could not be stored, as `storedOr`'s fallback is handed it. */
export type WriteFailure = BbsError & { readonly code: WriteFailureCode };

/** Runs `write`; a write that cannot be stored is logged, then answered by `fallback` (which may throw it on). */
export type StoredOr = <T>(op: string, fields: Record<string, unknown>, write: () => T, fallback: (err: WriteFailure) => T) => T;

/** The backend's one way to run a write: the services' (thrown on to the flow) and bookkeeping's (left) alike. */
export function createStoredOr(log: Logger, store: Store): StoredOr {
  return (op, fields, write, fallback) => {
    try {
      return write();
    } catch (err) {
      if (!isWriteFailure(err)) throw err;
      logWriteFailure(log, store, op, fields, err);
      return fallback(err);
    }
  };
}

/** Throws a write failure on, for a flow that tells the caller (a `storedOr` fallback). */
export function throwOn(err: WriteFailure): never {
  throw err;
}

/** Logs, unless a write did already, that `store`'s file is gone (`err` names the rescue copy). */
export function logFileGone(log: Logger, store: Store, err: BbsError): void {
  if (goneReported.has(store)) return;
  goneReported.add(store);
  log.error('database file gone: writes are off until restart', { error: describeError(err), code: err.code, file: store.file });
}
