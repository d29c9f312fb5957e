/**
 * What the chat scenario reads of the BBS's SQLite file while it runs: the journal's newest row
 * id (rows written between two readings: what the window's events and lines cost the journal)
 * and the file's size with its write-ahead log. Read-only, beside the running BBS (WAL mode).
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';

/** The newest journal row id, 0 when there is none; undefined when the file cannot be read. */
export function journalHighWater(file: string): number | undefined {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT max(id) AS id FROM journal').get() as { id: number | null } | undefined;
      return row?.id ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

/** The database file's size plus its write-ahead log's, in bytes (0 for a part not there). */
export function databaseBytes(file: string): number {
  let total = 0;
  for (const part of [file, `${file}-wal`]) {
    try {
      total += statSync(part).size;
    } catch {
      // not there
    }
  }
  return total;
}
