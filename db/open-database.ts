import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

/** Opens (creating when needed) the SQLite database at `file`, configures it and migrates it to the latest schema. */
export function openDatabase(file: string): Database.Database {
  if (typeof file !== 'string') throw new TypeError(`Expected file to be a string, got ${typeof file}`);
  // ':memory:' and '' (an anonymous temporary database) have no folder of their own.
  const onDisk = file !== ':memory:' && file !== '';
  if (onDisk) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // busy_timeout first so that switching the journal mode also waits for other processes' locks.
    db.pragma('busy_timeout = 5000');
    if (onDisk) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
