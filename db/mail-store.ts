/**
 * Private mail: sent from one caller to another, read by its recipient a page at a time from a
 * cursor (unread first, then what was read before the walk began, each oldest first), marked
 * read as it is shown. A page seeks to its cursor in an index (`mail_inbox` for the unread,
 * `mail_by_date` for the read, migration 16): it costs its own length plus the index entries it
 * steps over (mail read during this walk), never a sort or a scan of the inbox from its start.
 */
import Database from 'better-sqlite3';
import { checkIds, checkInteger, checkMailCursor, checkString } from './store-checks.js';

/** One piece of private mail in a caller's inbox. */
export interface MailItem {
  readonly id: number;
  readonly from: string;
  readonly body: string;
  readonly createdAt: number;
  readonly readAt: number | null;
}

/**
 * Where a walk through an inbox stands: after the mail `id` sent at `createdAt`, among the unread
 * ones (`unread`) or among those read before the walk began.
 */
export interface MailCursor {
  readonly unread: boolean;
  readonly createdAt: number;
  readonly id: number;
}

/** A page of an inbox, and whether more follows it. */
export interface MailPage {
  readonly mails: readonly MailItem[];
  readonly more: boolean;
}

/** The cursor after `item`, the last mail a page showed. */
export function mailCursorAfter(item: MailItem): MailCursor {
  return { unread: item.readAt === null, createdAt: item.createdAt, id: item.id };
}

/** Private mail; times are integer ms since the epoch, writes commit or throw (write-failure.ts). */
export interface MailStore {
  /**
   * Sends `body` from one caller to another; returns the mail's id, or undefined (nothing stored)
   * when the recipient is no caller: deleted by the sysop, perhaps while the mail was written.
   * RangeError for a sender who does not exist.
   */
  send(fromId: number, toId: number, body: string, now: number): number | undefined;
  /** How much mail a caller has, read or not. */
  count(callerId: number): number;
  countUnread(callerId: number): number;
  /** When the caller last marked mail read (the latest read time, which a clock stepped back can put ahead of now); -1 for never. */
  lastRead(callerId: number): number;
  /**
   * Up to `limit` of a caller's mail after `after` (from the start without one): the unread first,
   * then those read before `openedAt`, each oldest first. A walk opens after every read time so
   * far and marks what it shows at or after its opening (see the services' openInbox and
   * markMailRead): it shows each mail once, and every mail read before it.
   */
  page(callerId: number, after: MailCursor | undefined, openedAt: number, limit: number): MailPage;
  /** Marks the caller's own mails among `ids` read at `now`; one read already keeps its first time. */
  markRead(callerId: number, ids: readonly number[], now: number): void;
}

const MAIL_COLUMNS = 'm.id, c.name AS "from", m.body, m.created_at AS createdAt, m.read_at AS readAt';
// After the cursor (created_at, id), seeking on created_at in the index.
const AFTER_CURSOR = 'm.created_at >= ? AND (m.created_at > ? OR m.id > ?) ORDER BY m.created_at, m.id LIMIT +?';

/** Creates the mail store over a migrated database; `write` runs each write (see writeRunner). */
export function createMailStore(db: Database.Database, write: <T>(what: string, run: () => T) => T): MailStore {
  const sql = {
    // To a caller who is one still: a deleted caller's row stays (their name is never reused), their mail does not.
    send: db
      .prepare<[number, string, number, number], number>('INSERT INTO mail (from_id, to_id, body, created_at) SELECT ?, id, ?, ? FROM callers WHERE id = ? AND deleted_at IS NULL RETURNING id')
      .pluck(),
    count: db.prepare<[number], number>('SELECT count(*) FROM mail WHERE to_id = ?').pluck(),
    countUnread: db.prepare<[number], number>('SELECT count(*) FROM mail WHERE to_id = ? AND read_at IS NULL').pluck(),
    lastRead: db.prepare<[number], number>('SELECT coalesce(max(read_at), -1) FROM mail WHERE to_id = ?').pluck(),
    unreadPage: db.prepare<[number, number, number, number, number], MailItem>(
      `SELECT ${MAIL_COLUMNS} FROM mail m JOIN callers c ON c.id = m.from_id WHERE m.to_id = ? AND m.read_at IS NULL AND ${AFTER_CURSOR}`,
    ),
    readPage: db.prepare<[number, number, number, number, number, number], MailItem>(
      `SELECT ${MAIL_COLUMNS} FROM mail m INDEXED BY mail_by_date JOIN callers c ON c.id = m.from_id WHERE m.to_id = ? AND m.read_at < ? AND ${AFTER_CURSOR}`,
    ),
    markRead: db.prepare<[number, number, number]>('UPDATE mail SET read_at = ? WHERE id = ? AND to_id = ? AND read_at IS NULL'),
  };

  // Both parts of a page in one snapshot (the last unread mail, then the first read ones), and one
  // mail more than it shows, to tell whether more follows.
  const pageBatch = db.transaction((callerId: number, after: MailCursor | undefined, openedAt: number, limit: number): MailPage => {
    const from = after ?? { unread: true, createdAt: -1, id: 0 };
    let mails = from.unread ? sql.unreadPage.all(callerId, from.createdAt, from.createdAt, from.id, limit + 1) : [];
    if (mails.length <= limit) {
      const read = from.unread ? { createdAt: -1, id: 0 } : from;
      mails = mails.concat(sql.readPage.all(callerId, openedAt, read.createdAt, read.createdAt, read.id, limit + 1 - mails.length));
    }
    return { mails: mails.slice(0, limit), more: mails.length > limit };
  });
  const markBatch = db.transaction((callerId: number, ids: readonly number[], now: number): void => {
    for (const id of ids) sql.markRead.run(now, id, callerId);
  });

  return Object.freeze({
    send(fromId: number, toId: number, body: string, now: number): number | undefined {
      checkInteger('fromId', fromId, 1);
      checkInteger('toId', toId, 1);
      checkString('body', body);
      checkInteger('now', now, 0);
      try {
        // Stepped to the end (.all()): a commit that fails is reported (write-failure.ts).
        return write('A mail', () => sql.send.all(fromId, body, now, toId)[0]);
      } catch (err) {
        if (!(err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY')) throw err;
        throw new RangeError(`Expected an existing caller id for fromId, got ${fromId}`, { cause: err });
      }
    },
    count(callerId: number): number {
      return sql.count.get(checkInteger('callerId', callerId, 1)) ?? 0;
    },
    countUnread(callerId: number): number {
      return sql.countUnread.get(checkInteger('callerId', callerId, 1)) ?? 0;
    },
    lastRead(callerId: number): number {
      return sql.lastRead.get(checkInteger('callerId', callerId, 1)) ?? -1;
    },
    page(callerId: number, after: MailCursor | undefined, openedAt: number, limit: number): MailPage {
      checkInteger('callerId', callerId, 1);
      checkInteger('openedAt', openedAt, 0);
      checkInteger('limit', limit, 1);
      return pageBatch(callerId, after === undefined ? undefined : checkMailCursor(after), openedAt, limit);
    },
    markRead(callerId: number, ids: readonly number[], now: number): void {
      checkInteger('callerId', callerId, 1);
      checkIds(ids);
      checkInteger('now', now, 0);
      write('Marking mail read', () => markBatch(callerId, ids, now));
    },
  });
}
