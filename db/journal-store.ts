/**
 * The conversations table and their journals (docs/design/durable-conversations.md): who owns a
 * conversation (its fencing epoch), where its replay starts, and the rows its flow consumed.
 * Every change commits through the store's write runner, so a refusal of the disk is the same
 * BBS_ERR_DB_* error as any other write.
 */
import Database from 'better-sqlite3';
import { BbsError } from '../common/errors.js';
import { BUSY_TIMEOUT_MS } from './open-database.js';

/**
 * What a journal row records: a line the flow read, a call's result or error, which menu or flow
 * module it was given, a checkpoint replay can start from, or a fresh start.
 */
export type RowKind = 'line' | 'result' | 'error' | 'menu' | 'flow' | 'checkpoint' | 'start';

/** One row of a conversation's journal. `value` is JSON, or null for a secret line. */
export interface JournalRow {
  readonly n: number;
  readonly kind: RowKind;
  /** The fingerprint of the effect that consumed it: replay compares it with the code's. */
  readonly print: string;
  /** For a line: the caller's input number it came in (`SEQ`), when the proxy sent one. */
  readonly seq: number | null;
  readonly value: string | null;
}

/** Where a conversation stands, committed with each batch of rows. */
export interface JournalPosition {
  /** The n the next row gets. */
  readonly nextN: number;
  /** Replay starts at this row (a checkpoint or a fresh start). */
  readonly startN: number;
  /** The last input consumed: its `SEQ` and which of its lines. */
  readonly lastSeq: number;
  readonly lastPart: number;
  readonly callerId: number | null;
  /** The conversation's newest journal row (its id), where the chain of its rows starts. */
  readonly lastRow: number | null;
}

/** What one commit adds: rows, after dropping those from `dropFrom` on (a journal cut back). */
export interface JournalChange {
  readonly rows: readonly JournalRow[];
  readonly dropFrom: number | undefined;
  /** The newest row committed before this change (the chain it continues). */
  readonly after: number | null;
}

/** When a conversation's caller is surely gone: last heard from before these (ms), by whether they had logged in; undefined: never. */
export interface SilentSince {
  readonly notLoggedIn: number | undefined;
  readonly loggedIn: number | undefined;
}

export interface ClaimOptions {
  /** Behind Mongrel2: a conversation ended or whose caller is surely gone is started afresh. */
  readonly staleBefore?: SilentSince | undefined;
  /** Behind Mongrel2: the caller's address; a conversation from another address is started afresh. */
  readonly remote?: string | undefined;
  /** The proxy's connection id of the request (they only grow). */
  readonly conn?: number | undefined;
  /** A new conversation's first input (it dials in; it is not an answer), as read already. */
  readonly seq?: number;
  readonly part?: number;
}

/** What a write gave: its value, or the error it threw. */
export type WriteOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A write a conversation's flow waits on, made in the commit that journals its outcome. */
export interface PendingWrite {
  readonly run: () => unknown;
  /** The row that journals its outcome (after the change's rows). */
  readonly row: (outcome: WriteOutcome) => JournalRow;
}

/** One conversation's part of a commit of many. */
export interface CommitEntry {
  readonly id: string;
  readonly epoch: number;
  readonly change: JournalChange;
  readonly position: Omit<JournalPosition, 'lastRow'>;
  /** A write to make in this commit, rolled back alone if it fails (its error is journaled). */
  readonly write?: PendingWrite | undefined;
}

/** One conversation's part of a commit of many, once made: false where another owner holds it. */
export type CommitResult = false | { readonly lastRow: number | null; readonly outcome: WriteOutcome | undefined };

/** What a commit gave: the write's value (if it ran one) and the conversation's newest row now. */
export interface Committed<T> {
  readonly value: T | undefined;
  readonly lastRow: number | null;
}

/** What a backend finds when it takes a conversation on. */
export interface Claim {
  /** The new owner's fencing number: commits with any other fail. */
  readonly epoch: number;
  /** No row existed: a new conversation. */
  readonly created: boolean;
  /** The conversation had ended (its caller hung up or quit). */
  readonly closed: boolean;
  /**
   * The request came on a connection no newer than the owner's: a line queued for a backend
   * that died, arriving after the call moved on. Nothing was changed.
   */
  readonly stale: boolean;
  readonly position: JournalPosition;
  /** Who owned it before, for the log. */
  readonly previousOwner: string | undefined;
  /** When its last commit was, in ms. */
  readonly heardAt: number;
  /** The rows from `position.startN` on, in order. */
  readonly rows: readonly JournalRow[];
}

