import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

const BUSY_TIMEOUT_MS = 5000;
const RETRY_PAUSE_MS = 10;

/** Opens (creating when needed) the SQLite database at `file`, configures it and migrates it to the latest schema. */
export function openDatabase(file: string): Database.Database {
  if (typeof file !== 'string') throw new TypeError(`Expected file to be a string, got ${typeof file}`);
  // ':memory:' and '' (an anonymous temporary database) have no folder of their own.
  const onDisk = file !== ':memory:' && file !== '';
  if (onDisk) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // busy_timeout first so that switching the journal mode also waits for other processes' locks.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (onDisk) switchToWal(db);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
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
