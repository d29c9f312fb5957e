/**
 * What the sysop's console changes on the board (`m2bbs sysop delete-message`, `move-message`,
 * `delete-user`), each in one IMMEDIATE transaction on the raw database handle, so a reader of the
 * running BBS sees all of it or none. Per-area and board counts stay right through the triggers of
 * migrations v3 and v7 (only inserts and deletes, never an update of messages.area_id).
 */
import type Database from 'better-sqlite3';
import { NEXT_MESSAGE_ID } from './message-numbers.js';
import { withoutQuote } from './reply-quote.js';
import { DELETED_CALLER_NAME, firstLine } from './sysop-board.js';

/** A message as it was before a change. */
export interface MessageGone {
  readonly id: number;
  readonly area: string;
  readonly author: string;
  readonly firstLine: string;
}

/** Where a moved message went: its area, and its new number there. */
export interface MessageMoved extends MessageGone {
  readonly to: string;
  readonly newId: number;
}

/** What deleting a caller did with what they wrote. */
export interface CallerDeleted {
  readonly posts: 'keep' | 'delete';
  /** Messages, wall lines, mail they sent and chat lines kept (shown from a deleted caller) or deleted. */
  readonly messages: number;
  readonly wallLines: number;
  readonly mailSent: number;
  readonly chatLines: number;
  /** Mail sent to them, which nobody can read now, deleted. */
  readonly mailReceived: number;
}


interface MessageRow {
  readonly id: number;
  readonly areaId: number;
  readonly area: string;
  readonly authorId: number;
  readonly author: string;
  readonly body: string;
  readonly replyTo: number | null;
  readonly createdAt: number;
}


function messageRow(db: Database.Database, id: number): MessageRow | undefined {
  return db
    .prepare<[number], MessageRow>(
      `SELECT m.id, m.area_id AS areaId, a.name AS area, m.author_id AS authorId, c.name AS author, m.body,
         m.reply_to AS replyTo, m.created_at AS createdAt
       FROM messages m JOIN areas a ON a.id = m.area_id JOIN callers c ON c.id = m.author_id WHERE m.id = ?`,
    )
    .get(id);
}

const gone = (row: MessageRow): MessageGone => ({ id: row.id, area: row.area, author: row.author, firstLine: firstLine(row.body) });

// Deletes one message inside the caller's transaction. Its replies stay, no longer replies: their
// quote of it goes too (it would show what was deleted), and reply_to, a foreign key, is cleared.
// Read marks need nothing: a mark is the highest id read, later messages stay later, and no number
// is given again (migration v15).
function removeMessage(db: Database.Database, id: number): void {
  const replies = db.prepare<[number], { id: number; body: string }>('SELECT id, body FROM messages WHERE reply_to = ?').all(id);
  const unlink = db.prepare<[string, number]>('UPDATE messages SET reply_to = NULL, body = ? WHERE id = ?');
  for (const reply of replies) unlink.run(withoutQuote(reply.body), reply.id);
  db.prepare<[number]>('DELETE FROM messages WHERE id = ?').run(id);
}

/** Deletes message `id`; what it was, or undefined when there is none. */
export function deleteMessage(db: Database.Database, id: number): MessageGone | undefined {
  const run = db.transaction((): MessageGone | undefined => {
    const row = messageRow(db, id);
    if (row === undefined) return undefined;
    removeMessage(db, id);
    return gone(row);
  });
  return run.immediate();
}

/**
 * Moves message `id` to area `areaId` under a new number, the next on the board: every caller's
 * new-message scan then offers it in its new area (a read mark is the highest id read there, so
 * the old number could sit below a mark and never be new). Its replies follow it to the new
 * number. Undefined when there is no message `id`; the same message when it is there already.
 */
