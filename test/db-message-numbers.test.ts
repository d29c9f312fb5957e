/**
 * Message numbers are never given twice, and a reply outlives the sysop deleting or moving the
 * message it answers (issue 18), on a real database with the real migrations, seen through the
 * store the BBS reads and posts with.
 */
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { GENERAL_AREA_ID } from '../db/areas-store.js';
import { migrate, MIGRATIONS } from '../db/migrations.js';
import { createStore, type Store } from '../db/store.js';
import { QUOTE_REMOVED } from '../db/reply-quote.js';
import { deleteMessage, moveMessage } from '../db/sysop-board-changes.js';
import { T0, twoAreaBoard } from './support/two-area-board.js';

const board = twoAreaBoard;

const unread = (store: Store, caller: number, area: string): number | undefined => store.areas.news(caller).find((a) => a.name === area)?.unread;

describe('message numbers', () => {
  it('the newest message deleted: the next post gets a new number, new to a caller whose mark was the deleted one', () => {
    const { db, store, ann, bob } = board();
    store.areas.post(GENERAL_AREA_ID, ann, 'First.', null, T0);
    const newest = store.areas.post(GENERAL_AREA_ID, ann, 'BUY NOW', null, T0 + 1) ?? 0;
    store.areas.read(bob, GENERAL_AREA_ID, 0, 10);
    expect(store.areas.news(bob).find((a) => a.name === 'general')?.lastReadId).toBe(newest);

    expect(deleteMessage(db, newest)?.id).toBe(newest);
    const next = store.areas.post(GENERAL_AREA_ID, ann, 'Sorry about that.', null, T0 + 2) ?? 0;
    expect(next).toBe(newest + 1);
    expect(unread(store, bob, 'general')).toBe(1);
    expect(store.areas.read(bob, GENERAL_AREA_ID, newest, 10).map((m) => m.body)).toEqual(['Sorry about that.']);
  });

  it('the newest message moved: its old number is not given again, nor its new one', () => {
    const { db, store, ann, bob, tech } = board();
    const newest = store.areas.post(GENERAL_AREA_ID, ann, 'Modem trouble.', null, T0) ?? 0;
    const moved = moveMessage(db, newest, tech)?.newId ?? 0;
    expect(moved).toBe(newest + 1);
    expect(deleteMessage(db, moved)?.id).toBe(moved);
    const next = store.areas.post(GENERAL_AREA_ID, bob, 'Anyone?', null, T0 + 1) ?? 0;
    expect(next).toBe(moved + 1);
    // The board's own post path (General, from before areas) takes the same rule.
    expect(deleteMessage(db, next)?.id).toBe(next);
    expect(store.postMessage(bob, 'Again.', T0 + 2)).toBe(next + 1);
  });

  it('a board from before v15 whose newest message was deleted then keeps its highest number from the migration on', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, MIGRATIONS.slice(0, 14))).toBe(14);
    db.exec("INSERT INTO callers (name, password_hash, created_at) VALUES ('ann', 'h', 0)");
    for (const id of [3, 9]) db.prepare('INSERT INTO messages (id, author_id, body, created_at) VALUES (?, 1, ?, 0)').run(id, `old ${id}`);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    db.prepare('DELETE FROM messages WHERE id = 9').run();
    const store = createStore(db);
    onTestFinished(() => store.close());
    expect(store.areas.post(GENERAL_AREA_ID, 1, 'New.', null, 1)).toBe(10);
  });
});

describe('a reply the sysop pulled the message from under', () => {
  it('the message deleted while the reply was written: the reply is posted plain in the same area, without the quote', () => {
    const { db, store, ann, bob } = board();
    const spam = store.areas.post(GENERAL_AREA_ID, ann, 'BUY NOW', null, T0) ?? 0;
    deleteMessage(db, spam);
    const id = store.areas.post(GENERAL_AREA_ID, bob, '> BUY NOW\nNo thanks.', spam, T0 + 1);
    expect(id).toBe(spam + 1);
    expect(store.areas.message(id ?? 0)).toMatchObject({ areaId: GENERAL_AREA_ID, author: 'bob', body: `${QUOTE_REMOVED}\nNo thanks.`, replyTo: null });
    expect(store.areas.list().find((a) => a.id === GENERAL_AREA_ID)?.messages).toBe(1);
  });

  it('the message moved while the reply was written: the reply answers its new number, quote kept', () => {
    const { db, store, ann, bob, tech } = board();
    const first = store.areas.post(GENERAL_AREA_ID, ann, 'Modem trouble.', null, T0) ?? 0;
    const moved = moveMessage(db, first, tech)?.newId ?? 0;
    const again = moveMessage(db, moved, GENERAL_AREA_ID)?.newId ?? 0;
    const id = store.areas.post(GENERAL_AREA_ID, bob, '> Modem trouble.\nTry ATZ.', first, T0 + 1) ?? 0;
    expect(store.areas.message(id)).toMatchObject({ areaId: GENERAL_AREA_ID, body: '> Modem trouble.\nTry ATZ.', replyTo: again, replyToAuthor: 'ann' });
    // Moved, then deleted: nothing to answer, so a plain message.
    deleteMessage(db, again);
    const late = store.areas.post(GENERAL_AREA_ID, bob, '> Modem trouble.\nOr ATH.', first, T0 + 2) ?? 0;
    expect(store.areas.message(late)).toMatchObject({ body: `${QUOTE_REMOVED}\nOr ATH.`, replyTo: null });
  });
});
