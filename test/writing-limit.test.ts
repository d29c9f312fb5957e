/**
 * The writing limit (--writes-per-hour): one caller stores so many messages, replies and mails an
 * hour, is told before typing when they may write again, and a text written when the limit was
 * reached meanwhile is shown back, never stored and never lost without a word.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createHarness, ManualClock, registerAtMenu, TEST_LIMITS } from './support/harness.js';
import { telnetBoardPerTest } from './support/telnet-board.js';

const MENU = 'MAIN MENU';
const LIMIT_SAID = /You have written on this board 2 times in the last hour \(messages, replies,\s+mail\): as many as it takes from one caller\. You can write again in 60 min\./;

describe('the writing limit on a running BBS', () => {
  const board = telnetBoardPerTest();

  it('refuses a third message, mail or reply within the hour before anything is typed; others write on', async () => {
    const bbs = await board.start({ handlerArgs: ['--writes-per-hour', '2'] });
    const bob = await board.caller('bob');
    const ann = await board.caller('ann');
    await ann.type('1', '1> ');
    await ann.type('First post.', '2> ');
    expect(await ann.type('.', MENU)).toContain('is on the board as number 1');
    await ann.type('3', 'Send to whom?');
    await ann.type('bob', '1> ');
    await ann.type('Hello bob.', '2> ');
    expect(await ann.type('.', MENU)).toContain('Sent to bob.');

    // The third of each kind: told at once, no prompt to write at.
    for (const choice of ['1', '3']) {
      const said = await ann.type(choice, MENU);
      expect(said).toMatch(LIMIT_SAID);
      expect(said).not.toContain('1> ');
      expect(said).not.toContain('Send to whom?');
    }
    await ann.type('2', "That's all in General");
    // Refused at R, the caller is back where they were reading.
    const reply = await ann.type('R', "That's all in General");
    expect(reply).toMatch(LIMIT_SAID);
    expect(reply).not.toContain('lines to keep');
    await ann.type('', MENU);

    // Another caller is not held back by ann's writing.
    await bob.type('1', '1> ');
    await bob.type('Bob writes freely.', '2> ');
    expect(await bob.type('.', MENU)).toContain('is on the board as number 2');

    const db = new Database(bbs.dbFile, { readonly: true });
    try {
      const byAnn = db.prepare("SELECT (SELECT count(*) FROM messages m JOIN callers c ON c.id = m.author_id WHERE c.name = 'ann') + (SELECT count(*) FROM mail m JOIN callers c ON c.id = m.from_id WHERE c.name = 'ann')").pluck().get();
      expect(byAnn).toBe(2);
    } finally {
      db.close();
    }
  });
});

describe('the writing limit over time', () => {
  it('says how long until the oldest write of the hour leaves it, and lets the caller write then', async () => {
    const clock = new ManualClock();
    const h = createHarness({ clock: clock.now, limits: { ...TEST_LIMITS, writesPerHour: 2 } });
    const ann = await registerAtMenu(h, '1', 'ann', 'secret1');
    await ann.say('1');
    await ann.say('At nine.');
    await ann.say('.');
    clock.advance(10 * 60);
    await ann.say('1');
    await ann.say('At ten past.');
    await ann.say('.');

    clock.advance(5 * 60);
    await ann.say('1');
    expect(ann.replies.at(-2)?.msg).toContain('You can write again in 45 min.');
    expect(ann.replies.at(-1)?.msg).toContain(MENU);

    // An hour after the first post it has left the window: one more may be written, not two.
    clock.advance(45 * 60);
    await ann.say('1');
    await ann.say('At ten.');
    expect((await ann.say('.'))?.msg).toContain(MENU);
    expect(ann.transcript()).toContain('is on the board as number 3');
    await ann.say('3');
    expect(ann.replies.at(-2)?.msg).toContain('You can write again in 10 min.');
    h.close();
  });

  it('shows the text back, stores nothing, when the caller reached the limit on another line while writing', async () => {
    const h = createHarness({ limits: { ...TEST_LIMITS, writesPerHour: 1 } });
    const ann = await registerAtMenu(h, '1', 'ann', 'secret1');
    const bob = await registerAtMenu(h, '2', 'bob', 'secret2');
    await ann.say('1');
    await ann.say('A long message I took my time over.');
    // Meanwhile the same caller's other line (or a flow module) stores a mail.
    const annId = h.services.findCaller('ann')?.id ?? 0;
    const bobId = h.services.findCaller('bob')?.id ?? 0;
    h.services.sendMail(annId, bobId, 'sent from elsewhere');
    await ann.say('.');
    const told = ann.transcript();
    expect(told).toContain('You have written on this board 1 times in the last hour');
    expect(told).toContain('A long message I took my time over.\n');
    expect(told).not.toContain('is on the board as number');
    expect(h.services.countMessages()).toBe(0);
    await bob.say('2');
    expect(bob.transcript()).not.toContain('A long message');
    h.close();
  });

  it('has no limit at 0', async () => {
    const h = createHarness({ limits: { ...TEST_LIMITS, writesPerHour: 0 } });
    const ann = await registerAtMenu(h, '1', 'ann', 'secret1');
    for (let n = 1; n <= 5; n++) {
      await ann.say('1');
      await ann.say(`Post ${n}.`);
      await ann.say('.');
    }
    expect(h.services.countMessages()).toBe(5);
    expect(ann.transcript()).not.toContain('You have written');
    h.close();
  });
});
