/**
 * Chat and paging in the board's database: the lines said in each room (the backlog a caller
 * entering is shown; pruned to the newest few per room), pages from one caller to another with
 * what became of them, and each caller's do-not-disturb. The bus only makes these fast: this is
 * the record.
 */
import type Database from 'better-sqlite3';

/** A line said in a chat room. */
export interface ChatLine {
  readonly id: number;
  readonly name: string;
  readonly kind: 'chat' | 'me';
  readonly body: string;
  readonly at: number;
}

/** What paging a caller came to: a page made, or why not. */
export type PageOutcome =
  | { readonly paged: true; readonly id: number; readonly to: string; readonly room: string }
  | { readonly paged: false; readonly why: 'unknown' | 'self' | 'offline' | 'dnd' | 'too_often'; readonly to: string };

/** A page waiting for its caller's answer. */
export interface WaitingPage {
  readonly id: number;
  readonly from: string;
  readonly room: string;
}

/** The chat tables, as the store offers them. */
export interface ChatStore {
  /** Stores a line said in `room` (the room keeps its newest KEEP_PER_ROOM) and returns its id. */
  say(room: string, callerId: number, name: string, kind: 'chat' | 'me', body: string, now: number): number;
  /** The last `limit` lines said in `room` at or after `since`, oldest first. */
  backlog(room: string, since: number, limit: number): ChatLine[];
  /**
   * Pages `name` for caller `fromId`, unless they are not a caller, not online (no line, or its
   * presence heartbeat older than `freshSince`), do not want to be disturbed, or the pager paged
   * too often since `since` (at most `max`).
   */
  page(fromId: number, name: string, now: number, since: number, max: number, freshSince: number): PageOutcome;
  /** The newest page to `toId` made since `since` and not yet answered; with `how`, marks it joined or ignored. */
  answerPage(toId: number, since: number, how: 'joined' | 'ignored', now: number): WaitingPage | undefined;
  /** Turns the caller's do-not-disturb on or off; returns it as it is now. */
  toggleDnd(callerId: number): boolean;
  /** The names of callers online (a presence heartbeat since `since`) whose activity is `doing`, sorted. */
  doing(doing: string, since: number): string[];
  /** The pager's and the paged caller's names of page `id` (who may be in its private room). */
  parties(id: number): string[];
}

/** Lines each room keeps: the backlog shows fewer, and older ones are of no use to anyone. */
export const KEEP_PER_ROOM = 200;

/** Prepares the chat statements on a migrated database; `write` runs each write. */
export function createChatStore(db: Database.Database, write: <T>(what: string, run: () => T) => T): ChatStore {
  const sql = {
    say: db.prepare<[string, number, string, string, string, number]>('INSERT INTO chat_lines (room, caller_id, name, kind, body, at) VALUES (?, ?, ?, ?, ?, ?)'),
    prune: db.prepare<[string, string, number]>('DELETE FROM chat_lines WHERE room = ? AND id <= (SELECT id FROM chat_lines WHERE room = ? ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    backlog: db.prepare<[string, number, number], ChatLine>('SELECT id, name, kind, body, at FROM (SELECT * FROM chat_lines WHERE room = ? AND at >= ? ORDER BY id DESC LIMIT ?) ORDER BY id'),
    // On a line, unless who's online has stopped hearing that line's backend (killed: its heartbeat stale).
    target: db.prepare<[number, string], { id: number; name: string; dnd: number; online: number }>(
      `SELECT c.id, c.name, c.dnd, EXISTS (SELECT 1 FROM caller_lines l WHERE l.caller_id = c.id
         AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.line = l.line AND p.heartbeat_at < ?)) AS online
       FROM callers c WHERE c.name = ?`,
    ),
    pagesSince: db.prepare<[number, number], number>('SELECT count(*) FROM pages WHERE from_id = ? AND made_at >= ?').pluck(),
    insertPage: db.prepare<[number, number, number]>('INSERT INTO pages (from_id, to_id, made_at) VALUES (?, ?, ?)'),
    waiting: db.prepare<[number, number], WaitingPage>(
      `SELECT p.id, c.name AS "from", 'page-' || p.id AS room FROM pages p JOIN callers c ON c.id = p.from_id
       WHERE p.to_id = ? AND p.made_at >= ? AND p.answer IS NULL ORDER BY p.id DESC LIMIT 1`,
    ),
    answer: db.prepare<[string, number, number]>('UPDATE pages SET answer = ?, answered_at = ? WHERE id = ?'),
    toggleDnd: db.prepare<[number], number>('UPDATE callers SET dnd = 1 - dnd WHERE id = ? RETURNING dnd').pluck(),
    parties: db.prepare<[number], string>('SELECT c.name FROM pages p JOIN callers c ON c.id IN (p.from_id, p.to_id) WHERE p.id = ?').pluck(),
    doing: db.prepare<[string, number], string>('SELECT DISTINCT name FROM presence WHERE doing = ? AND heartbeat_at >= ? AND name IS NOT NULL ORDER BY name COLLATE NOCASE').pluck(),
  };

  const sayTx = db.transaction((room: string, callerId: number, name: string, kind: string, body: string, now: number): number => {
    const id = Number(sql.say.run(room, callerId, name, kind, body, now).lastInsertRowid);
    sql.prune.run(room, room, KEEP_PER_ROOM);
    return id;
  });

  const pageTx = db.transaction((fromId: number, name: string, now: number, since: number, max: number, freshSince: number): PageOutcome => {
    const target = sql.target.get(freshSince, name);
    if (target === undefined) return { paged: false, why: 'unknown', to: name };
    if (target.id === fromId) return { paged: false, why: 'self', to: target.name };
    if (target.online === 0) return { paged: false, why: 'offline', to: target.name };
    if (target.dnd !== 0) return { paged: false, why: 'dnd', to: target.name };
    if ((sql.pagesSince.get(fromId, since) ?? 0) >= max) return { paged: false, why: 'too_often', to: target.name };
    const id = Number(sql.insertPage.run(fromId, target.id, now).lastInsertRowid);
    return { paged: true, id, to: target.name, room: `page-${id}` };
  });

  const answerTx = db.transaction((toId: number, since: number, how: string, now: number): WaitingPage | undefined => {
    const page = sql.waiting.get(toId, since);
    if (page !== undefined) sql.answer.run(how, now, page.id);
    return page;
  });

  return {
    doing: (what, since) => sql.doing.all(what, since),
    parties: (id) => sql.parties.all(id),
    say: (room, callerId, name, kind, body, now) => write('A chat line', () => sayTx(room, callerId, name, kind, body, now)),
    backlog: (room, since, limit) => sql.backlog.all(room, since, limit),
    page: (fromId, name, now, since, max, freshSince) => write('A page', () => pageTx.immediate(fromId, name, now, since, max, freshSince)),
    answerPage: (toId, since, how, now) => write('An answer to a page', () => answerTx.immediate(toId, since, how, now)),
    toggleDnd: (callerId) => write('Do not disturb', () => sql.toggleDnd.get(callerId) !== 0),
  };
}
