/**
 * What a caller was writing when their line dropped is not lost: a telnet caller whose connection
 * drops mid-message sees it at their next call, once, and nothing was posted; the same for mail
 * and for a reply.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createHarness, registerAtMenu } from './support/harness.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { until } from './support/process-tree.js';
import { telnetBoardPerTest } from './support/telnet-board.js';

const MENU = 'MAIN MENU';
const KEPT = /An earlier call of yours ended while you were writing (.*) \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.\r?\nIt was NOT posted; here is what you had written, so that it is not lost:\r?\n\r?\n/;

describe('a draft on a running BBS', () => {
  const board = telnetBoardPerTest();

  it('keeps a message being written when the connection drops, shows it at the next call once, and posts nothing', async () => {
    const bbs = await board.start();
    const carol = await board.caller('carol');
    await carol.type('1', ' 1> ');
    await carol.type('Draft line one,', ' 2> ');
    await carol.type('and draft line two.', ' 3> ');
    // The network drops: no goodbye, no `.`.
    carol.close();

    const db = new Database(bbs.dbFile, { readonly: true });
    const drafts = db.prepare('SELECT count(*) FROM drafts').pluck();
    try {
      // The backend hears the hang-up on its own time: the next call is made once the draft is kept.
      await until(() => Promise.resolve(drafts.get() === 1 ? true : undefined), 'the draft kept');
      const back = await logIn(bbs.telnetPort, 'carol');
      const seen = await back.type('Y', MENU);
      expect(seen).toMatch(KEPT);
      expect(KEPT.exec(seen)?.[1]).toBe('a message in General');
      expect(seen).toMatch(/so that it is not lost:\r?\n\r?\nDraft line one,\r?\nand draft line two\./);
      expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
      back.close();

      // Shown once: the next call has nothing to show.
      const third = await logIn(bbs.telnetPort, 'carol');
      expect(await third.type('Y', MENU)).not.toMatch(KEPT);
      third.close();
    } finally {
      db.close();
    }
  });
});

async function logIn(port: number, name: string): Promise<TelnetCaller> {
  const telnet = await TelnetCaller.open(port, 'xterm');
  await telnet.waitFor("What's your name?");
  await telnet.type(name, 'password');
  await telnet.type(`${name}-password`, '(Y/n)');
  return telnet;
}

describe('drafts in a backend', () => {
  it('keeps mail and a reply being written when the caller hangs up, the latest only', async () => {
    const h = createHarness();
    const ann = await registerAtMenu(h, '1', 'ann', 'secret1');
    const bob = await registerAtMenu(h, '2', 'bob', 'secret2');
    await bob.say('1');
    await bob.say('Bob posts first.');
    await bob.say('.');

    await ann.say('3');
    await ann.say('bob');
    await ann.say('Dear bob, about that');
    ann.hangUp();
    const again = await logInAtMotd(h, '3', 'ann', 'secret1');
    await again.say('');
    expect(again.transcript()).toContain('An earlier call of yours ended while you were writing mail to bob');
    expect(again.transcript()).toContain('Dear bob, about that');

    // A reply, the quote kept: the draft is the whole text, the quote with it.
    await again.say('2');
    await again.say('R');
    await again.say('');
    await again.say('I disagree.');
    again.hangUp();
    const third = await logInAtMotd(h, '4', 'ann', 'secret1');
    await third.say('');
    expect(third.transcript()).toContain('writing a reply to #1 by bob');
    expect(third.transcript()).toContain('BBS| > Bob posts first.\nBBS| I disagree.\n');
    expect(third.transcript()).not.toContain('Dear bob');
    expect(h.services.countMessages()).toBe(1);
    h.close();
  });
});

async function logInAtMotd(h: ReturnType<typeof createHarness>, connId: string, name: string, password: string) {
  const c = h.caller(connId);
  await c.dial();
  await c.say(name);
  await c.say(password);
  return c;
}
