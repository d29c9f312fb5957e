/**
 * The sysop's changes to the board in SQLite (db/sysop-board-changes.ts) on a real database with
 * the real migrations, seen through the store the BBS reads with: what a caller would be shown of
 * the areas, their counts and new-message scans, walls, mail and chat after each change.
 */
import { describe, expect, it } from 'vitest';
import { GENERAL_AREA_ID } from '../db/areas-store.js';
import type { Store } from '../db/store.js';
import { QUOTE_REMOVED, withoutQuote } from '../db/reply-quote.js';
import { deleteCaller, deleteMessage, moveMessage } from '../db/sysop-board-changes.js';
import { callerDetail, DELETED_CALLER_NAME, listCallers } from '../db/sysop-board.js';
import { createLogger } from '../common/log.js';
import { hashPassword } from '../db/password.js';
import { createLoginServices } from '../handler/login-services.js';
import { createStoredOr } from '../handler/write-failure-log.js';
import { T0, twoAreaBoard } from './support/two-area-board.js';

const board = twoAreaBoard;

const counts = (store: Store): Record<string, number> => Object.fromEntries(store.areas.list().map((a) => [a.name, a.messages]));

describe('the sysop\'s changes to the board', () => {
  it('takes the leading quote out of a reply, and nothing else', () => {
    expect(withoutQuote('> spam\n>\n> more spam\nMy answer.\n> not a quote of it')).toBe(`${QUOTE_REMOVED}\nMy answer.\n> not a quote of it`);
    expect(withoutQuote('No quote.\n> later')).toBe('No quote.\n> later');
    expect(withoutQuote('>not a quote line')).toBe('>not a quote line');
  });

  it('delete-message: gone from the area, its replies kept as plain messages, counts and scans right', () => {
    const { db, store, ann, bob } = board();
    const spam = store.areas.post(GENERAL_AREA_ID, ann, 'BUY NOW', null, T0) ?? 0;
    store.areas.read(bob, GENERAL_AREA_ID, 0, 10);
    const reply = store.areas.post(GENERAL_AREA_ID, bob, '> BUY NOW\nNo thanks.', spam, T0 + 1) ?? 0;
    const later = store.areas.post(GENERAL_AREA_ID, ann, 'Sorry.', null, T0 + 2) ?? 0;

    expect(deleteMessage(db, spam)).toEqual({ id: spam, area: 'general', author: 'ann', firstLine: 'BUY NOW' });
    expect(store.areas.messages(GENERAL_AREA_ID, 0, 10).map((m) => [m.id, m.body, m.replyTo])).toEqual([
      [reply, `${QUOTE_REMOVED}\nNo thanks.`, null],
      [later, 'Sorry.', null],
    ]);
    expect(counts(store)).toEqual({ general: 2, tech: 0 });
    expect(store.countMessages()).toBe(2);
    // bob read up to the spam (his mark points at a message no longer there): ann's later one is still new.
    expect(store.areas.news(bob).find((a) => a.name === 'general')?.unread).toBe(1);
    expect(deleteMessage(db, spam)).toBeUndefined();
  });

  it('move-message: the next number in the new area, new to readers there, replies following, counts right', () => {
    const { db, store, ann, bob, tech } = board();
    const first = store.areas.post(GENERAL_AREA_ID, ann, 'Modem trouble.', null, T0) ?? 0;
    const reply = store.areas.post(GENERAL_AREA_ID, bob, '> Modem trouble.\nTry ATZ.', first, T0 + 1) ?? 0;
    store.areas.post(tech, bob, 'Tech one.', null, T0 + 2);
    store.areas.read(bob, tech, 0, 10);

    const moved = moveMessage(db, first, tech);
    expect(moved).toEqual({ id: first, area: 'general', author: 'ann', firstLine: 'Modem trouble.', to: 'tech', newId: reply + 2 });
    expect(counts(store)).toEqual({ general: 1, tech: 2 });
    expect(store.countMessages()).toBe(3);
    expect(store.areas.message(reply)?.replyTo).toBe(moved?.newId);
    expect(store.areas.message(reply)?.replyToAuthor).toBe('ann');
    // bob had read tech to its end: the moved message is new to him there.
    expect(store.areas.news(bob).find((a) => a.name === 'tech')?.unread).toBe(1);
    expect(moveMessage(db, moved?.newId ?? 0, tech)?.newId).toBe(moved?.newId);
    expect(moveMessage(db, first, tech)).toBeUndefined();
  });

  it('delete-user --posts keep: what they wrote shows from a deleted caller, their name is nobody\'s and not free', () => {
    const { db, store, ann, bob } = board();
    store.areas.post(GENERAL_AREA_ID, ann, 'Hello.', null, T0);
    store.areas.read(ann, GENERAL_AREA_ID, 0, 10);
    store.postToWall('oneliners', ann, 'Was here.', T0);
    store.mail.send(ann, bob, 'Hi bob.', T0);
    store.mail.send(bob, ann, 'Hi ann.', T0);
    db.prepare("INSERT INTO chat_lines (room, caller_id, name, kind, body, at) VALUES ('lobby', ?, 'ann', 'chat', 'hey', ?)").run(ann, T0);
    db.prepare('INSERT INTO pages (from_id, to_id, made_at) VALUES (?, ?, ?)').run(bob, ann, T0);
    store.presence.logCall({ callerId: ann, name: 'ann', number: 'bbs.10', door: 'telnet' }, T0);

    expect(deleteCaller(db, ann, 'keep', T0 + 5)).toEqual({ posts: 'keep', messages: 1, wallLines: 1, mailSent: 1, chatLines: 1, mailReceived: 1 });
    expect(store.areas.messages(GENERAL_AREA_ID, 0, 10).map((m) => m.author)).toEqual([DELETED_CALLER_NAME]);
    expect(store.listWall('oneliners', 10).map((l) => l.author)).toEqual([DELETED_CALLER_NAME]);
    expect(store.mail.page(bob, undefined, T0 + 10, 10).mails.map((m) => m.from)).toEqual([DELETED_CALLER_NAME]);
    expect(db.prepare('SELECT name FROM chat_lines').pluck().all()).toEqual([DELETED_CALLER_NAME]);
    expect(store.presence.lastCallers(10).map((c) => c.name)).toEqual([DELETED_CALLER_NAME]);
    expect(db.prepare('SELECT count(*) FROM pages').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM read_marks WHERE caller_id = ?').pluck().get(ann)).toBe(0);
    expect(counts(store)).toEqual({ general: 1, tech: 0 });

    expect(store.findCaller('ANN')).toBeUndefined();
    expect(store.passwords.closed('ANN')).toBe(true);
    expect(store.passwords.closed('bob')).toBe(false);
    expect(store.passwords.closed('nobody')).toBe(false);
    expect(() => store.createCaller('ann', 'h', T0 + 6)).toThrow(expect.objectContaining({ code: 'BBS_ERR_NAME_TAKEN' }));
    expect(listCallers(db, undefined).map((c) => c.name)).toEqual(['bob']);
    expect(callerDetail(db, 'ann')).toBeUndefined();
    // Run again (for what they wrote before their line closed): nothing more, the deletion's time kept.
    expect(deleteCaller(db, ann, 'keep', T0 + 9)).toEqual({ posts: 'keep', messages: 0, wallLines: 0, mailSent: 0, chatLines: 0, mailReceived: 0 });
    expect(db.prepare('SELECT deleted_at FROM callers WHERE id = ?').pluck().get(ann)).toBe(T0 + 5);
  });

  it('delete-user --posts delete: what they wrote goes, replies to it lose the quote, counts right', () => {
    const { db, store, ann, bob, tech } = board();
    const own = store.areas.post(GENERAL_AREA_ID, ann, 'Spam.', null, T0) ?? 0;
    store.areas.post(tech, ann, 'More spam.', null, T0);
    const reply = store.areas.post(GENERAL_AREA_ID, bob, '> Spam.\nStop.', own, T0 + 1) ?? 0;
    store.postToWall('oneliners', ann, 'Spam line.', T0);
    store.mail.send(ann, bob, 'Spam mail.', T0);

    expect(deleteCaller(db, ann, 'delete', T0 + 5)).toEqual({ posts: 'delete', messages: 2, wallLines: 1, mailSent: 1, chatLines: 0, mailReceived: 0 });
    expect(store.areas.messages(GENERAL_AREA_ID, 0, 10).map((m) => [m.id, m.body])).toEqual([[reply, `${QUOTE_REMOVED}\nStop.`]]);
    expect(counts(store)).toEqual({ general: 1, tech: 0 });
    expect(store.listWall('oneliners', 10)).toEqual([]);
    expect(store.mail.count(bob)).toBe(0);
    expect(listCallers(db, undefined).map((c) => c.name)).toEqual(['bob']);
  });

  it('delete-user while the caller\'s password is being checked: the login is refused and opens no line', async () => {
    const { db, store, ann } = board();
    const cost = { N: 16, r: 1, p: 1 };
    store.passwords.set(ann, await hashPassword('right', cost), false);
    const log = createLogger('silent');
    const login = createLoginServices({
      store,
      log,
      cost,
      clock: () => T0,
      rules: { loginLockAfter: 3, loginLockMs: 60_000, loginAddressLockAfter: 0 },
      countCall: (caller) => caller,
      storedOr: createStoredOr(log, store),
    });
    // The slow part (the password checked) before the deletion, the write after it.
    const finish = await login.logIn('ann', 'right', { line: 'line-1', remote: '192.0.2.1' });
    deleteCaller(db, ann, 'keep', T0 + 1);
    expect(finish()).toMatchObject({ ok: false });
    expect(store.hangUps.lineOf(ann)).toBeUndefined();
    // At the name prompt now: taken for good, said before any password.
    expect(login.loginLock('Ann', { line: 'line-2', remote: '192.0.2.1' })).toEqual({ closed: true });
  });
});
