/**
 * Chat and paging in the board's database: the lines said in each room (the backlog a caller
 * entering is shown, and each caller's flood count; pruned to the newest few per room and by
 * age), each caller's entries into rooms (so joins are announced at most once a while), pages from one caller to another with
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
  | { readonly paged: true; readonly id: number; readonly to: string; readonly room: string; readonly crossed?: true }
  | { readonly paged: false; readonly why: 'unknown' | 'self' | 'offline' | 'dnd' | 'too_often'; readonly to: string };

/** A page waiting for its caller's answer; `withdrawn` when its pager stopped waiting (answered nothing). */
export interface WaitingPage {
  readonly id: number;
  readonly from: string;
  readonly room: string;
  readonly withdrawn?: true;
}

/** A caller's flood limit: at most `lines` lines said since `since`. */
export interface FloodLimit {
  readonly lines: number;
  readonly since: number;
}

/** The chat tables, as the store offers them. */
export interface ChatStore {
  /**
   * Stores a line said in `room` and returns its id, or 'flood' (nothing stored) when the caller
   * has said `flood.lines` lines since `flood.since`, in any room. The room keeps its newest
   * KEEP_PER_ROOM; lines older than KEEP_MS go from every room.
   */
  say(room: string, callerId: number, name: string, kind: 'chat' | 'me', body: string, now: number, flood?: FloodLimit): number | 'flood';
  /** Records the caller entering `room`; true when it is to be announced: no entry of theirs into `room` announced since `quietSince`. */
  enter(room: string, callerId: number, now: number, quietSince: number): boolean;
  /** The last `limit` lines said in `room` at or after `since`, oldest first. */
  backlog(room: string, since: number, limit: number): ChatLine[];
  /**
   * Pages `name` for caller `fromId`, unless they are not a caller, not online (no line, or its
   * presence heartbeat older than `freshSince`), do not want to be disturbed, or the pager paged
   * too often since `since` (at most `max`). When `name` is paging `fromId` already (a page made
   * since `crossSince` and not answered, its pager still on the call they paged from), no second
   * page is made: that one is answered joined and comes back `crossed`, for the caller to join.
   */
  page(fromId: number, name: string, now: number, since: number, max: number, freshSince: number, crossSince?: number): PageOutcome;
  /**
   * The newest page to `toId` made since `since` and not yet answered; with `how`, marks it joined
   * or ignored. A page its pager withdrew, or whose pager is no longer on the call they paged from
   * (hung up: no presence heartbeat since `freshSince` of a call begun before the page), comes back
   * `withdrawn` and is not marked.
   */
  answerPage(toId: number, since: number, how: 'joined' | 'ignored', now: number, freshSince: number): WaitingPage | undefined;
  /** Pager `fromId` gave up waiting for page `id`: withdrawn, unless it was answered already. */
  withdrawPage(id: number, fromId: number, now: number): void;
  /** Turns the caller's do-not-disturb on or off; returns it as it is now. */
  toggleDnd(callerId: number): boolean;
  /** The names of callers online (a presence heartbeat since `since`) whose activity is `doing`, sorted. */
  doing(doing: string, since: number): string[];
  /** The names of callers online (a heartbeat since `since`) doing `doing` whose latest entry into a room was into `room`, sorted. */
  inRoom(room: string, doing: string, since: number): string[];
  /** The pager's and the paged caller's names of page `id` (who may be in its private room). */
  parties(id: number): string[];
}

/** Lines each room keeps: the backlog shows fewer, and older ones are of no use to anyone. */
export const KEEP_PER_ROOM = 200;
/** Lines and room entries older than this go, from every room (private rooms included). */
export const KEEP_MS = 24 * 60 * 60_000;
/** Pages older than this go (J and X look back minutes, not hours); a joined one is its private room's, kept as long as lines are. */
export const KEEP_PAGES_MS = 60 * 60_000;

