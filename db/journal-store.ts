/**
 * The conversations table and their journals (docs/design/durable-conversations.md): who owns a
 * conversation (its fencing epoch), where its replay starts, and the rows its flow consumed.
 * Every change commits through the store's write runner, so a refusal of the disk is the same
 * BBS_ERR_DB_* error as any other write.
 */
import Database from 'better-sqlite3';
import { BbsError } from '../common/errors.js';
import type { Claim, ClaimOptions, CommitEntry, CommitResult, Committed, JournalChange, JournalPosition, JournalRow, JournalStore, WriteOutcome } from './journal-types.js';
import { createJournalChain, MAX_ROWS_BEFORE_START } from './journal-chain.js';
import { BUSY_TIMEOUT_MS } from './open-database.js';

export type {
  Claim,
  ClaimOptions,
  CommitEntry,
  CommitResult,
  Committed,
  ConversationHistory,
  JournalChange,
  JournalPosition,
  JournalRow,
  JournalStore,
  PendingWrite,
  RowKind,
  SharedValue,
  SilentSince,
  WriteOutcome,
} from './journal-types.js';

type WriteRunner = <T>(what: string, write: () => T) => T;

/** How much longer than the ended conversations' journals the values they share are kept. */
const SHARED_KEPT_LONGER_MS = 24 * 3600_000;

/**
 * Rows a call keeps before the one a takeover replays from, for a sysop's replay of it: past twice
 * as many, the older ones go (from a checkpoint on), so a caller typing at the menu for hours, or
 * chatting all day, holds a bounded journal, not every line since they called. 8,000 rows are
 * about 2,000 menu choices: hours of a person's call, so only a flood pays for the deleting (the
 * menu walk of the bench, every caller trimming at 1,000, spent 25 to 35% more CPU an input).
 */
export const KEPT_HISTORY_ROWS = Math.max(4000, 2 * MAX_ROWS_BEFORE_START);

// Rows cut off a call's history deleted in one commit.
const TRIM_SLICE = 100;

interface ConversationRow {
  epoch: number;
  last_row: number | null;
  /** The newest row cut off the history and not deleted yet (see advance). */
  trim_row: number | null;
  conn: number;
  remote: string | null;
  owner: string;
  start_n: number;
  next_n: number;
  last_seq: number;
  last_part: number;
  caller_id: number | null;
  opened_at: number;
  heard_at: number;
  closed_at: number | null;
}

