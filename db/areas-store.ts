/**
 * Message areas, replies and read marks (migration v7). The board's areas come from the sysop's
 * screens/areas.conf, reconciled into the `areas` table at each load; General (id 1) always
 * exists. An area taken out of the file is archived (position NULL): its messages are kept, and
 * putting its line back brings it back with them.
 */
import type Database from 'better-sqlite3';
import { checkInteger, checkString } from './store-checks.js';
import { NEXT_MESSAGE_ID } from './message-numbers.js';
import { withoutQuote } from './reply-quote.js';

/** The id of General, the area every message from before areas is in. */
export const GENERAL_AREA_ID = 1;

/** The name of General, which is always there. */
export const GENERAL_AREA_NAME = 'general';

/** An area callers can use. */
export interface Area {
  readonly id: number;
  readonly name: string;
  readonly title: string;
  /** How many messages it holds. */
  readonly messages: number;
}

/** An area as the sysop's file defines it, in order; `was` names the area it renames. */
export interface AreaDef {
  readonly name: string;
  readonly title: string;
  readonly was?: string;
}

/** What reconciling the file into the table changed, for the log. */
export interface AreaChanges {
  readonly added: readonly string[];
  readonly renamed: readonly string[];
  readonly archived: readonly string[];
  readonly restored: readonly string[];
  /**
   * Renames not made (`old -> new`): both names already have an area (merging areas is not done).
   * The old area stays in force as it was, so no messages go out of sight.
   */
  readonly refused: readonly string[];
}

/** One message in an area, with what it replies to. */
export interface AreaMessage {
  readonly id: number;
  readonly areaId: number;
  readonly author: string;
  readonly body: string;
  readonly createdAt: number;
  readonly replyTo: number | null;
  readonly replyToAuthor: string | null;
}

/** An area with how many of its messages a caller has not read (their own posts never count). */
export interface AreaNews extends Area {
  readonly unread: number;
  /** The highest message id the caller has read there, 0 when none. */
  readonly lastReadId: number;
  /** Messages after the read mark, the caller's own included: what reading on from the mark shows. */
  readonly waiting: number;
}

/** The areas' tables, as the store offers them. */
export interface AreasStore {
  /** The areas in force (not archived), in the file's order. */
  list(): Area[];
  /** Makes the table say what the sysop's file says (see the module comment). */
  reconcile(defs: readonly AreaDef[]): AreaChanges;
  /**
   * Posts a message in an area, replying to `replyTo` when not null; returns its id, or undefined
   * (nothing stored) when the area is archived: the sysop took it out, perhaps while the caller wrote.
   */
  post(areaId: number, authorId: number, body: string, replyTo: number | null, now: number): number | undefined;
  /** Up to `limit` messages of an area after `afterId`, oldest first, without marking them read. */
  messages(areaId: number, afterId: number, limit: number): AreaMessage[];
  /** Like `messages`, and in the same commit moves the caller's read mark up to the last one returned. */
  read(callerId: number, areaId: number, afterId: number, limit: number): AreaMessage[];
  /** One message by id, in an area in force: an archived area's messages cannot be replied to. */
  message(id: number): AreaMessage | undefined;
  /** Each area in force with the caller's unread count and read mark. */
  news(callerId: number): AreaNews[];
}

const MESSAGE_COLUMNS = `m.id, m.area_id AS areaId, c.name AS author, m.body, m.created_at AS createdAt,
  m.reply_to AS replyTo, (SELECT rc.name FROM messages r JOIN callers rc ON rc.id = r.author_id WHERE r.id = m.reply_to) AS replyToAuthor`;

interface AreaRow {
  readonly id: number;
  readonly name: string;
  readonly title: string;
  readonly position: number | null;
}