export function moveMessage(db: Database.Database, id: number, areaId: number): MessageMoved | undefined {
  const run = db.transaction((): MessageMoved | undefined => {
    const row = messageRow(db, id);
    if (row === undefined) return undefined;
    const to = db.prepare<[number], string>('SELECT name FROM areas WHERE id = ?').pluck().get(areaId);
    if (to === undefined) throw new RangeError(`Expected an existing area id, got ${areaId}`);
    if (row.areaId === areaId) return { ...gone(row), to, newId: row.id };
    const newId = db
      .prepare<[number, number, string, number | null, number], number>(
        `INSERT INTO messages (id, area_id, author_id, body, reply_to, created_at) VALUES (${NEXT_MESSAGE_ID}, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .pluck()
      .all(areaId, row.authorId, row.body, row.replyTo, row.createdAt)[0];
    if (newId === undefined) throw new Error('Expected a row from moving a message, got none');
    db.prepare<[number, number]>('UPDATE messages SET reply_to = ? WHERE reply_to = ?').run(newId, id);
    // A reply being written to the old number goes to the new one (db/areas-store.ts follows this).
    db.prepare<[number, number]>('INSERT OR REPLACE INTO message_moves (old_id, new_id) VALUES (?, ?)').run(id, newId);
    db.prepare<[number]>('DELETE FROM messages WHERE id = ?').run(id);
    return { ...gone(row), to, newId };
  });
  return run.immediate();
}

// The row deleted callers' kept posts point to: made on first use, deleted itself so that no
// listing shows it and no one can log in as it (and no one can sign up as it: names have no spaces).
function deletedCallerId(db: Database.Database, now: number): number {
  db.prepare<[string, number, number]>(
    "INSERT INTO callers (name, password_hash, created_at, calls, deleted_at) VALUES (?, '!', ?, 0, ?) ON CONFLICT (name) DO NOTHING",
  ).run(DELETED_CALLER_NAME, now, now);
  const id = db.prepare<[string], number>('SELECT id FROM callers WHERE name = ?').pluck().get(DELETED_CALLER_NAME);
  if (id === undefined) throw new Error('Expected the deleted callers\' row, got none');
  return id;
}

/**
 * Deletes caller `callerId`: their row stays, marked deleted with a password nothing matches, so
 * their name cannot log in nor be signed up again. What they wrote that others read (messages,
 * wall lines, mail they sent, chat lines) is kept under DELETED_CALLER_NAME or deleted; mail to
 * them, their read marks, pages, chat entries and draft go. Their open line, if any, is left for the
 * hang-up order the console makes (its presence row and line go when it closes); run again once
 * it has, it does the same to what they wrote meanwhile and returns that.
 */
export function deleteCaller(db: Database.Database, callerId: number, posts: 'keep' | 'delete', now: number): CallerDeleted {
  const run = db.transaction((): CallerDeleted => {
    const name = db.prepare<[number], string>('SELECT name FROM callers WHERE id = ?').pluck().get(callerId);
    if (name === undefined) throw new RangeError(`Expected an existing caller id, got ${callerId}`);
    const change = (sql: string, ...args: unknown[]): number => db.prepare(sql).run(...args).changes;
    const mailReceived = change('DELETE FROM mail WHERE to_id = ?', callerId);
    let counts: Omit<CallerDeleted, 'posts' | 'mailReceived'>;
    if (posts === 'keep') {
      const to = deletedCallerId(db, now);
      counts = {
        messages: change('UPDATE messages SET author_id = ? WHERE author_id = ?', to, callerId),
        wallLines: change('UPDATE wall_lines SET author_id = ? WHERE author_id = ?', to, callerId),
        mailSent: change('UPDATE mail SET from_id = ? WHERE from_id = ?', to, callerId),
        chatLines: change('UPDATE chat_lines SET caller_id = ?, name = ? WHERE caller_id = ?', to, DELETED_CALLER_NAME, callerId),
      };
      change('UPDATE calls SET caller_id = ?, name = ? WHERE caller_id = ?', to, DELETED_CALLER_NAME, callerId);
    } else {
      const ids = db.prepare<[number], number>('SELECT id FROM messages WHERE author_id = ? ORDER BY id').pluck().all(callerId);
      for (const id of ids) removeMessage(db, id);
      counts = {
        messages: ids.length,
        wallLines: change('DELETE FROM wall_lines WHERE author_id = ?', callerId),
        mailSent: change('DELETE FROM mail WHERE from_id = ?', callerId),
        chatLines: change('DELETE FROM chat_lines WHERE caller_id = ?', callerId),
      };
      change('DELETE FROM calls WHERE caller_id = ?', callerId);
    }
    change('DELETE FROM read_marks WHERE caller_id = ?', callerId);
    change('DELETE FROM pages WHERE from_id = ? OR to_id = ?', callerId, callerId);
    change('DELETE FROM chat_entries WHERE caller_id = ?', callerId);
    change('DELETE FROM drafts WHERE caller_id = ?', callerId);
    change('DELETE FROM login_known WHERE name = ?', name);
    // Run again for what they wrote before their line closed, it keeps the time of the deletion.
    change("UPDATE callers SET deleted_at = coalesce(deleted_at, ?), password_hash = '!deleted', must_change_password = 0, dnd = 0 WHERE id = ?", now, callerId);
    return { posts, mailReceived, ...counts };
  });
  return run.immediate();
}
