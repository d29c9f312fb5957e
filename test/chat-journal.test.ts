/**
 * Chat and paging at the engine level, in-process: two engines ("backends") on one real SQLite
 * file, each with a Journal, joined by one real loop-back event bus. A backend is "killed" by
 * cutting it off the bus and never sending it another line, as a dead process would be; the other
 * takes its caller's conversation over from the journal, events and all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { KEEP_MS, KEEP_PAGES_MS, KEEP_PER_ROOM } from '../db/chat-store.js';
import { migrate, MIGRATIONS } from '../db/migrations.js';
import { createStore } from '../db/store.js';
import { createEventBus, type EventBus } from '../handler/event-bus.js';
import { Journal } from '../handler/journal.js';
import { createPresence, type Presence } from '../handler/presence.js';
import { keepEvent, MAX_QUEUED_EVENTS } from '../handler/listen-runner.js';
import { Session, takeFirst } from '../handler/session.js';
import type { Reply } from '../handler/replies.js';
import { createHarness, ManualClock, registerAtMenu, SERVER_UUID, TEST_LIMITS, type Harness, type TestCaller } from './support/harness.js';
import { tap } from './support/chat-backends.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0);
const log = createLogger('silent');
let dirs: string[] = [];
let harnesses: Harness[] = [];
let presences: Presence[] = [];

afterEach(() => {
  for (const p of presences) p.stop();
  presences = [];
  for (const h of harnesses) h.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  harnesses = [];
  dirs = [];
});

function backend(file: string, owner: string, bus: EventBus): { harness: Harness; db: Database.Database } {
  const db = openDatabase(file);
  const store = createStore(db);
  const journal = new Journal({ store: store.journal, owner, log, now: Date.now });
  // Who's online, as a real backend writes it: paging asks it who is on.
  const presence = createPresence({ store: store.presence, bus, number: owner, owner: `${owner} pid 1`, log, now: () => T0 });
  presences.push(presence);
  const harness = createHarness({ store, journal, bus, limits: TEST_LIMITS, clock: () => T0, log, presence });
  harnesses.push(harness);
  return { harness, db };
}

function board(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-chat-'));
  dirs.push(dir);
  return join(dir, 'bbs.db');
}

const isEvent = (text: string) => (reply: Reply): boolean => (reply.type as string) === 'event' && reply.msg === text;
const count = (caller: TestCaller, text: string): number => caller.replies.filter(isEvent(text)).length;

describe('chat between two backends', () => {
  it('carries lines, /me, joins and leaves; a caller taken over mid-chat is back in the room: their line said once, the next line heard', async () => {
    const file = board();
    const hub = createEventBus({ log });
    const busA = tap(hub);
    const a = backend(file, 'A', busA);
    const b = backend(file, 'B', tap(hub));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');

    await alice.say('C');
    expect(alice.transcript()).toContain('You are in the chat room "main"');
    const joined = alice.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('C');
    await joined;
    // What alice said before bob came is his backlog.
    const said = bob.replyMatching(isEvent('<alice> hi bob'));
    await alice.say('hi bob');
    await said;
    const did = alice.replyMatching(isEvent('* bob waves'));
    await bob.say('/me waves');
    await did;
    await bob.say('/who');
    expect(bob.transcript()).toContain('In the chat (2): alice, bob');

    // Alice's backend dies: what bob says now is lost to her (the bus delivers at most once).
    busA.cut();
    await bob.say('are you there?');
    const moved = b.harness.caller('1');
    const back = bob.replyMatching(isEvent('<alice> i am back'));
    await moved.say('i am back');
    await back;
    const next = moved.replyMatching(isEvent('<bob> welcome back'));
    await bob.say('welcome back');
    await next;
    expect(count(bob, '<alice> i am back')).toBe(1);
    expect(count(moved, '<bob> welcome back')).toBe(1);
    // Taken over at the listen, not at the menu: no menu and no chat entry shown again.
    expect(moved.transcript()).not.toContain('MAIN MENU');
    expect(moved.transcript()).not.toContain('You are in the chat room');

    const rows = (sql: string, ...args: unknown[]): number => b.db.prepare(sql).pluck().get(...args) as number;
    expect(rows("SELECT count(*) FROM chat_lines WHERE body = 'i am back'")).toBe(1);
    expect(rows("SELECT count(*) FROM journal WHERE conversation = ? AND kind = 'event'", `m2/${SERVER_UUID}/0/1`)).toBe(3);
    const ns = b.db.prepare('SELECT n FROM journal WHERE conversation = ? ORDER BY n').pluck().all(`m2/${SERVER_UUID}/0/1`) as number[];
    expect(ns).toEqual(ns.map((_, i) => i));

    // /quit announces the leave, and the caller is back at the menu.
    const left = bob.replyMatching(isEvent('-- alice leaves the chat.'));
    await moved.say('/quit');
    await left;
    expect(moved.transcript()).toContain('You leave the chat.');
    expect(moved.replies.at(-1)?.msg).toContain('MAIN MENU');
  });

  it('shows a caller entering what was said in the last minutes', async () => {
    const hub = createEventBus({ log });
    const a = backend(board(), 'A', hub);
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    await alice.say('C');
    await alice.say('first');
    await alice.say('/me smiles');
    await alice.say('/quit');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
    await bob.say('C');
    expect(bob.transcript()).toContain('What was said in the last 10 minutes:\nBBS| 09:00 <alice> first\nBBS| 09:00 * alice smiles');
  });

  it('tells a caller who floods the room, and does not pass the line on', async () => {
    const hub = createEventBus({ log });
    const a = backend(board(), 'A', hub);
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
    await bob.say('C');
    await alice.say('C');
    const fifth = bob.replyMatching(isEvent('<alice> line 5'));
    for (let i = 1; i <= 6; i++) await alice.say(`line ${i}`);
    expect(alice.transcript()).toContain('Slow down: at most 5 lines every 10 seconds. That line was not sent.');
    await fifth;
    // Said after the flood, so heard after anything the flood would have sent.
    const after = bob.replyMatching(isEvent('-- alice leaves the chat.'));
    await alice.say('/quit');
    await after;
    expect(count(bob, '<alice> line 6')).toBe(0);
  });

  it('keeps the flood count when the caller leaves the room and comes back', async () => {
    const a = backend(board(), 'A', createEventBus({ log }));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
    await bob.say('C');
    await alice.say('C');
    for (let i = 1; i <= 5; i++) await alice.say(`line ${i}`);
    await alice.say('/quit');
    await alice.say('C');
    await alice.say('line 6');
    expect(alice.transcript()).toContain('Slow down: at most 5 lines every 10 seconds. That line was not sent.');
    await alice.say('/who');
    // The room's bus is in order: once bob hears carol come in, he has heard all alice said before.
    const carolJoins = bob.replyMatching(isEvent('-- carol joins the chat.'));
    const carol = await registerAtMenu(a.harness, '3', 'carol', 'secret3');
    await carol.say('C');
    await carolJoins;
    expect(count(bob, '<alice> line 5')).toBe(1);
    expect(count(bob, '<alice> line 6')).toBe(0);
    expect(a.db.prepare("SELECT count(*) FROM chat_lines WHERE name = 'alice'").pluck().get()).toBe(5);
  });

  it('announces a caller going in and out of the room once, not at every turn', async () => {
    const a = backend(board(), 'A', createEventBus({ log }));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
    await bob.say('C');
    for (let i = 0; i < 30; i++) {
      await alice.say('C');
      await alice.say('/quit');
    }
    await alice.say('C');
    // The room's bus is in order: once bob hears this, he has heard every join and leave before it.
    const done = bob.replyMatching(isEvent('<alice> done'));
    await alice.say('done');
    await done;
    const events = bob.replies.filter((reply) => (reply.type as string) === 'event').map((reply) => reply.msg);
    expect(events).toEqual(['-- alice joins the chat.', '-- alice leaves the chat.', '<alice> done']);
  });
});

describe('a conversation in chat taken over at each of its lines', () => {
  // What alice and bob say, in order; bob's lines reach alice as events between her prompts.
  const SCRIPT: readonly (readonly ['alice' | 'bob', string])[] = [
    ['alice', 'C'],
    ['bob', 'C'],
    ['alice', 'one'],
    ['bob', 'two'],
    ['bob', '/me three'],
    ['alice', 'four'],
    ['alice', '/me five'],
    ['bob', 'six'],
    ['alice', 'seven'],
    ['alice', '/quit'],
  ];
  const EVENTS = (replies: readonly Reply[]): string[] => replies.filter((reply) => (reply.type as string) === 'event').map((reply) => reply.msg);

  /** Runs the script, alice's backend dying just before her line `cut` (none: undisturbed); returns what alice saw and the rows. */
  async function run(cut: number | undefined): Promise<{ events: string[]; said: string[]; ns: number[]; eventRows: number }> {
    const file = board();
    const hub = createEventBus({ log });
    const busA = tap(hub);
    const a = backend(file, 'A', busA);
    const b = backend(file, 'B', tap(hub));
    let alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const first = alice;
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    let inRoom = false;
    for (const [i, [who, line]] of SCRIPT.entries()) {
      if (who === 'alice') {
        if (i === cut) {
          busA.cut();
          alice = b.harness.caller('1');
        }
        await alice.say(line);
        inRoom = line !== '/quit';
        continue;
      }
      const text = line.startsWith('/me ') ? `* bob ${line.slice(4)}` : line === 'C' ? '-- bob joins the chat.' : `<bob> ${line}`;
      const heard = inRoom ? alice.replyMatching(isEvent(text)) : undefined;
      await bob.say(line);
      await heard;
    }
    const ns = b.db.prepare('SELECT n FROM journal WHERE conversation = ? ORDER BY n').pluck().all(`m2/${SERVER_UUID}/0/1`) as number[];
    const said = b.db.prepare("SELECT body FROM chat_lines WHERE name = 'alice' ORDER BY id").pluck().all() as string[];
    const eventRows = b.db.prepare("SELECT count(*) FROM journal WHERE conversation = ? AND kind = 'event'").pluck().get(`m2/${SERVER_UUID}/0/1`) as number;
    for (const h of [a.harness, b.harness]) h.close();
    harnesses = harnesses.filter((h) => h !== a.harness && h !== b.harness);
    return { events: [...EVENTS(first.replies), ...(alice === first ? [] : EVENTS(alice.replies))], said, ns, eventRows };
  }

  it('replays its event rows in order with its lines: every event seen once, every line said once, wherever the cut', async () => {
    const whole = await run(undefined);
    expect(whole.events).toEqual(['-- bob joins the chat.', '<bob> two', '* bob three', '<bob> six']);
    expect(whole.said).toEqual(['one', 'four', 'five', 'seven']);
    expect(whole.eventRows).toBe(4);
    for (const [i, [who]] of SCRIPT.entries()) {
      if (who !== 'alice' || i === 0) continue;
      const moved = await run(i);
      expect(moved.events, `cut before line ${i}`).toEqual(whole.events);
      expect(moved.said, `cut before line ${i}`).toEqual(whole.said);
      expect(moved.eventRows, `cut before line ${i}`).toBe(4);
      expect(moved.ns, `cut before line ${i}`).toEqual(moved.ns.map((_, n) => n));
    }
  });
});