/** Prepares the chat statements on a migrated database; `write` runs each write. */
export function createChatStore(db: Database.Database, write: <T>(what: string, run: () => T) => T): ChatStore {
  const sql = {
    say: db.prepare<[string, number, string, string, string, number]>('INSERT INTO chat_lines (room, caller_id, name, kind, body, at) VALUES (?, ?, ?, ?, ?, ?)'),
    prune: db.prepare<[string, string, number]>('DELETE FROM chat_lines WHERE room = ? AND id <= (SELECT id FROM chat_lines WHERE room = ? ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    backlog: db.prepare<[string, number, number], ChatLine>('SELECT id, name, kind, body, at FROM (SELECT * FROM chat_lines WHERE room = ? AND at >= ? ORDER BY id DESC LIMIT ?) ORDER BY id'),
    // Online is what who's online shows: a presence row a backend still beats (a dead one's stop).
    target: db.prepare<[number, string], { id: number; name: string; dnd: number; online: number }>(
      `SELECT c.id, c.name, c.dnd, EXISTS (SELECT 1 FROM presence p WHERE p.caller_id = c.id AND p.heartbeat_at >= ?) AS online
       FROM callers c WHERE c.name = ?`,
    ),
    saidSince: db.prepare<[number, number], number>('SELECT count(*) FROM chat_lines WHERE caller_id = ? AND at >= ?').pluck(),
    pruneOld: db.prepare<[number]>('DELETE FROM chat_lines WHERE at < ?'),
    announcedSince: db.prepare<[number, string, number], number>('SELECT EXISTS (SELECT 1 FROM chat_entries WHERE caller_id = ? AND room = ? AND at >= ? AND announced = 1)').pluck(),
    enter: db.prepare<[number, string, number, number]>('INSERT INTO chat_entries (caller_id, room, at, announced) VALUES (?, ?, ?, ?)'),
    pruneEntries: db.prepare<[number]>('DELETE FROM chat_entries WHERE at < ?'),
    prunePages: db.prepare<[number, number]>("DELETE FROM pages WHERE made_at < ? AND (answer IS NOT 'joined' OR made_at < ?)"),
    // On a call begun before the page (a takeover keeps `since`): a pager who hung up and called again waits nowhere.
    onSince: db.prepare<[number, number, number], number>('SELECT EXISTS (SELECT 1 FROM presence WHERE caller_id = ? AND heartbeat_at >= ? AND since <= ?)').pluck(),
    pagingMe: db.prepare<[number, number, number], { id: number; madeAt: number }>(
      'SELECT id, made_at AS madeAt FROM pages WHERE from_id = ? AND to_id = ? AND made_at >= ? AND answer IS NULL ORDER BY id DESC LIMIT 1',
    ),
    withdraw: db.prepare<[number, number, number]>("UPDATE pages SET answer = 'withdrawn', answered_at = ? WHERE id = ? AND from_id = ? AND answer IS NULL"),
    pagesSince: db.prepare<[number, number], number>('SELECT count(*) FROM pages WHERE from_id = ? AND made_at >= ?').pluck(),
    insertPage: db.prepare<[number, number, number]>('INSERT INTO pages (from_id, to_id, made_at) VALUES (?, ?, ?)'),
    waiting: db.prepare<[number, number], { id: number; from: string; fromId: number; room: string; answer: string | null; madeAt: number }>(
      `SELECT p.id, c.name AS "from", p.from_id AS fromId, 'page-' || p.id AS room, p.answer, p.made_at AS madeAt FROM pages p JOIN callers c ON c.id = p.from_id
       WHERE p.to_id = ? AND p.made_at >= ? AND (p.answer IS NULL OR p.answer = 'withdrawn') ORDER BY p.id DESC LIMIT 1`,
    ),
    answer: db.prepare<[string, number, number]>('UPDATE pages SET answer = ?, answered_at = ? WHERE id = ?'),
    toggleDnd: db.prepare<[number], number>('UPDATE callers SET dnd = 1 - dnd WHERE id = ? RETURNING dnd').pluck(),
    parties: db.prepare<[number], string>('SELECT c.name FROM pages p JOIN callers c ON c.id IN (p.from_id, p.to_id) WHERE p.id = ?').pluck(),
    inRoom: db.prepare<[string, number, string], string>(
      `SELECT DISTINCT p.name FROM presence p WHERE p.doing = ? AND p.heartbeat_at >= ? AND p.name IS NOT NULL
         AND (SELECT e.room FROM chat_entries e WHERE e.caller_id = p.caller_id ORDER BY e.at DESC, e.id DESC LIMIT 1) = ?
       ORDER BY p.name COLLATE NOCASE`,
    ).pluck(),
    doing: db.prepare<[string, number], string>('SELECT DISTINCT name FROM presence WHERE doing = ? AND heartbeat_at >= ? AND name IS NOT NULL ORDER BY name COLLATE NOCASE').pluck(),
  };

  const sayTx = db.transaction((room: string, callerId: number, name: string, kind: string, body: string, now: number, flood: FloodLimit | undefined): number | 'flood' => {
    // Counted here, not in the flow: going out of the room and back in starts nothing afresh.
    if (flood !== undefined && (sql.saidSince.get(callerId, flood.since) ?? 0) >= flood.lines) return 'flood';
    const id = Number(sql.say.run(room, callerId, name, kind, body, now).lastInsertRowid);
    sql.prune.run(room, room, KEEP_PER_ROOM);
    // A private room's lines are never pushed out by newer ones: they go by age.
    sql.pruneOld.run(now - KEEP_MS);
    return id;
  });

  const enterTx = db.transaction((room: string, callerId: number, now: number, quietSince: number): boolean => {
    // Per room: a caller who was in the main room a moment ago and joins a pager is announced there.
    const announce = sql.announcedSince.get(callerId, room, quietSince) === 0;
    sql.enter.run(callerId, room, now, announce ? 1 : 0);
    sql.pruneEntries.run(now - KEEP_MS);
    return announce;
  });

  const pageTx = db.transaction((fromId: number, name: string, now: number, since: number, max: number, freshSince: number, crossSince: number): PageOutcome => {
    const target = sql.target.get(freshSince, name);
    if (target === undefined) return { paged: false, why: 'unknown', to: name };
    if (target.id === fromId) return { paged: false, why: 'self', to: target.name };
    if (target.online === 0) return { paged: false, why: 'offline', to: target.name };
    // Two callers paging each other: the second joins the first's room (as J would), no second room to wait in.
    const crossing = sql.pagingMe.get(target.id, fromId, crossSince);
    if (crossing !== undefined && sql.onSince.get(target.id, freshSince, crossing.madeAt) === 1) {
      sql.answer.run('joined', now, crossing.id);
      return { paged: true, crossed: true, id: crossing.id, to: target.name, room: `page-${crossing.id}` };
    }
    if (target.dnd !== 0) return { paged: false, why: 'dnd', to: target.name };
    if ((sql.pagesSince.get(fromId, since) ?? 0) >= max) return { paged: false, why: 'too_often', to: target.name };
    const id = Number(sql.insertPage.run(fromId, target.id, now).lastInsertRowid);
    // A joined page names its room's two callers (/who there): kept while the room's lines are.
    sql.prunePages.run(now - KEEP_PAGES_MS, now - KEEP_MS);
    return { paged: true, id, to: target.name, room: `page-${id}` };
  });

  const answerTx = db.transaction((toId: number, since: number, how: string, now: number, freshSince: number): WaitingPage | undefined => {
    const page = sql.waiting.get(toId, since);
    if (page === undefined) return undefined;
    const found = { id: page.id, from: page.from, room: page.room };
    // A pager who hung up waits nowhere: joining would be a room of one.
    if (page.answer === 'withdrawn' || sql.onSince.get(page.fromId, freshSince, page.madeAt) === 0) return { ...found, withdrawn: true };
    sql.answer.run(how, now, page.id);
    return found;
  });

  return {
    doing: (what, since) => sql.doing.all(what, since),
    inRoom: (room, what, since) => sql.inRoom.all(what, since, room),
    parties: (id) => sql.parties.all(id),
    say: (room, callerId, name, kind, body, now, flood) => write('A chat line', () => sayTx.immediate(room, callerId, name, kind, body, now, flood)),
    enter: (room, callerId, now, quietSince) => write('A chat entry', () => enterTx.immediate(room, callerId, now, quietSince)),
    withdrawPage: (id, fromId, now) => write('A page withdrawn', () => void sql.withdraw.run(now, id, fromId)),
    backlog: (room, since, limit) => sql.backlog.all(room, since, limit),
    page: (fromId, name, now, since, max, freshSince, crossSince = since) => write('A page', () => pageTx.immediate(fromId, name, now, since, max, freshSince, crossSince)),
    answerPage: (toId, since, how, now, freshSince) => write('An answer to a page', () => answerTx.immediate(toId, since, how, now, freshSince)),
    toggleDnd: (callerId) => write('Do not disturb', () => sql.toggleDnd.get(callerId) !== 0),
  };
}
