import Database from 'better-sqlite3';
import { BbsError, isBbsError } from '../common/errors.js';
import { ensureDatabaseFile, prepareFolder, writeMarker } from './db-files.js';
import { rememberFile } from './file-identity.js';
import { migrate } from './migrations.js';

/** How long a statement waits for another process's lock before SQLite says SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
const RETRY_PAUSE_MS = 10;

/** How to open the database. */
export interface OpenOptions {
  /** Largest size the database may grow to, in bytes (SQLite's max_page_count); writes past it fail as a full disk would. */
  readonly maxBytes?: number;
}

/**
 * Opens the SQLite database at `file`, configures it and migrates it to the latest schema. It
 * creates the file (0600, in a 0700 folder it makes) only on the very first start: a database
 * that was there and is gone is refused with BBS_ERR_DB_MISSING (see db-files.ts).
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  if (typeof file !== 'string') throw new TypeError(`Expected file to be a string, got ${typeof file}`);
  const { maxBytes } = options;
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 1)) {
    throw new RangeError(`Expected maxBytes to be a positive integer, got ${String(maxBytes)}`);
  }
  // ':memory:' and '' (an anonymous temporary database) have no folder of their own.
  const onDisk = file !== ':memory:' && file !== '';
  if (onDisk) {
    cannotOpen(file, () => prepareFolder(file));
    cannotOpen(file, () => ensureDatabaseFile(file));
  }
  // fileMustExist: a file deleted between the check above and here is not silently made anew.
  const db = cannotOpen(file, () => new Database(file, { fileMustExist: onDisk }));
  try {
    rememberFile(db);
    // busy_timeout first so that switching the journal mode also waits for other processes' locks.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (onDisk) switchToWal(db);
    // In WAL, NORMAL survives any crash of the process (what durable conversations must
    // survive) without an fsync per commit; only a power loss may roll back the last commits.
    if (onDisk) db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    if (maxBytes !== undefined) capSize(db, maxBytes);
    if (onDisk) writeMarker(file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Runs `step`; a file-system refusal (ENOTDIR, EACCES, SQLite's CANTOPEN) becomes one plain BBS_ERR_DB_OPEN line. */
function cannotOpen<T>(file: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (isBbsError(err)) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^(E[A-Z]+|SQLITE_CANTOPEN\w*|SQLITE_PERM|SQLITE_READONLY\w*)$/.test(code)) throw err;
    throw new BbsError('BBS_ERR_DB_OPEN', `m2bbs: cannot open the database ${file}: ${(err as Error).message}. Choose another with --db FILE or M2BBS_DB.`, { cause: err });
  }
}

/**
 * Puts the file in WAL mode. Backends started together on a new file all switch it at once, and
 * SQLite answers some of them SQLITE_BUSY straight away rather than through the busy handler
 * (waiting there could deadlock), so this waits and tries again, for as long as the busy timeout.
 */
function switchToWal(db: Database.Database): void {
  const giveUpAt = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= giveUpAt) throw err;
    }
    // Start-up only: block this thread for a moment, as the busy handler itself does.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_PAUSE_MS);
  }
}

/** Caps the database at `maxBytes`, rounded down to whole pages; SQLite never sets it below the current size. */
function capSize(db: Database.Database, maxBytes: number): void {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
}