/** Prepares the areas' statements on a migrated database; `write` runs each write. */
export function createAreasStore(db: Database.Database, write: <T>(what: string, run: () => T) => T): AreasStore {
  const sql = {
    list: db.prepare<[], Area>('SELECT id, name, title, messages FROM areas WHERE position IS NOT NULL ORDER BY position, id'),
    all: db.prepare<[], AreaRow>('SELECT id, name, title, position FROM areas'),
    insert: db.prepare<[string, string, number]>('INSERT INTO areas (name, title, position) VALUES (?, ?, ?)'),
    update: db.prepare<[string, string, number | null, number]>('UPDATE areas SET name = ?, title = ?, position = ? WHERE id = ?'),
    position: db.prepare<[number], number | null>('SELECT position FROM areas WHERE id = ?').pluck(),
    messageExists: db.prepare<[number], number>('SELECT id FROM messages WHERE id = ?').pluck(),
    highest: db.prepare<[], number>('SELECT id FROM message_high WHERE one = 1').pluck(),
    movedTo: db.prepare<[number], number>('SELECT new_id FROM message_moves WHERE old_id = ?').pluck(),
    post: db
      .prepare<[number, number, string, number | null, number], number>(
        `INSERT INTO messages (id, area_id, author_id, body, reply_to, created_at) VALUES (${NEXT_MESSAGE_ID}, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .pluck(),
    messages: db.prepare<[number, number, number], AreaMessage>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN callers c ON c.id = m.author_id
       WHERE m.area_id = ? AND m.id > ? ORDER BY m.id LIMIT +?`,
    ),
    message: db.prepare<[number], AreaMessage>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN callers c ON c.id = m.author_id JOIN areas a ON a.id = m.area_id
       WHERE m.id = ? AND a.position IS NOT NULL`,
    ),
    mark: db.prepare<[number, number, number]>(
      `INSERT INTO read_marks (caller_id, area_id, last_read_id) VALUES (?, ?, ?)
       ON CONFLICT (caller_id, area_id) DO UPDATE SET last_read_id = max(last_read_id, excluded.last_read_id)`,
    ),
    othersSinceMark: db
      .prepare<[number, number, number, number], number>(
        `SELECT EXISTS (SELECT 1 FROM messages m WHERE m.area_id = ? AND m.author_id <> ?
         AND m.id > coalesce((SELECT last_read_id FROM read_marks WHERE caller_id = ? AND area_id = ?), 0))`,
      )
      .pluck(),
    // Others' messages as all of them less the caller's own: the first count reads only the
    // area's index range on one side of the mark, the second the author index (v10), never the
    // messages themselves.
    news: db.prepare<[{ caller: number }], AreaNews>(
      `SELECT id, name, title, messages, lastReadId, waiting, waiting - own AS unread FROM (
         SELECT a.id, a.name, a.title, a.messages, a.position, coalesce(r.last_read_id, 0) AS lastReadId,
           -- With no mark yet, everything is waiting: the area's count, kept by triggers, says how much.
           CASE WHEN r.last_read_id IS NULL THEN a.messages
             -- The shorter side of the mark is counted (the count is exact either way): a caller
             -- who reads only an area's first pages has a mark near the start of a long area.
             WHEN r.last_read_id - (SELECT min(m.id) FROM messages m WHERE m.area_id = a.id) < (SELECT max(m.id) FROM messages m WHERE m.area_id = a.id) - r.last_read_id
               THEN a.messages - (SELECT count(*) FROM messages m WHERE m.area_id = a.id AND m.id <= r.last_read_id)
             ELSE (SELECT count(*) FROM messages m WHERE m.area_id = a.id AND m.id > r.last_read_id) END AS waiting,
           (SELECT count(*) FROM messages m WHERE m.author_id = @caller AND m.area_id = a.id AND m.id > coalesce(r.last_read_id, 0)) AS own
         FROM areas a LEFT JOIN read_marks r ON r.area_id = a.id AND r.caller_id = @caller
         WHERE a.position IS NOT NULL
       ) ORDER BY position, id`,
    ),
  };

  const reconcile = db.transaction((defs: readonly AreaDef[]): AreaChanges => {
    const changes = { added: [] as string[], renamed: [] as string[], archived: [] as string[], restored: [] as string[], refused: [] as string[] };
    const rows = sql.all.all();
    const byName = new Map(rows.map((row) => [row.name.toLowerCase(), row]));
    const listed = new Set(defs.map((def) => def.name));
    // General is first unless the file puts it somewhere else: it is never missing.
    const ordered = listed.has(GENERAL_AREA_NAME) ? defs : [{ name: GENERAL_AREA_NAME, title: byName.get(GENERAL_AREA_NAME)?.title ?? 'General' }, ...defs];
    const kept = new Set<number>();
    ordered.forEach((def, position) => {
      let row = byName.get(def.name);
      const old = def.was === undefined ? undefined : byName.get(def.was);
      if (row === undefined && old !== undefined && old.id !== GENERAL_AREA_ID && !listed.has(def.was ?? '')) {
        // The same row under its new name: its id, and so its messages and read marks, stay.
        changes.renamed.push(`${old.name} -> ${def.name}`);
        byName.delete(old.name.toLowerCase());
        row = old;
      } else if (row !== undefined && old !== undefined && old.id !== row.id && !listed.has(def.was ?? '') && old.position !== null) {
        changes.refused.push(`${old.name} -> ${def.name}`);
        // The old area is not archived for a rename that did not happen: it stays in force
        // (with its messages), listed where the new name is, until the sysop settles it.
        kept.add(old.id);
        if (old.position !== position) sql.update.run(old.name, old.title, position, old.id);
      }
      if (row === undefined) {
        sql.insert.run(def.name, def.title, position);
        changes.added.push(def.name);
        return;
      }
      if (row.position === null) changes.restored.push(def.name);
      kept.add(row.id);
      if (row.name !== def.name || row.title !== def.title || row.position !== position) sql.update.run(def.name, def.title, position, row.id);
    });
    for (const row of rows) {
      if (kept.has(row.id) || row.position === null) continue;
      sql.update.run(row.name, row.title, null, row.id);
      changes.archived.push(row.name);
    }
    return changes;
  });

  const read = db.transaction((callerId: number, areaId: number, afterId: number, limit: number): AreaMessage[] => {
    const page = sql.messages.all(areaId, afterId, limit);
    const last = page.at(-1);
    if (last !== undefined) sql.mark.run(callerId, areaId, last.id);
    return page;
  });

  // The message a reply goes to: `id`, or where the sysop moved it (moves may chain), or null when it is gone.
  const replyTarget = (id: number): number | null => {
    let at: number | undefined = id;
    for (const seen = new Set<number>(); at !== undefined && !seen.has(at); at = sql.movedTo.get(at)) {
      if (sql.messageExists.get(at) !== undefined) return at;
      seen.add(at);
    }
    return null;
  };

  const post = db.transaction((areaId: number, authorId: number, body: string, replyTo: number | null, now: number): number | undefined => {
    // areas has no foreign key from messages (see migration v7): the area is checked here, in
    // the write's transaction, so a post never lands in an area archived a moment before.
    const position = sql.position.get(areaId);
    if (position === undefined) throw new RangeError(`Expected an existing area id, got ${areaId}`);
    if (position === null) return undefined;
    // The sysop may delete or move the message while the reply is written: the reply is never
    // lost. A moved message is replied to under its new number; a deleted one leaves a plain
    // message, its quote of the deleted words replaced as deleting a message does to replies.
    const to = replyTo === null ? null : replyTarget(replyTo);
    if (replyTo !== null && to === null && replyTo > (sql.highest.get() ?? 0)) throw new RangeError(`Expected a message id given before to reply to, got ${replyTo}`);
    const text = replyTo !== null && to === null ? withoutQuote(body) : body;
    // A caller who had read everything others wrote there is still up to date after posting:
    // their own message is never new to them, nor shown again by their next scan.
    const upToDate = sql.othersSinceMark.get(areaId, authorId, authorId, areaId) === 0;
    const id = sql.post.all(areaId, authorId, text, to, now)[0];
    if (id === undefined) throw new Error('Expected a row from posting a message, got none');
    if (upToDate) sql.mark.run(authorId, areaId, id);
    return id;
  });

  return Object.freeze({
    list: () => sql.list.all(),
    reconcile(defs: readonly AreaDef[]): AreaChanges {
      for (const def of defs) {
        checkString('area name', def.name);
        checkString('area title', def.title);
      }
      return write('The areas', () => reconcile.immediate(defs));
    },
    post(areaId: number, authorId: number, body: string, replyTo: number | null, now: number): number | undefined {
      checkInteger('areaId', areaId, 1);
      checkInteger('authorId', authorId, 1);
      checkString('body', body);
      if (replyTo !== null) checkInteger('replyTo', replyTo, 1);
      checkInteger('now', now, 0);
      return write('A message', () => post.immediate(areaId, authorId, body, replyTo, now));
    },
    messages(areaId: number, afterId: number, limit: number): AreaMessage[] {
      return sql.messages.all(checkInteger('areaId', areaId, 1), checkInteger('afterId', afterId, 0), checkInteger('limit', limit, 1));
    },
    read(callerId: number, areaId: number, afterId: number, limit: number): AreaMessage[] {
      checkInteger('callerId', callerId, 1);
      checkInteger('areaId', areaId, 1);
      checkInteger('afterId', afterId, 0);
      checkInteger('limit', limit, 1);
      return write('A read mark', () => read(callerId, areaId, afterId, limit));
    },
    message: (id: number) => sql.message.get(checkInteger('id', id, 1)),
    news(callerId: number): AreaNews[] {
      checkInteger('callerId', callerId, 1);
      return sql.news.all({ caller: callerId });
    },
  });
}