export interface JournalStore {
  /**
   * Takes conversation `id` on for `owner`, creating it if unknown; bumps the epoch of one that
   * exists. With `staleBefore`, one that ended or was last heard from before then is not taken
   * on but started afresh under the same id (behind Mongrel2, whose connection ids repeat).
   * With `conn` (the proxy's connection ids only grow), a request on a connection no newer than
   * the owner's is stale and takes nothing over.
   */
  claim(id: string, owner: string, code: string, now: number, options?: ClaimOptions): Claim;
  /**
   * In one transaction: drops rows from `change.dropFrom` on, appends `change.rows`, runs `write` (if any) and appends what `after` makes of
   * its result, then moves the position on, only if `epoch` still owns the conversation. Throws
   * BBS_ERR_CONVERSATION_TAKEN (and commits nothing) when another owner has taken it over.
   */
  commit<T>(id: string, epoch: number, change: JournalChange, position: () => Omit<JournalPosition, 'lastRow'>, now: number, write?: () => T, after?: (value: T) => readonly JournalRow[]): Committed<T>;
  /**
   * Commits many conversations' rows (and the writes they wait on) in one transaction, each only
   * if its epoch still owns it: returns, in order, each one's newest row and its write's outcome,
   * or false where another owner took it over (nothing of it written, its write rolled back).
   * Throws, committing nothing, when the disk refuses.
   */
  commitMany(entries: readonly CommitEntry[], now: number): CommitResult[];
  /**
   * Like commitMany, but without waiting for another process's write lock: undefined, with
   * nothing written, when another backend holds it now (try again in a moment).
   */
  commitManyUnlessBusy(entries: readonly CommitEntry[], now: number): CommitResult[] | undefined;
  /** True while `epoch` owns the open conversation `id` (a read: for replies that commit nothing). */
  holds(id: string, epoch: number): boolean;
  /** The open conversation `id` as it stands, read without claiming it: when it was last heard and its rows since the checkpoint. */
  peek(id: string): { readonly heardAt: number; readonly rows: readonly JournalRow[] } | undefined;
  /** Marks the conversation ended; false when another owner holds it now. */
  close(id: string, epoch: number, now: number): boolean;
  /** Marks the conversation ended whoever holds it (its caller hung up, as Mongrel2 told a process that does not hold it); false when it was not open. */
  closeAnyEpoch(id: string, now: number): boolean;
  /** The times the Mongrel2 server `uuid` has been seen to restart, as counted by its backends. */
  serverEpoch(uuid: string): number;
  /**
   * Counts one more restart of server `uuid`: every conversation of the old one is over. With
   * `from`, only if the count is still `from` (another handler on the same server may have
   * counted this restart already); returns the count as it stands.
   */
  bumpServerEpoch(uuid: string, now: number, from?: number): number;
  /** Ends open conversations whose callers are surely gone (see SilentSince); returns how many. */
  closeSilent(since: SilentSince, now: number): number;
  /**
   * Deletes up to `limit` ended conversations (and their journals) that ended before `before`, or
   * before `neverLoggedInBefore` for those whose caller never logged in; returns how many.
   */
  pruneClosed(before: number, limit: number, neverLoggedInBefore?: number): number;
}

type WriteRunner = <T>(what: string, write: () => T) => T;

interface ConversationRow {
  epoch: number;
  last_row: number | null;
  conn: number;
  remote: string | null;
  owner: string;
  start_n: number;
  next_n: number;
  last_seq: number;
  last_part: number;
  caller_id: number | null;
  heard_at: number;
  closed_at: number | null;
}

