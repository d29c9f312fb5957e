/**
 * A conversation's journal rows as a chain: each row names the one before it (`prev`), and the
 * conversation names its newest, so rows are appended, cut back and read back along the chain.
 */
import type Database from 'better-sqlite3';
import type { JournalRow } from './journal-types.js';

/** The chain's operations over the journal table, each inside the caller's transaction. */
export interface JournalChain {
  /** Appends rows after row `last` of conversation `id`; returns the new last row. */
  append(id: string, last: number | null, rows: readonly JournalRow[]): number | null;
  /** Deletes the rows numbered `from` and later (none when undefined); returns the last row left. */
  cut(last: number | null, from: number | undefined): number | null;
  /** Deletes the rows numbered `from` and later, newest first along the chain; returns the last row left. */
  dropRows(last: number | null, from: number): number | null;
  /** The rows numbered `from` and later, oldest first, read back along the chain. */
  rowsFrom(last: number | null, from: number): JournalRow[];
}

/** The journal chain's statements over a migrated database. */
export function createJournalChain(db: Database.Database): JournalChain {
  const sql = {
    row: db.prepare<[number], JournalRow & { prev: number | null }>('SELECT n, kind, print, seq, value, prev FROM journal WHERE id = ?'),
    append: db.prepare<[string, number, number | null, string, string, number | null, string | null]>(
      'INSERT INTO journal (conversation, n, prev, kind, print, seq, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteRow: db.prepare<[number]>('DELETE FROM journal WHERE id = ?'),
  };

  function append(id: string, last: number | null, rows: readonly JournalRow[]): number | null {
    let prev = last;
    for (const row of rows) prev = Number(sql.append.run(id, row.n, prev, row.kind, row.print, row.seq, row.value).lastInsertRowid);
    return prev;
  }

  function dropRows(last: number | null, from: number): number | null {
    let at = last;
    while (at !== null) {
      const row = sql.row.get(at);
      if (row === undefined || row.n < from) break;
      sql.deleteRow.run(at);
      at = row.prev;
    }
    return at;
  }

  function rowsFrom(last: number | null, from: number): JournalRow[] {
    const rows: JournalRow[] = [];
    for (let at = last; at !== null; ) {
      const row = sql.row.get(at);
      if (row === undefined || row.n < from) break;
      rows.push({ n: row.n, kind: row.kind, print: row.print, seq: row.seq, value: row.value });
      at = row.prev;
    }
    return rows.reverse();
  }

  return { append, cut: (last, from) => (from === undefined ? last : dropRows(last, from)), dropRows, rowsFrom };
}
