/**
 * A reply and a read survive their backend: SIGKILL the backend serving a caller in the middle
 * of a reply, and the caller goes on with the other one, the quote and the lines written still
 * there, the reply stored once, and what they read still marked read.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { telnetBoardPerTest } from './support/telnet-board.js';

const MENU = 'MAIN MENU';

describe('areas across a backend death', () => {
  const board = telnetBoardPerTest();
  const { caller } = board;

  it('loses nothing of a reply being written, and keeps the read mark of what was read', async () => {
    const bbs = await board.start({ backends: 2, batch: true });
    const ann = await caller('ann');
    await ann.type('1', '1> ');
    await ann.type('Hello from ann.', '2> ');
    await ann.type('.', MENU);
    await ann.type('Q', 'ann');
    await ann.whenClosed();

    const bob = await caller('bob');
    await bob.type('N', 'Read them?');
    await bob.type('y', "That's all in General");
    await bob.type('R', 'lines to keep');
    await bob.type('', '2> ');
    await bob.type('First line of the reply.', '3> ');

    const serving = bbs.proxy.switchboard.directory().filter((n) => n.inUse > 0);
    expect(serving).toHaveLength(1);
    const handler = bbs.handlers[Number(serving[0]!.number.slice('bbs.'.length)) - 10]!;
    const from = bob.text.length;
    handler.child.kill('SIGKILL');
    await handler.exited;
    await bob.waitFor(/-- line moved to @bbs\.1[01] --[\s\S]*3> /, from);

    await bob.type('Second line, after the move.', '4> ');
    const posted = await bob.type('.', "That's all in General");
    expect(posted).toContain('Your reply to #1 by ann is on the board as number 2.');
    await bob.type('', MENU);
    // The page read before the move stays read.
    expect(await bob.type('N', MENU)).toContain('Nothing new since you last read.');

    const db = new Database(bbs.dbFile, { readonly: true });
    try {
      expect(db.prepare('SELECT id, reply_to AS replyTo, body FROM messages ORDER BY id').all()).toEqual([
        { id: 1, replyTo: null, body: 'Hello from ann.' },
        { id: 2, replyTo: 1, body: '> Hello from ann.\nFirst line of the reply.\nSecond line, after the move.' },
      ]);
    } finally {
      db.close();
    }
  });
});