/** The journal's statements over a migrated database, committing through `write`. */
export function createJournalStore(db: Database.Database, write: WriteRunner): JournalStore {
  const sql = {
    find: db.prepare<[string], ConversationRow>(
      'SELECT epoch, last_row, conn, remote, owner, start_n, next_n, last_seq, last_part, caller_id, heard_at, closed_at FROM conversations WHERE id = ?',
    ),
    create: db.prepare<[string, string, string, number, string | null, number, number, number, number]>(
      'INSERT INTO conversations (id, epoch, owner, code, conn, remote, last_seq, last_part, opened_at, heard_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    takeOver: db.prepare<[string, number, number, string]>('UPDATE conversations SET epoch = epoch + 1, owner = ?, conn = ?, heard_at = ? WHERE id = ?'),
    row: db.prepare<[number], JournalRow & { prev: number | null }>('SELECT n, kind, print, seq, value, prev FROM journal WHERE id = ?'),
    append: db.prepare<[string, number, number | null, string, string, number | null, string | null]>(
      'INSERT INTO journal (conversation, n, prev, kind, print, seq, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteRow: db.prepare<[number]>('DELETE FROM journal WHERE id = ?'),
    advance: db.prepare<[number, number, number, number, number | null, number, number | null, string, number]>(
      `UPDATE conversations SET next_n = ?, start_n = ?, last_seq = ?, last_part = ?, caller_id = coalesce(?, caller_id), heard_at = ?, last_row = ?
       WHERE id = ? AND epoch = ? AND closed_at IS NULL`,
    ),
    close: db.prepare<[number, string, number]>('UPDATE conversations SET closed_at = ? WHERE id = ? AND epoch = ? AND closed_at IS NULL'),
    closeAnyEpoch: db.prepare<[number, string]>('UPDATE conversations SET closed_at = ? WHERE id = ? AND closed_at IS NULL'),
    serverEpoch: db.prepare<[string], number>('SELECT epoch FROM server_epochs WHERE uuid = ?').pluck(),
    bumpServer: db.prepare<[string]>('INSERT INTO server_epochs (uuid, epoch) VALUES (?, 1) ON CONFLICT (uuid) DO UPDATE SET epoch = epoch + 1'),
    closeServer: db.prepare<[number, number, string]>('UPDATE conversations SET closed_at = ? WHERE closed_at IS NULL AND substr(id, 1, ?) = ?'),
    holds: db.prepare<[string, number], number>('SELECT 1 FROM conversations WHERE id = ? AND epoch = ? AND closed_at IS NULL').pluck(),
    closeSilentGuests: db.prepare<[number, number]>('UPDATE conversations SET closed_at = ? WHERE closed_at IS NULL AND caller_id IS NULL AND heard_at < ?'),
    closeSilentCallers: db.prepare<[number, number]>('UPDATE conversations SET closed_at = ? WHERE closed_at IS NULL AND caller_id IS NOT NULL AND heard_at < ?'),
    oldClosed: db.prepare<[number, number, number], { id: string; lastRow: number | null }>(
      'SELECT id, last_row AS lastRow FROM conversations WHERE closed_at IS NOT NULL AND (closed_at < ? OR (caller_id IS NULL AND closed_at < ?)) LIMIT +?',
    ),
    dropConversation: db.prepare<[string]>('DELETE FROM conversations WHERE id = ?'),
  };

  const claimTx = db.transaction((id: string, owner: string, code: string, now: number, options: ClaimOptions): Claim => {
    const { staleBefore, conn } = options;
    const found = sql.find.get(id);
    const silentBefore = found === undefined || staleBefore === undefined ? undefined : found.caller_id === null ? staleBefore.notLoggedIn : staleBefore.loggedIn;
    const old =
      found !== undefined &&
      staleBefore !== undefined &&
      (found.closed_at !== null || (silentBefore !== undefined && found.heard_at < silentBefore) || (options.remote !== undefined && found.remote !== options.remote));
    if (found === undefined || old) {
      if (old) {
        dropRows(found.last_row, -1);
        sql.dropConversation.run(id);
      }
      const lastSeq = options.seq ?? 0;
      const lastPart = options.part ?? -1;
      sql.create.run(id, owner, code, conn ?? 0, options.remote ?? null, lastSeq, lastPart, now, now);
      return { epoch: 1, created: true, closed: false, stale: false, position: { nextN: 0, startN: 0, lastSeq, lastPart, callerId: null, lastRow: null }, previousOwner: undefined, heardAt: now, rows: [] };
    }
    const position: JournalPosition = { nextN: found.next_n, startN: found.start_n, lastSeq: found.last_seq, lastPart: found.last_part, callerId: found.caller_id, lastRow: found.last_row };
    const stale = conn !== undefined && conn <= found.conn;
    if (found.closed_at !== null || stale) {
      return { epoch: found.epoch, created: false, closed: found.closed_at !== null, stale, position, previousOwner: found.owner, heardAt: found.heard_at, rows: [] };
    }
    sql.takeOver.run(owner, conn ?? found.conn, now, id);
    return { epoch: found.epoch + 1, created: false, closed: false, stale: false, position, previousOwner: found.owner, heardAt: found.heard_at, rows: rowsFrom(found.last_row, found.start_n) };
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
    const { changes } = sql.advance.run(position.nextN, position.startN, position.lastSeq, position.lastPart, position.callerId, now, last, id, epoch);
    if (changes === 0) throw new FencedOut();
    return { lastRow: last, outcome };
  });
  const commitManyTx = db.transaction((entries: readonly CommitEntry[], now: number): CommitResult[] =>
    entries.map((entry) => {
      try {
        return commitOneTx(entry, now);
      } catch (error) {
        if (error instanceof FencedOut) return false;
        throw error;
      }
    }),
  );
  // Made once: better-sqlite3 builds a transaction's wrappers at each db.transaction(), a fifth
  // of a commit's CPU when it was made per commit (bench/journal-commit-cost.ts).
  const commitTx = db.transaction(
    (id: string, epoch: number, change: JournalChange, position: () => Omit<JournalPosition, 'lastRow'>, now: number, run?: () => unknown, after?: (value: unknown) => readonly JournalRow[]): Committed<unknown> => {
      let last = append(id, cut(change.after, change.dropFrom), change.rows);
      let value: unknown;
      if (run !== undefined) {
        value = run();
        // SQLite rolls a whole transaction back on some errors (a full disk) that a service may
        // have caught: what follows must not commit statement by statement.
        if (!db.inTransaction) throw new Error('the journal transaction was rolled back by SQLite during a write');
        if (after !== undefined) last = append(id, last, after(value));
      }
      const at = position();
      const { changes } = sql.advance.run(at.nextN, at.startN, at.lastSeq, at.lastPart, at.callerId, now, last, id, epoch);
      if (changes === 0) throw taken(id, epoch);
      return { value, lastRow: last };
    },
  );

  // Appends rows after row `last` of conversation `id`; returns the new last row.
  function append(id: string, last: number | null, rows: readonly JournalRow[]): number | null {
    let prev = last;
    for (const row of rows) prev = Number(sql.append.run(id, row.n, prev, row.kind, row.print, row.seq, row.value).lastInsertRowid);
    return prev;
  }

  // Deletes the rows numbered `from` and later (newest first, along the chain); returns the last row left.
  function cut(last: number | null, from: number | undefined): number | null {
    return from === undefined ? last : dropRows(last, from);
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

  // The rows numbered `from` and later, oldest first, read back along the chain.
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

  function taken(id: string, epoch: number): BbsError {
    const found = sql.find.get(id);
    return new BbsError('BBS_ERR_CONVERSATION_TAKEN', `conversation ${id} is held by ${found === undefined ? 'nobody' : `${found.owner} at epoch ${found.epoch}${found.closed_at === null ? '' : ' (ended)'}`}, not by epoch ${epoch}`);
  }

  return {
    claim: (id, owner, code, now, options = {}) => write('A conversation', () => claimTx.immediate(id, owner, code, now, options)),
    commit<T>(id: string, epoch: number, change: JournalChange, position: () => Omit<JournalPosition, 'lastRow'>, now: number, run?: () => T, after?: (value: T) => readonly JournalRow[]): Committed<T> {
      return write('A journal entry', () => commitTx.immediate(id, epoch, change, position, now, run, after as ((value: unknown) => readonly JournalRow[]) | undefined) as Committed<T>);
    },
    commitMany: (entries, now) => write('Journal entries', () => commitManyTx.immediate(entries, now)),
    commitManyUnlessBusy: (entries, now) =>
      write('Journal entries', () => {
        // SQLite's busy handler sleeps a whole millisecond and more while it waits, with the
        // event loop stopped; a backend does better answering other callers meanwhile.
        db.pragma('busy_timeout = 0');
        try {
          return commitManyTx.immediate(entries, now);
        } catch (error) {
          if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) return undefined;
          throw error;
        } finally {
          db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
        }
      }),
    holds: (id, epoch) => sql.holds.get(id, epoch) !== undefined,
    peek(id) {
      const found = sql.find.get(id);
      return found === undefined || found.closed_at !== null ? undefined : { heardAt: found.heard_at, rows: rowsFrom(found.last_row, found.start_n) };
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
    pruneClosed: (before, limit, neverLoggedInBefore = before) =>
      write('Pruning old conversations', () =>
        db.transaction(() => {
          const old = sql.oldClosed.all(before, neverLoggedInBefore, limit);
          for (const { id, lastRow } of old) {
            dropRows(lastRow, -1);
            sql.dropConversation.run(id);
          }
          return old.length;
        }).immediate(),
      ),
  };
}

// A conversation another backend holds: its part of a commit of many is rolled back alone.
class FencedOut extends Error {}