/** The journal's statements over a migrated database, committing through `write`. */
export function createJournalStore(db: Database.Database, write: WriteRunner): JournalStore {
  const sql = {
    find: db.prepare<[string], ConversationRow>(
      'SELECT epoch, last_row, trim_row, conn, remote, owner, start_n, next_n, last_seq, last_part, caller_id, opened_at, heard_at, closed_at FROM conversations WHERE id = ?',
    ),
    create: db.prepare<[string, string, string, number, string | null, number, number, number, number]>(
      'INSERT INTO conversations (id, epoch, owner, code, conn, remote, last_seq, last_part, opened_at, heard_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    takeOver: db.prepare<[string, number, number, string]>('UPDATE conversations SET epoch = epoch + 1, owner = ?, conn = ?, heard_at = ? WHERE id = ?'),
    advance: db.prepare<[number, number, number, number, number | null, number, number | null, string, number], { kept: number; tried: number; trim: number | null }>(
      `UPDATE conversations SET next_n = ?, start_n = ?, last_seq = ?, last_part = ?, caller_id = coalesce(?, caller_id), heard_at = ?, last_row = ?
       WHERE id = ? AND epoch = ? AND closed_at IS NULL RETURNING kept_from_n AS kept, history_tried_n AS tried, trim_row AS trim`,
    ),
    historyTried: db.prepare<[number, number, number | null, string]>('UPDATE conversations SET history_tried_n = ?, kept_from_n = ?, trim_row = ? WHERE id = ?'),
    trimmed: db.prepare<[number | null, string]>('UPDATE conversations SET trim_row = ? WHERE id = ?'),
    close: db.prepare<[number, string, number]>('UPDATE conversations SET closed_at = ? WHERE id = ? AND epoch = ? AND closed_at IS NULL'),
    closeAnyEpoch: db.prepare<[number, string]>('UPDATE conversations SET closed_at = ? WHERE id = ? AND closed_at IS NULL'),
    serverEpoch: db.prepare<[string], number>('SELECT epoch FROM server_epochs WHERE uuid = ?').pluck(),
    bumpServer: db.prepare<[string]>('INSERT INTO server_epochs (uuid, epoch) VALUES (?, 1) ON CONFLICT (uuid) DO UPDATE SET epoch = epoch + 1'),
    closeServer: db.prepare<[number, number, string]>('UPDATE conversations SET closed_at = ? WHERE closed_at IS NULL AND substr(id, 1, ?) = ?'),
    holds: db.prepare<[string, number], number>('SELECT 1 FROM conversations WHERE id = ? AND epoch = ? AND closed_at IS NULL').pluck(),
    lastSeq: db.prepare<[string], number>('SELECT last_seq FROM conversations WHERE id = ? AND closed_at IS NULL').pluck(),
    closeSilentGuests: db.prepare<[number, number]>('UPDATE conversations SET closed_at = ? WHERE closed_at IS NULL AND caller_id IS NULL AND heard_at < ?'),
    closeSilentCallers: db.prepare<[number, number]>('UPDATE conversations SET closed_at = ? WHERE closed_at IS NULL AND caller_id IS NOT NULL AND heard_at < ?'),
    oldClosed: db.prepare<[number, number, number], { id: string; lastRow: number | null; trimRow: number | null }>(
      'SELECT id, last_row AS lastRow, trim_row AS trimRow FROM conversations WHERE closed_at IS NOT NULL AND (closed_at < ? OR (caller_id IS NULL AND closed_at < ?)) LIMIT +?',
    ),
    dropConversation: db.prepare<[string]>('DELETE FROM conversations WHERE id = ?'),
    oldestClosed: db.prepare<[number], { id: string; lastRow: number | null; trimRow: number | null }>(
      'SELECT id, last_row AS lastRow, trim_row AS trimRow FROM conversations WHERE closed_at IS NOT NULL ORDER BY closed_at LIMIT ?',
    ),
    // The pages of the journal's tables and their indexes (SQLite's dbstat): a walk of them, so read seldom.
    journalBytes: db.prepare("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'journal%' OR name LIKE 'sqlite^_autoindex^_journal%' ESCAPE '^'").pluck(),
    history: db.prepare<[string], { last_row: number | null; caller_id: number | null; opened_at: number; closed_at: number | null; kept_from_n: number }>(
      'SELECT last_row, caller_id, opened_at, closed_at, kept_from_n FROM conversations WHERE id = ?',
    ),
    // Prepared once: a commit tried while another backend writes sets them each time.
    noWait: db.prepare('PRAGMA busy_timeout = 0'),
    wait: db.prepare(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`),
    // Shared values outlive the ended conversations whose rows name them (SHARED_KEPT_LONGER_MS:
    // a value is stored during the call, before it ended); an open call replays from a room
    // checkpoint at most hours old, and a value gone reads as a journal that does not fit.
    dropShared: db.prepare<[number, number]>('DELETE FROM journal_shared WHERE key IN (SELECT key FROM journal_shared WHERE at < ? LIMIT ?)'),
  };

  const { append, share, cut, dropRows, rowsFrom, rowsToReplay, cutHistory, dropSlice } = createJournalChain(db);

  // Moves the conversation to `at` (false: another backend holds it now); its history is trimmed
  // once it runs more than twice KEPT_HISTORY_ROWS before the row a takeover replays from: the
  // chain is cut at a checkpoint, and what was cut off is deleted TRIM_SLICE rows a commit (a
  // commit shared with other callers is held up a millisecond or so, not by a thousand deletes).
  // A try that finds no checkpoint to cut at (a long read of the board) waits for the replay start
  // to move on KEPT_HISTORY_ROWS before the next: each walks the chain back that far, and more.
  function advance(id: string, epoch: number, at: Omit<JournalPosition, 'lastRow'>, now: number, last: number | null): boolean {
    const found = sql.advance.all(at.nextN, at.startN, at.lastSeq, at.lastPart, at.callerId, now, last, id, epoch)[0];
    if (found === undefined) return false;
    if (found.trim !== null) {
      sql.trimmed.run(dropSlice(found.trim, TRIM_SLICE), id);
    } else if (at.startN - found.kept > 2 * KEPT_HISTORY_ROWS && at.startN - found.tried >= KEPT_HISTORY_ROWS) {
      const cut = cutHistory(last, at.startN - KEPT_HISTORY_ROWS);
      sql.historyTried.run(at.startN, cut?.firstN ?? found.kept, cut?.cutOff ?? null, id);
    }
    return true;
  }

  const claimTx = db.transaction((id: string, owner: string, code: string, now: number, options: ClaimOptions): Claim => {
    const { staleBefore, conn } = options;
    const found = sql.find.get(id);
    const silentBefore = found === undefined || staleBefore === undefined ? undefined : found.caller_id === null ? staleBefore.notLoggedIn : staleBefore.loggedIn;
    // A numbered line the ended conversation had read is its own caller's, sent again when the
    // answer was lost with its backend: the call ended (the line closes), it does not start again.
    const readBeforeEnd = found?.closed_at != null && options.typed === true && options.seq !== undefined && options.seq > 0 && found.last_seq >= options.seq && found.remote === (options.remote ?? null);
    const old =
      found !== undefined &&
      staleBefore !== undefined &&
      !readBeforeEnd &&
      (found.closed_at !== null || (silentBefore !== undefined && found.heard_at < silentBefore) || (options.remote !== undefined && found.remote !== options.remote));
    if (found === undefined || old) {
      if (old) {
        dropRows(found.last_row, -1);
        dropRows(found.trim_row, -1);
        sql.dropConversation.run(id);
      }
      const lastSeq = options.seq ?? 0;
      const lastPart = options.part ?? -1;
      sql.create.run(id, owner, code, conn ?? 0, options.remote ?? null, lastSeq, lastPart, now, now);
      return { epoch: 1, created: true, closed: false, stale: false, position: { nextN: 0, startN: 0, lastSeq, lastPart, callerId: null, lastRow: null }, previousOwner: undefined, heardAt: now, openedAt: now, rows: [] };
    }
    const position: JournalPosition = { nextN: found.next_n, startN: found.start_n, lastSeq: found.last_seq, lastPart: found.last_part, callerId: found.caller_id, lastRow: found.last_row };
    const stale = conn !== undefined && conn <= found.conn;
    if (found.closed_at !== null || stale) {
      return { epoch: found.epoch, created: false, closed: found.closed_at !== null, stale, position, previousOwner: found.owner, heardAt: found.heard_at, openedAt: found.opened_at, rows: [] };
    }
    sql.takeOver.run(owner, conn ?? found.conn, now, id);
    return { epoch: found.epoch + 1, created: false, closed: false, stale: false, position, previousOwner: found.owner, heardAt: found.heard_at, openedAt: found.opened_at, rows: rowsToReplay(found.last_row, found.start_n, options.answered !== undefined && options.answered < found.last_seq ? options.answered : undefined) };
  });

  // The fencing check is the position's UPDATE: where it changes nothing, another backend holds
  // the conversation, and what was written for it is rolled back to the savepoint.
  const writeTx = db.transaction((run: () => unknown): unknown => run());
  const commitOneTx = db.transaction(({ id, epoch, change, position, write }: CommitEntry, now: number): CommitResult => {
    let last = append(id, cut(change.after, change.dropFrom), change.rows);
    let outcome: WriteOutcome | undefined;
    if (write !== undefined) {
      try {
        outcome = { ok: true, value: writeTx(write.run) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      // SQLite rolls a whole transaction back on some errors (a full disk) that the write met:
      // what follows must not commit statement by statement.
      if (!db.inTransaction) throw new Error('the journal transaction was rolled back by SQLite during a write');
      last = append(id, last, [write.row(outcome)]);
    }
    if (!advance(id, epoch, position, now, last)) throw new FencedOut();
    return { lastRow: last, outcome };
  });
  // Shared values go in before any conversation's savepoint: one fenced out and rolled back must
  // not take away a value the others' rows name.
  const commitManyTx = db.transaction((entries: readonly CommitEntry[], now: number, alongside?: () => void): CommitResult[] => {
    if (alongside !== undefined) {
      alongside();
      if (!db.inTransaction) throw new Error('the journal transaction was rolled back by SQLite during a write alongside it');
    }
    const stored = new Set<string>();
    for (const entry of entries) share(entry.change.rows, now, stored);
    return entries.map((entry) => {
      try {
        return commitOneTx(entry, now);
      } catch (error) {
        if (error instanceof FencedOut) return false;
        throw error;
      }
    });
  });
  // Made once: better-sqlite3 builds a transaction's wrappers at each db.transaction(), a fifth
  // of a commit's CPU when it was made per commit (bench/journal-commit-cost.ts).
  const commitTx = db.transaction(
    (id: string, epoch: number, change: JournalChange, position: () => Omit<JournalPosition, 'lastRow'>, now: number, run?: () => unknown, after?: (value: unknown) => readonly JournalRow[]): Committed<unknown> => {
      share(change.rows, now);
      let last = append(id, cut(change.after, change.dropFrom), change.rows);
      let value: unknown;
      if (run !== undefined) {
        value = run();
        // SQLite rolls a whole transaction back on some errors (a full disk) that a service may
        // have caught: what follows must not commit statement by statement.
        if (!db.inTransaction) throw new Error('the journal transaction was rolled back by SQLite during a write');
        if (after !== undefined) last = append(id, last, after(value));
      }
      if (!advance(id, epoch, position(), now, last)) throw taken(id, epoch);
      return { value, lastRow: last };
    },
  );

  function taken(id: string, epoch: number): BbsError {
    const found = sql.find.get(id);
    return new BbsError('BBS_ERR_CONVERSATION_TAKEN', `conversation ${id} is held by ${found === undefined ? 'nobody' : `${found.owner} at epoch ${found.epoch}${found.closed_at === null ? '' : ' (ended)'}`}, not by epoch ${epoch}`);
  }

  return {
    claim: (id, owner, code, now, options = {}) => write('A conversation', () => claimTx.immediate(id, owner, code, now, options)),
    commit<T>(id: string, epoch: number, change: JournalChange, position: () => Omit<JournalPosition, 'lastRow'>, now: number, run?: () => T, after?: (value: T) => readonly JournalRow[]): Committed<T> {
      return write('A journal entry', () => commitTx.immediate(id, epoch, change, position, now, run, after as ((value: unknown) => readonly JournalRow[]) | undefined) as Committed<T>);
    },
    commitMany: (entries, now, alongside) => write('Journal entries', () => commitManyTx.immediate(entries, now, alongside)),
    commitManyUnlessBusy: (entries, now, alongside) =>
      write('Journal entries', () => {
        // SQLite's busy handler sleeps a whole millisecond and more while it waits, with the
        // event loop stopped; a backend does better answering other callers meanwhile.
        sql.noWait.get();
        try {
          return commitManyTx.immediate(entries, now, alongside);
        } catch (error) {
          if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) return undefined;
          throw error;
        } finally {
          sql.wait.get();
        }
      }),
    holds: (id, epoch) => sql.holds.get(id, epoch) !== undefined,
    lastSeq: (id) => sql.lastSeq.get(id),
    peek(id, heardAfter) {
      const found = sql.find.get(id);
      // The rows only for a conversation heard from lately: the cheap test first.
      return found === undefined || found.closed_at !== null || found.heard_at <= heardAfter ? undefined : rowsFrom(found.last_row, found.start_n);
    },
    history(id) {
      const found = sql.history.get(id);
      return found === undefined ? undefined : { id, callerId: found.caller_id, openedAt: found.opened_at, closedAt: found.closed_at, keptFrom: found.kept_from_n, rows: rowsFrom(found.last_row, 0) };
    },
    close: (id, epoch, now) => write('The end of a conversation', () => sql.close.run(now, id, epoch).changes > 0),
    closeAnyEpoch: (id, now) => write('The end of a conversation', () => sql.closeAnyEpoch.run(now, id).changes > 0),
    serverEpoch: (uuid) => sql.serverEpoch.get(uuid) ?? 0,
    bumpServerEpoch: (uuid, now, from) =>
      write('A server restart', () =>
        db.transaction(() => {
          const current = sql.serverEpoch.get(uuid) ?? 0;
          if (from !== undefined && current !== from) return current;
          sql.bumpServer.run(uuid);
          const prefix = `m2/${uuid}/`;
          sql.closeServer.run(now, prefix.length, prefix);
          return sql.serverEpoch.get(uuid) ?? 1;
        }).immediate(),
      ),
    closeSilent: (since, now) =>
      write('Ending silent conversations', () =>
        db.transaction(() => (since.notLoggedIn === undefined ? 0 : sql.closeSilentGuests.run(now, since.notLoggedIn).changes) + (since.loggedIn === undefined ? 0 : sql.closeSilentCallers.run(now, since.loggedIn).changes)).immediate(),
      ),
    journalBytes: () => sql.journalBytes.get() as number,
    usedBytes: () => ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * (db.pragma('page_size', { simple: true }) as number),
    pruneOldestClosed: (limit) =>
      write('Pruning the oldest ended conversations', () =>
        db.transaction(() => {
          const oldest = sql.oldestClosed.all(limit);
          for (const { id, lastRow, trimRow } of oldest) {
            dropRows(lastRow, -1);
            dropRows(trimRow, -1);
            sql.dropConversation.run(id);
          }
          return oldest.length;
        }).immediate(),
      ),
    pruneClosed: (before, limit, neverLoggedInBefore = before) =>
      write('Pruning old conversations', () =>
        db.transaction(() => {
          const old = sql.oldClosed.all(before, neverLoggedInBefore, limit);
          for (const { id, lastRow, trimRow } of old) {
            dropRows(lastRow, -1);
            dropRows(trimRow, -1);
            sql.dropConversation.run(id);
          }
          return old.length + sql.dropShared.run(before - SHARED_KEPT_LONGER_MS, limit).changes;
        }).immediate(),
      ),
  };
}

// A conversation another backend holds: its part of a commit of many is rolled back alone.
class FencedOut extends Error {}