describe('the room', () => {
  it('hears of a caller who hangs up in it', async () => {
    const a = backend(board(), 'A', createEventBus({ log }));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
    await alice.say('C');
    await bob.say('C');
    const gone = alice.replyMatching(isEvent('-- bob leaves the chat.'));
    bob.hangUp();
    await gone;
  });

  it("idles out a caller who only reads: others' lines do not count as the caller's", async () => {
    const clock = new ManualClock(T0);
    const harness = createHarness({ now: clock.now, clock: () => T0, log, lines: { maxCallers: 0, idleBeforeLoginSeconds: 120, idleAfterLoginSeconds: 60 } });
    harnesses.push(harness);
    const alice = await registerAtMenu(harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(harness, '2', 'bob', 'secret2');
    await alice.say('C');
    await bob.say('C');
    for (let i = 0; i < 3; i++) {
      clock.advance(25);
      const heard = alice.replyMatching(isEvent(`<bob> line ${i}`));
      await bob.say(`line ${i}`);
      await heard;
      harness.engine.sweep();
    }
    // 75 s since alice's last prompt, bob's last line 0 s ago: only alice is past the 60 s limit.
    expect(alice.closed).toBe(true);
    expect(bob.closed).toBe(false);
  });

  it('pages nobody whose line went quiet: a caller whose backend stopped beating, or forgot the row, is not online', () => {
    const store = createStore(openDatabase(':memory:'));
    try {
      const ann = store.createCaller('ann', 'not a real hash', T0);
      const bob = store.createCaller('bob', 'not a real hash', T0);
      expect(store.chat.page(ann.id, 'bob', T0, T0 - 60_000, 3, T0 - 3000)).toMatchObject({ paged: false, why: 'offline', to: 'bob' });
      // A line left behind (its backend dead, its presence row forgotten) is nobody online.
      store.hangUps.takeLine(bob.id, 'line-b', T0, 'logged_in_elsewhere');
      expect(store.chat.page(ann.id, 'bob', T0, T0 - 60_000, 3, T0 - 3000)).toMatchObject({ paged: false, why: 'offline', to: 'bob' });
      store.presence.hold({ line: 'line-b', number: 'bbs.11', door: 'json', callerId: bob.id, name: 'bob', since: T0, doing: 'at the main menu', owner: 'bbs.11 pid 1' }, T0);
      expect(store.chat.page(ann.id, 'BOB', T0, T0 - 60_000, 3, T0 - 3000)).toMatchObject({ paged: true, to: 'bob', room: 'page-1' });
      // Its private room is theirs: /who there lists only these two.
      expect(store.chat.parties(1).sort()).toEqual(['ann', 'bob']);
      store.presence.hold({ line: 'line-b', number: 'bbs.11', door: 'json', callerId: bob.id, name: 'bob', since: T0 - 10_000, doing: 'at the main menu', owner: 'bbs.11 pid 1' }, T0 - 10_000);
      expect(store.chat.page(ann.id, 'bob', T0, T0 - 60_000, 3, T0 - 3000)).toMatchObject({ paged: false, why: 'offline' });
    } finally {
      store.close();
    }
  });

  it('keeps only its newest lines in the store', () => {
    const store = createStore(openDatabase(':memory:'));
    try {
      const caller = store.createCaller('alice', 'not a real hash', T0);
      for (let i = 0; i < KEEP_PER_ROOM + 5; i++) store.chat.say('main', caller.id, 'alice', 'chat', `line ${i}`, T0 + i);
      store.chat.say('other', caller.id, 'alice', 'me', 'elsewhere', T0);
      const all = store.chat.backlog('main', 0, 1000);
      expect(all).toHaveLength(KEEP_PER_ROOM);
      expect(all[0]?.body).toBe('line 5');
      expect(store.chat.backlog('main', T0 + KEEP_PER_ROOM + 2, 20).map((line) => line.body)).toEqual(['line 202', 'line 203', 'line 204']);
      expect(store.chat.backlog('other', 0, 20)).toMatchObject([{ name: 'alice', kind: 'me', body: 'elsewhere' }]);
    } finally {
      store.close();
    }
  });

  it('keeps the pages of a board from before v11, ids and answers, and lets a page be withdrawn', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.slice(0, 10));
      db.prepare("INSERT INTO callers (name, password_hash, created_at, calls) VALUES ('ann', 'x', 0, 0), ('bob', 'x', 0, 0)").run();
      db.prepare("INSERT INTO pages (id, from_id, to_id, made_at, answer, answered_at) VALUES (7, 1, 2, 5, 'joined', 6), (8, 2, 1, 9, NULL, NULL)").run();
      expect(() => db.prepare("UPDATE pages SET answer = 'withdrawn' WHERE id = 8").run()).toThrow(/CHECK/);
      expect(migrate(db)).toBe(MIGRATIONS.length);
      expect(db.prepare('SELECT id, from_id, to_id, made_at, answer, answered_at FROM pages ORDER BY id').raw().all()).toEqual([
        [7, 1, 2, 5, 'joined', 6],
        [8, 2, 1, 9, null, null],
      ]);
      db.prepare("UPDATE pages SET answer = 'withdrawn' WHERE id = 8").run();
      expect(db.prepare('SELECT answer FROM pages WHERE id = 8').pluck().get()).toBe('withdrawn');
    } finally {
      db.close();
    }
  });

  it("prunes private rooms' lines and old pages by age", () => {
    const store = createStore(openDatabase(':memory:'));
    try {
      const ann = store.createCaller('ann', 'not a real hash', T0);
      const bob = store.createCaller('bob', 'not a real hash', T0);
      const later = T0 + KEEP_MS + 1;
      store.presence.hold({ line: 'line-b', number: 'bbs.11', door: 'json', callerId: bob.id, name: 'bob', since: T0, doing: 'at the main menu', owner: 'bbs.11 pid 1' }, later);
      store.chat.say('page-1', ann.id, 'ann', 'chat', 'just us', T0);
      expect(store.chat.page(ann.id, 'bob', T0, T0 - 60_000, 3, T0 - 3000)).toMatchObject({ paged: true });
      // A day on, one line elsewhere and one page: the private room's line and the old page are gone.
      store.chat.say('main', bob.id, 'bob', 'chat', 'hello', later);
      expect(store.chat.backlog('page-1', 0, 20)).toEqual([]);
      // Page 2 is joined: its private room may go on for hours, and /who there reads the page.
      expect(store.chat.page(ann.id, 'bob', T0 + 1, T0, 3, T0)).toMatchObject({ paged: true, id: 2 });
      store.presence.hold({ line: 'line-a', number: 'bbs.10', door: 'json', callerId: ann.id, name: 'ann', since: T0, doing: 'in a private chat', owner: 'bbs.10 pid 1' }, later);
      expect(store.chat.answerPage(bob.id, T0, 'joined', T0 + 2, 0)).toEqual({ id: 2, from: 'ann', room: 'page-2' });
      expect(store.chat.page(ann.id, 'bob', T0 + KEEP_PAGES_MS + 2, T0, 3, T0)).toMatchObject({ paged: true, id: 3 });
      expect(store.chat.parties(1)).toEqual([]);
      expect(store.chat.parties(2).sort()).toEqual(['ann', 'bob']);
      expect(store.chat.parties(3).sort()).toEqual(['ann', 'bob']);
    } finally {
      store.close();
    }
  });
});

