/**
 * Pages and their private rooms, as callers see them: `/who` in a private room names the callers in
 * THAT room; a pager who hangs up has withdrawn the page (J and X say so, even once the pager has
 * called again); two callers paging each other at once end up in one room, the second told the
 * first is paging them too. In-process: two engines on one real SQLite file with presence rows,
 * joined by a real loop-back event bus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { CROSS_MINUTES } from '../handler/chat-services.js';
import { createEventBus, type EventBus } from '../handler/event-bus.js';
import { PAGE_MINUTES } from '../handler/flows/paging.js';
import { Journal } from '../handler/journal.js';
import { createPresence, type Presence } from '../handler/presence.js';
import { isEvent } from './support/chat-backends.js';
import { createHarness, registerAtMenu, TEST_LIMITS, type Harness, type TestCaller } from './support/harness.js';

const log = createLogger('silent');
let now = Date.UTC(2026, 10, 22, 9, 0);
const clock = (): number => now;
let dirs: string[] = [];
let harnesses: Harness[] = [];
let presences: Presence[] = [];

afterEach(() => {
  for (const p of presences) p.stop();
  for (const h of harnesses) h.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  presences = [];
  harnesses = [];
  dirs = [];
});

function board(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-paging-'));
  dirs.push(dir);
  return join(dir, 'bbs.db');
}

function backend(file: string, owner: string, bus: EventBus): { harness: Harness; db: Database.Database; presence: Presence } {
  const db = openDatabase(file);
  const store = createStore(db);
  const journal = new Journal({ store: store.journal, owner, log, now: Date.now });
  const presence = createPresence({ store: store.presence, bus, number: owner, owner: `${owner} pid 1`, log, now: clock });
  presences.push(presence);
  const harness = createHarness({ store, journal, bus, limits: TEST_LIMITS, clock, log, presence });
  harnesses.push(harness);
  return { harness, db, presence };
}

// Ann is online, as paging asks it: a fresh presence row of her caller id.
const ANN_ON = "SELECT count(*) FROM presence WHERE caller_id = (SELECT id FROM callers WHERE name = 'ann') AND heartbeat_at >= ?";
const PAGED = (from: string): string => `*** ${from} is paging you: J at the main menu joins them, X ignores the page.`;

/** `pager` pages `name` and waits in the private room; resolves once `paged` has seen the page. */
async function pageAndWait(pager: TestCaller, paged: TestCaller, name: string, from: string): Promise<void> {
  const seen = paged.replyMatching(isEvent(PAGED(from)));
  await pager.say('P');
  await pager.say(name);
  await seen;
}

describe('a private room', () => {
  it('answers /who with the callers in this room, not every caller of its page who is in some private chat', async () => {
    const hub = createEventBus({ log });
    const file = board();
    const a = backend(file, 'A', hub);
    const b = backend(file, 'B', hub);
    const ann = await registerAtMenu(a.harness, '1', 'ann', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    const cat = await registerAtMenu(b.harness, '3', 'cat', 'secret3');
    await pageAndWait(ann, bob, 'bob', 'ann');
    const came = ann.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('J');
    await came;
    await bob.say('/who');
    expect(bob.transcript()).toContain('In the chat (2): ann, bob');
    // Ann leaves bob's room for a private chat with cat: bob's room is bob's alone now.
    await ann.say('/quit');
    now += 1000;
    await pageAndWait(ann, cat, 'cat', 'ann');
    const catCame = ann.replyMatching(isEvent('-- cat joins the chat.'));
    await cat.say('J');
    await catCame;
    const mark = bob.replies.length;
    await bob.say('/who');
    expect(bob.replies.slice(mark).map((reply) => reply.msg).join('\n')).toContain('In the chat (1): bob');
    const catMark = cat.replies.length;
    await cat.say('/who');
    expect(cat.replies.slice(catMark).map((reply) => reply.msg).join('\n')).toContain('In the chat (2): ann, cat');
  });
});

describe('a page whose pager hung up', () => {
  for (const key of ['J', 'X'] as const) {
    it(`is over: ${key} says the pager stopped waiting, even once the pager has called again`, async () => {
      const file = board();
      const a = backend(file, 'A', createEventBus({ log }));
      const ann = await registerAtMenu(a.harness, '1', 'ann', 'secret1');
      const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
      await pageAndWait(ann, bob, 'bob', 'ann');
      ann.hangUp();
      now += 1000;
      // Ann calls again at once, on another line: online, but not waiting in the room she paged from.
      const again = a.harness.caller('4');
      await again.dial();
      await again.say('ann');
      await again.say('secret1');
      expect((await again.say('y'))?.msg).toContain('MAIN MENU');
      expect(a.db.prepare(ANN_ON).pluck().get(now - 3000)).toBe(1);
      await bob.say(key);
      expect(bob.transcript()).toContain('ann stopped waiting for you: the page is over.');
      expect(bob.transcript()).not.toContain('You join ann');
      expect(bob.transcript()).not.toContain("You ignore ann's page");
      expect(bob.replies.at(-1)?.msg).toContain('MAIN MENU');
    });
  }
});

describe('a page whose pager\'s backend died', () => {
  it('is over once the pager calls again on another backend: J says so instead of a room nobody is in', async () => {
    const file = board();
    const hub = createEventBus({ log });
    const a = backend(file, 'A', hub);
    const b = backend(file, 'B', hub);
    const ann = await registerAtMenu(a.harness, '1', 'ann', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    await pageAndWait(ann, bob, 'bob', 'ann');
    // A dies: it beats no more and hears nothing; its row of ann's call goes stale.
    a.presence.stop();
    now += 5000;
    const again = b.harness.caller('4');
    await again.dial();
    await again.say('ann');
    await again.say('secret1');
    expect((await again.say('y'))?.msg).toContain('MAIN MENU');
    expect(b.db.prepare(ANN_ON).pluck().get(now - 3000)).toBe(1);
    await bob.say('J');
    expect(bob.transcript()).toContain('ann stopped waiting for you: the page is over.');
    expect(bob.transcript()).not.toContain('You join ann');
    expect(ann.replies.some((reply) => (reply.type as string) === 'event' && reply.msg.includes('bob joins'))).toBe(false);
  });
});

describe('two callers paging each other', () => {
  it('puts the second in the first one\'s room, told the other is paging them too: one room, no one left waiting', async () => {
    const hub = createEventBus({ log });
    const file = board();
    const a = backend(file, 'A', hub);
    const b = backend(file, 'B', hub);
    const ann = await registerAtMenu(a.harness, '1', 'ann', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    await pageAndWait(ann, bob, 'bob', 'ann');
    const came = ann.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('P');
    await bob.say('ann');
    await came;
    expect(bob.transcript()).toContain('ann is paging you too: you join them in a private chat.');
    expect(bob.transcript()).not.toContain('Paging ann.');
    const heard = ann.replyMatching(isEvent('<bob> found you'));
    await bob.say('found you');
    await heard;
    await bob.say('/who');
    expect(bob.transcript()).toContain('In the chat (2): ann, bob');
    expect(a.db.prepare('SELECT id, answer FROM pages').all()).toEqual([{ id: 1, answer: 'joined' }]);
    // A page crosses another for as long as J would find that one.
    expect(CROSS_MINUTES).toBe(PAGE_MINUTES);
  });
});
