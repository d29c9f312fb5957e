/**
 * A conversation's journal rows as a chain: each row names the one before it (`prev`), and the
 * conversation names its newest, so rows are appended, cut back and read back along the chain.
 */
import type Database from 'better-sqlite3';
import type { JournalRow } from './journal-types.js';

/** The chain's operations over the journal table, each inside the caller's transaction. */
export interface JournalChain {
  /** Appends rows after row `last` of conversation `id`; returns the new last row. Their shared values must be stored first (`share`). */
  append(id: string, last: number | null, rows: readonly JournalRow[]): number | null;
  /** Stores the shared values of `rows` (each once, whoever stored it first), dated `now`; `stored`: keys this transaction stored already. */
  share(rows: Iterable<JournalRow>, now: number, stored?: Set<string>): void;
  /** Deletes the rows numbered `from` and later (none when undefined); returns the last row left. */
  cut(last: number | null, from: number | undefined): number | null;
  /** Deletes the rows numbered `from` and later, newest first along the chain; returns the last row left. */
  dropRows(last: number | null, from: number): number | null;
  /** The rows numbered `from` and later, oldest first, read back along the chain. */
  rowsFrom(last: number | null, from: number): JournalRow[];
  /**
   * Cuts the chain before the latest checkpoint (or start) numbered `keepFrom` or lower, which
   * becomes its first row: returns that row's number and the newest row cut off (null for none),
   * which dropRows(row, -1) or dropSlice delete; undefined when no such checkpoint was found
   * (nothing cut). A takeover never reads that far back (MAX_ROWS_BEFORE_START), so only a sysop's
   * replay of the call sees less.
   */
  cutHistory(last: number | null, keepFrom: number): { readonly firstN: number; readonly cutOff: number | null } | undefined;
  /** Deletes up to `limit` rows of a chain cut off, from its newest `row` on; returns the row to go on from (null: done). */
  dropSlice(row: number | null, limit: number): number | null;
  /**
   * The rows a takeover replays: from `from` (the latest checkpoint), or from an earlier checkpoint
   * when rows before `from` read an input the caller never saw answered (input numbers above
   * `answered`): a backend that died between its commit and its replies wrote the checkpoint its
   * flow reached after that input, and the screens between are not in any row, only in the code.
   */
  rowsToReplay(last: number | null, from: number, answered: number | undefined): JournalRow[];
}

// Rows read back past the latest checkpoint at most, looking for where an unanswered input began:
// a takeover costs a bounded read whatever input number a caller claims to have seen answered.
export const MAX_ROWS_BEFORE_START = 256;

const isBoundary = (row: JournalRow): boolean => row.kind === 'checkpoint' || row.kind === 'start';
const unanswered = (rows: readonly JournalRow[], answered: number): boolean => rows.some((row) => row.kind === 'line' && row.seq !== null && row.seq > answered);

/** The journal chain's statements over a migrated database. */
export function createJournalChain(db: Database.Database): JournalChain {
  const sql = {
    // A row naming a shared value reads as if it held it.
    row: db.prepare<[number], JournalRow & { prev: number | null }>(
      'SELECT j.n, j.kind, j.print, j.seq, coalesce(s.value, j.value) AS value, j.prev FROM journal j LEFT JOIN journal_shared s ON s.key = j.shared WHERE j.id = ?',
    ),
    append: db.prepare<[string, number, number | null, string, string, number | null, string | null, string | null]>(
      'INSERT INTO journal (conversation, n, prev, kind, print, seq, value, shared) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    share: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO journal_shared (key, value, at) VALUES (?, ?, ?)'),
    deleteRow: db.prepare<[number]>('DELETE FROM journal WHERE id = ?'),
    // A row's place in the chain without its value: a walk past rows of up to 64 KiB reads none of it.
    link: db.prepare<[number], { n: number; kind: string; prev: number | null }>('SELECT n, kind, prev FROM journal WHERE id = ?'),
    unlink: db.prepare<[number]>('UPDATE journal SET prev = NULL WHERE id = ?'),
  };

  function append(id: string, last: number | null, rows: readonly JournalRow[]): number | null {
    let prev = last;
    for (const row of rows) {
      const { shared } = row;
      prev = Number(sql.append.run(id, row.n, prev, row.kind, row.print, row.seq, shared === undefined ? row.value : null, shared?.key ?? null).lastInsertRowid);
    }
    return prev;
  }

  // A room's listeners commit together, each row naming the same value: one insert for them all.
  function share(rows: Iterable<JournalRow>, now: number, stored = new Set<string>()): void {
    for (const { shared } of rows) {
      if (shared === undefined || stored.has(shared.key)) continue;
      sql.share.run(shared.key, shared.value, now);
      stored.add(shared.key);
    }
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

  // Reads back along the chain from row `at`: rows numbered `from` and later, or (`from` undefined)
  // up to and including the first checkpoint or start met, at most `limit`; oldest first, with
  // the row before them (null at the chain's start) and whether the read ended where it should.
  function readBack(at: number | null, from: number | undefined, limit = Infinity): { rows: JournalRow[]; before: number | null; whole: boolean } {
    const rows: JournalRow[] = [];
    while (at !== null) {
      if (rows.length >= limit) return { rows: rows.reverse(), before: at, whole: false };
      const row = sql.row.get(at);
      if (row === undefined || (from !== undefined && row.n < from)) break;
      const taken: JournalRow = { n: row.n, kind: row.kind, print: row.print, seq: row.seq, value: row.value };
      rows.push(taken);
      at = row.prev;
      if (from === undefined && isBoundary(taken)) break;
    }
    return { rows: rows.reverse(), before: at, whole: true };
  }

  const rowsFrom = (last: number | null, from: number): JournalRow[] => readBack(last, from).rows;

  function rowsToReplay(last: number | null, from: number, answered: number | undefined): JournalRow[] {
    const latest = readBack(last, from);
    let rows = latest.rows;
    let before = latest.before;
    let budget = MAX_ROWS_BEFORE_START;
    // Checkpoint by checkpoint back, while the stretch before the start read an unanswered input;
    // never past a fresh start (what came before it belongs to a flow started again).
    while (answered !== undefined && before !== null && budget > 0 && rows[0]?.kind !== 'start') {
      const stretch = readBack(before, undefined, budget);
      if (!stretch.whole || !unanswered(stretch.rows, answered)) break;
      rows = [...stretch.rows, ...rows];
      before = stretch.before;
      budget -= stretch.rows.length;
    }
    return rows;
  }

  function cutHistory(last: number | null, keepFrom: number): { readonly firstN: number; readonly cutOff: number | null } | undefined {
    for (let at = last; at !== null; ) {
      const row = sql.link.get(at);
      if (row === undefined) return undefined;
      if (row.n <= keepFrom && (row.kind === 'checkpoint' || row.kind === 'start')) {
        sql.unlink.run(at);
        return { firstN: row.n, cutOff: row.prev };
      }
      at = row.prev;
    }
    return undefined;
  }

  function dropSlice(row: number | null, limit: number): number | null {
    let at = row;
    for (let dropped = 0; at !== null && dropped < limit; dropped++) {
      const link = sql.link.get(at);
      if (link === undefined) return null;
      sql.deleteRow.run(at);
      at = link.prev;
    }
    return at;
  }

  return { append, share, cut: (last, from) => (from === undefined ? last : dropRows(last, from)), dropRows, rowsFrom, rowsToReplay, cutHistory, dropSlice };
}