describe('paging', () => {
  it('reaches the paged caller at once at the menu; J joins the pager in a private room, X tells the pager, D refuses pages', async () => {
    const hub = createEventBus({ log });
    const file = board();
    const a = backend(file, 'A', tap(hub));
    const b = backend(file, 'B', tap(hub));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');

    await alice.say('P');
    await alice.say('nobody');
    expect(alice.transcript()).toContain('There is no caller called nobody.');
    const paged = bob.replyMatching(isEvent('*** alice is paging you: J at the main menu joins them, X ignores the page.'));
    await alice.say('P');
    await alice.say('BOB');
    await paged;
    expect(alice.transcript()).toContain('Paging bob. Wait here for them to join you; /quit gives up.');
    const came = alice.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('J');
    await came;
    expect(bob.transcript()).toContain('You join alice in a private chat.');
    const heard = alice.replyMatching(isEvent('<bob> hi alice'));
    await bob.say('hi alice');
    await heard;
    await bob.say('/quit');
    await alice.say('/quit');

    // Paged again, bob ignores it: alice is told, wherever she is.
    await alice.say('P');
    const ignored = alice.replyMatching(isEvent('*** bob ignored your page.'));
    await alice.say('bob');
    await bob.say('X');
    await ignored;
    expect(bob.transcript()).toContain("You ignore alice's page; they are told.");
    await alice.say('/quit');

    await bob.say('D');
    expect(bob.transcript()).toContain('Do not disturb is on');
    await alice.say('P');
    await alice.say('bob');
    expect(alice.transcript()).toContain('bob does not want to be disturbed now.');
    await bob.say('D');
    expect(bob.transcript()).toContain('Do not disturb is off');
    await bob.say('J');
    expect(bob.transcript()).toContain('Nobody is waiting for you');

    // Two pages made this minute (the clock stands still here); the third is the last allowed.
    await alice.say('P');
    await alice.say('bob');
    await alice.say('/quit');
    await alice.say('P');
    await alice.say('bob');
    expect(alice.transcript()).toContain('You have paged 3 times in the last minute: wait a moment before paging again.');
    expect(a.db.prepare('SELECT count(*) FROM pages').pluck().get()).toBe(3);
  });

  it('announces a caller joining a pager though they were in the main room a moment ago', async () => {
    const a = backend(board(), 'A', createEventBus({ log }));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
    await bob.say('C');
    await bob.say('/quit');
    const paged = bob.replyMatching(isEvent('*** alice is paging you: J at the main menu joins them, X ignores the page.'));
    await alice.say('P');
    await alice.say('bob');
    await paged;
    const came = alice.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('J');
    await came;
  });

  it('tells a caller joining a pager who gave up that they stopped waiting, and puts them in no empty room', async () => {
    const hub = createEventBus({ log });
    const a = backend(board(), 'A', hub);
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'secret2');
    const paged = bob.replyMatching(isEvent('*** alice is paging you: J at the main menu joins them, X ignores the page.'));
    await alice.say('P');
    await alice.say('bob');
    await paged;
    await alice.say('/quit');
    await bob.say('J');
    expect(bob.transcript()).toContain('alice stopped waiting for you: the page is over.');
    expect(bob.transcript()).not.toContain('You join alice');
    expect(bob.replies.at(-1)?.msg).toContain('MAIN MENU');
    expect(a.db.prepare('SELECT answer FROM pages').pluck().all()).toEqual(['withdrawn']);
  });
});

describe('the events kept for a session between two listens', () => {
  it('are at most 64, the oldest dropped, taken oldest first', () => {
    const session = new Session('uuid', '1', (function* () {})(), 0);
    for (let i = 0; i < MAX_QUEUED_EVENTS + 6; i++) keepEvent(session, { kind: 'chat', from: 'bob', text: `line ${i}`, at: '' });
    expect(session.events).toHaveLength(MAX_QUEUED_EVENTS);
    expect(takeFirst(session, 'events')?.text).toBe('line 6');
    let last: string | undefined;
    for (let event = takeFirst(session, 'events'); event !== undefined; event = takeFirst(session, 'events')) last = event.text;
    expect(last).toBe(`line ${MAX_QUEUED_EVENTS + 5}`);
    expect(session.events).toBeUndefined();
  });
});
