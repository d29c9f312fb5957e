/**
 * Hang-up orders: which line each caller is on now, and orders to end a caller's line, which
 * every backend watches for the lines it holds (handler/hang-up-watch.ts). A second login of the
 * same caller orders their other line hung up (reason `logged_in_elsewhere`); a sysop's kick or
 * ban can order the same with a reason of its own. In the board's database, so the order reaches
 * whichever backend holds the line, behind the m2bbs proxy or a real Mongrel2.
 */
import type Database from 'better-sqlite3';

/** The `callerId` of an order for a line whoever is on it (a sysop's kick of a caller not logged in yet): no caller has id 0. */
export const ANY_CALLER = 0;

/**
 * The reason of an order to end a line whose caller hung up where another backend heard it
 * (behind Mongrel2 with several handlers): it ends as at a hang-up, nothing shown (handler/hung-up-elsewhere.ts).
 */
export const CALLER_HUNG_UP = 'caller_hung_up';

/** An order to end `line` (a conversation id, see handler/call-identity.ts) if `callerId` is on it (anyone: ANY_CALLER). */
export interface HangUpOrder {
  readonly id: number;
  readonly line: string;
  readonly callerId: number;
  /** The screen the caller on that line is shown before it closes; CALLER_HUNG_UP: none, the caller is gone. */
  readonly reason: string;
  /** Free text that screen shows as `{{reason}}` (a sysop's reason for a kick or a ban), null when none. */
  readonly detail: string | null;
  readonly madeAt: number;
}

/** The hang-up orders' tables, as the store offers them. */
export interface HangUpOrders {
  /**
   * Records `line` as the caller's line; when another line of theirs is open, orders it hung up
   * with `reason` and returns the order. The same line again (a call moved to another backend)
   * orders nothing.
   */
  takeLine(callerId: number, line: string, now: number, reason: string): HangUpOrder | undefined;
  /** Orders `line` hung up if `callerId` is on it (a kick, a ban), `detail` shown by the `reason` screen. */
  order(line: string, callerId: number, reason: string, now: number, detail?: string): HangUpOrder;
  /** The line `callerId` is on now (as their last login recorded it), or undefined. */
  lineOf(callerId: number): string | undefined;
  /** The caller's line ended: it is no longer theirs to hang up. */
  lineEnded(callerId: number, line: string): void;
  /** Orders made after order `afterId`, oldest first. */
  since(afterId: number): HangUpOrder[];
  /** Orders for `line` not yet carried out (a line taken over from a backend that died before it could). */
  pendingFor(line: string): HangUpOrder[];
  /** The newest order's id, 0 when none. */
  lastId(): number;
  /** Marks an order carried out. */
  done(id: number, now: number): void;
  /** Deletes orders made before `before`; returns how many. */
  prune(before: number): number;
  /** SQLite's `data_version`: it changes when another connection commits. */
  dataVersion(): number;
  /** Orders made through this connection, which `data_version` does not count. */
  readonly madeHere: number;
}

const COLUMNS = 'id, line, caller_id AS callerId, reason, detail, made_at AS madeAt';

/** Prepares the statements of hang-up orders on a migrated database; `write` runs each write. */
export function createHangUpOrders(db: Database.Database, write: <T>(what: string, run: () => T) => T): HangUpOrders {
  const sql = {
    otherLine: db
      .prepare<[number, string], string>(
        // A journaled conversation already closed is not open, whatever the table says.
        `SELECT l.line FROM caller_lines l WHERE l.caller_id = ? AND l.line <> ?
         AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = l.line AND c.closed_at IS NOT NULL)`,
      )
      .pluck(),
    setLine: db.prepare<[number, string, number]>(
      'INSERT INTO caller_lines (caller_id, line, since) VALUES (?, ?, ?) ON CONFLICT (caller_id) DO UPDATE SET line = excluded.line, since = excluded.since',
    ),
    order: db.prepare<[string, number, string, number, string | null], HangUpOrder>(`INSERT INTO hang_up_orders (line, caller_id, reason, made_at, detail) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`),
    lineOf: db.prepare<[number], string>('SELECT line FROM caller_lines WHERE caller_id = ?').pluck(),
    lineEnded: db.prepare<[number, string]>('DELETE FROM caller_lines WHERE caller_id = ? AND line = ?'),
    since: db.prepare<[number], HangUpOrder>(`SELECT ${COLUMNS} FROM hang_up_orders WHERE id > ? ORDER BY id`),
    pendingFor: db.prepare<[string], HangUpOrder>(`SELECT ${COLUMNS} FROM hang_up_orders WHERE line = ? AND done_at IS NULL ORDER BY id`),
    lastId: db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM hang_up_orders').pluck(),
    done: db.prepare<[number, number]>('UPDATE hang_up_orders SET done_at = ? WHERE id = ? AND done_at IS NULL'),
    prune: db.prepare<[number]>('DELETE FROM hang_up_orders WHERE made_at < ?'),
    // Prepared once: db.pragma() prepares at each call (measured: 4.2 us a look instead of 1.9).
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };
  let madeHere = 0;
  const made = (order: HangUpOrder | undefined): HangUpOrder | undefined => {
    if (order !== undefined) madeHere++;
    return order;
  };
  // One savepoint inside a journal commit, a transaction of its own otherwise.
  const takeLineTx = db.transaction((callerId: number, line: string, now: number, reason: string): HangUpOrder | undefined => {
    const other = sql.otherLine.get(callerId, line);
    sql.setLine.run(callerId, line, now);
    return other === undefined ? undefined : sql.order.all(other, callerId, reason, now, null)[0];
  });

  return {
    // IMMEDIATE, as the throttle's count: the other line is read under the write lock, so a
    // concurrent commit cannot fail the write and let the login through with no order.
    takeLine: (callerId, line, now, reason) => made(write('A caller\'s line', () => takeLineTx.immediate(callerId, line, now, reason))),
    order: (line, callerId, reason, now, detail) => made(write('A hang-up order', () => sql.order.all(line, callerId, reason, now, detail ?? null)[0])) as HangUpOrder,
    lineOf: (callerId) => sql.lineOf.get(callerId),
    lineEnded: (callerId, line) => void write('A line ended', () => sql.lineEnded.run(callerId, line)),
    since: (afterId) => sql.since.all(afterId),
    pendingFor: (line) => sql.pendingFor.all(line),
    lastId: () => sql.lastId.get() ?? 0,
    done: (id, now) => void write('A hang-up order carried out', () => sql.done.run(now, id)),
    prune: (before) => write('Pruning hang-up orders', () => sql.prune.run(before).changes),
    dataVersion: () => sql.dataVersion.get() ?? 0,
    get madeHere() {
      return madeHere;
    },
  };
}
