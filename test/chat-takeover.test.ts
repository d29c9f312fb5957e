/**
 * A conversation in chat taken over by another backend (in-process: two engines on one real
 * SQLite file, one real loop-back bus): where the caller's prompt is, what replay reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../handler/event-bus.js';
import { createLogger } from '../common/log.js';
import { ChatBackends, isEvent, tap } from './support/chat-backends.js';
import { registerAtMenu, SERVER_UUID } from './support/harness.js';
import { until } from './support/process-tree.js';
import { CHECKPOINT_LISTENS } from '../handler/flows/chat.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0);
const log = createLogger('silent');
const backends = new ChatBackends(() => T0);
afterEach(() => backends.close());

const PING = JSON.stringify({ type: 'ping' });

/** Backends A and B on one board and one loop-back bus; A's tap can be cut, as its death would. */
function twoBackends(): { hub: ReturnType<typeof createEventBus>; busA: ReturnType<typeof tap>; a: ReturnType<ChatBackends['backend']>; b: ReturnType<ChatBackends['backend']> } {
  const file = backends.board();
  const hub = createEventBus({ log });
  const busA = tap(hub);
  return { hub, busA, a: backends.backend(file, 'A', busA), b: backends.backend(file, 'B', tap(hub)) };
}

describe('a chat conversation moved with nothing typed', () => {
  it('taken over by a ping at a quiet listen (its last row an event) shows the prompt once, and later events only above it', async () => {
    const { hub, busA, a, b } = twoBackends();
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    await alice.say('C');
    const joined = alice.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('C');
    await joined;
    // Alice's flow now listens quietly (her prompt is under the event): the journal ends with that event.
    const lastRow = (): string => b.db.prepare('SELECT kind FROM journal WHERE conversation = ? ORDER BY n DESC LIMIT 1').pluck().get(`m2/${SERVER_UUID}/0/1`) as string;
    expect(lastRow()).toBe('event');

    // Her backend dies; the proxy's mover asks the next one for her prompt with a ping.
    busA.cut();
    const moved = b.harness.caller('1', { RESUME: '1' });
    const prompted = moved.replyMatching((reply) => reply.type === 'prompt');
    moved.sendBody(PING);
    await prompted;
    // Two more lines from bob: shown above her prompt, which is not sent again each time.
    for (const line of ['one', 'two']) {
      const heard = moved.replyMatching(isEvent(`<bob> ${line}`));
      await bob.say(line);
      await heard;
    }
    expect(moved.replies.map((reply) => reply.type)).toEqual(['prompt', 'event', 'event']);
    // And she is in the room: her line reaches bob.
    const said = bob.replyMatching(isEvent('<alice> still here'));
    await moved.say('still here');
    await said;
  });
});

describe('the event router of a backend', () => {
  it('stops taking bus events when its engine stops them (the backend closing)', async () => {
    const hub = createEventBus({ log });
    let listening = 0;
    const counted = { ...hub, onEvent: (listener: Parameters<typeof hub.onEvent>[0]) => {
      listening++;
      const off = hub.onEvent(listener);
      return () => {
        listening--;
        off();
      };
    } };
    const a = backends.backend(backends.board(), 'A', counted);
    expect(listening).toBe(1);
    a.harness.engine.stopEvents();
    expect(listening).toBe(0);
  });

  it('behind Mongrel2, shows a page or broadcast to the process that serves the call now, not to one that served it before', async () => {
    const file = backends.board();
    const hub = createEventBus({ log });
    const a = backends.backend(file, 'A', tap(hub));
    const b = backends.backend(file, 'B', tap(hub));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    // Her next line lands on B (several handlers on one send_spec take lines in turn): B serves her call now, A's session is stale.
    const moved = b.harness.caller('1');
    expect((await moved.say('W'))?.msg).toContain('MAIN MENU');

    const heard = moved.replyMatching((reply) => (reply.type as string) === 'event' && reply.msg.includes('the board goes down at noon'));
    hub.publish('broadcast/', { kind: 'broadcast', from: 'sysop', text: 'the board goes down at noon', at: new Date(T0).toISOString() });
    await heard;
    const paged = moved.replyMatching((reply) => (reply.type as string) === 'event' && reply.msg.includes('carol is paging you'));
    hub.publish('page/alice/', { kind: 'page', from: 'carol', to: 'alice', page: 1, room: 'page-1', at: new Date(T0).toISOString() });
    await paged;
    // Delivered on one turn to both backends: the stale session on A got neither.
    expect(alice.replies.filter((reply) => (reply.type as string) === 'event')).toEqual([]);
  });
});

describe('a conversation an hour into a busy room', () => {
  it('is rebuilt from its newest room checkpoint: a few dozen rows read, the caller still in the room, nothing lost or doubled', async () => {
    const file = backends.board();
    const hub = createEventBus({ log });
    const busA = tap(hub);
    const a = backends.backend(file, 'A', busA);
    const records: { msg?: string; rows?: number }[] = [];
    const b = backends.backend(file, 'B', tap(hub), createLogger('info', { write: (line: string) => records.push(JSON.parse(line) as { msg?: string; rows?: number }) }));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    await alice.say('C');
    await bob.say('C');
    // 200 lines of a busy room reach alice (from other backends' callers: published on the bus as theirs would be).
    for (let i = 0; i < 200; i++) {
      const heard = alice.replyMatching(isEvent(`<zed> line ${i}`));
      hub.publish('chat/main/', { kind: 'chat', from: 'zed', room: 'main', text: `line ${i}`, at: new Date(T0).toISOString() });
      await heard;
    }
    const conversation = `m2/${SERVER_UUID}/0/1`;
    const count = (sql: string, ...args: unknown[]): number => b.db.prepare(sql).pluck().get(...args) as number;
    expect(count("SELECT count(*) FROM journal WHERE conversation = ? AND kind = 'event'", conversation)).toBeGreaterThanOrEqual(200);

    // Her backend dies; her next line brings her call to B.
    busA.cut();
    const moved = b.harness.caller('1');
    const said = bob.replyMatching(isEvent('<alice> still here'));
    await moved.say('still here');
    await said;
    const resumed = records.find((record) => record.msg === 'conversation resumed');
    expect(resumed?.rows).toBeLessThan(60);
    // In the room, not back at the menu or entering it again; her line said once, the next one heard once.
    expect(moved.transcript()).not.toContain('MAIN MENU');
    expect(moved.transcript()).not.toContain('You are in the chat room');
    const next = moved.replyMatching(isEvent('<bob> welcome back'));
    await bob.say('welcome back');
    await next;
    expect(moved.replies.filter(isEvent('<bob> welcome back'))).toHaveLength(1);
    expect(bob.replies.filter(isEvent('<alice> still here'))).toHaveLength(1);
    expect(count("SELECT count(*) FROM chat_lines WHERE body = 'still here'")).toBe(1);
    // And /quit goes back to the main menu, as from the room entered there.
    expect((await moved.say('/quit'))?.msg).toContain('MAIN MENU');
  });
});

describe('events that come together', () => {
  it('resume a listen once, journaled as one row, each shown in order; a journal with one event a row (written before) still replays', async () => {
    const { hub, busA, a, b } = twoBackends();
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    await alice.say('C');
    const conversation = `m2/${SERVER_UUID}/0/1`;
    // A row names the value it shares with the other listeners' rows (journal_shared), or holds its own (a journal written before).
    const eventRows = (): string[] =>
      a.db.prepare("SELECT coalesce(s.value, j.value) FROM journal j LEFT JOIN journal_shared s ON s.key = j.shared WHERE j.conversation = ? AND j.kind = 'event' ORDER BY j.n").pluck().all(conversation) as string[];
    const before = eventRows().length;

    // Three lines published in one turn (a burst off the bus): one resume, one row.
    const third = alice.replyMatching(isEvent('<zed> three'));
    for (const text of ['one', 'two', 'three']) hub.publish('chat/main/', { kind: 'chat', from: 'zed', room: 'main', text, at: new Date(T0).toISOString() });
    await third;
    expect(alice.replies.filter((reply) => (reply.type as string) === 'event').map((reply) => reply.msg)).toEqual(['<zed> one', '<zed> two', '<zed> three']);
    const rows = eventRows().slice(before);
    expect(rows).toHaveLength(1);
    expect((JSON.parse(rows[0] as string) as { text: string }[]).map((event) => event.text)).toEqual(['one', 'two', 'three']);

    // The journal as an older backend wrote it: one event (an object) a row.
    const joined = alice.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('C');
    await joined;
    a.db.prepare("UPDATE journal SET value = (SELECT json_extract(s.value, '$[0]') FROM journal_shared s WHERE s.key = journal.shared), shared = NULL WHERE conversation = ? AND kind = 'event'").run(conversation);
    expect(JSON.parse(eventRows().at(-1) as string)).toMatchObject({ kind: 'join', from: 'bob' });
    busA.cut();
    const moved = b.harness.caller('1');
    const said = bob.replyMatching(isEvent('<alice> still here'));
    await moved.say('still here');
    await said;
    expect(moved.transcript()).not.toContain('the board was updated');
    expect(moved.transcript()).not.toContain('MAIN MENU');
  });
});

describe('a line said to many listeners', () => {
  it('is journaled once: every listener of the backend names one shared value, which replay reads back and pruning removes when old', async () => {
    const { hub, busA, a, b } = twoBackends();
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const carol = await registerAtMenu(a.harness, '3', 'carol', 'secret3');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    for (const caller of [alice, carol, bob]) await caller.say('C');
    const heard = [alice, carol].map((caller) => caller.replyMatching(isEvent('<zed> said to everyone')));
    hub.publish('chat/main/', { kind: 'chat', from: 'zed', room: 'main', text: 'said to everyone', at: new Date(T0).toISOString() });
    await Promise.all(heard);
    const lastShared = (conn: string): string | null =>
      a.db.prepare("SELECT shared FROM journal WHERE conversation = ? AND kind = 'event' ORDER BY n DESC LIMIT 1").pluck().get(`m2/${SERVER_UUID}/0/${conn}`) as string | null;
    const key = lastShared('1');
    expect(key).not.toBeNull();
    expect(lastShared('3')).toBe(key);
    expect(a.db.prepare("SELECT count(*) FROM journal WHERE shared = ? AND value IS NULL").pluck().get(key)).toBe(2);
    expect(JSON.parse(a.db.prepare('SELECT value FROM journal_shared WHERE key = ?').pluck().get(key) as string)).toContainEqual(expect.objectContaining({ from: 'zed', text: 'said to everyone' }));

    // Carol's backend dies: B rebuilds her chat from rows that name the shared value.
    busA.cut();
    const moved = b.harness.caller('3');
    const said = bob.replyMatching(isEvent('<carol> back again'));
    await moved.say('back again');
    await said;
    expect(moved.transcript()).not.toContain('the board was updated');

    // Kept a day longer than the ended conversations' journals (a value is stored before its call ends).
    expect(b.store.journal.pruneClosed(Date.now() + 1, 100)).toBe(0);
    expect(b.store.journal.pruneClosed(Date.now() + 2 * 24 * 3600_000, 100)).toBeGreaterThan(0);
    expect(a.db.prepare('SELECT count(*) FROM journal_shared WHERE key = ?').pluck().get(key)).toBe(0);
  });
});

describe('events that come while a call is named by the proxy (SESSION)', () => {
  it('go out before their rows are committed; the rows follow, consecutive ones as one, and replay after a move fits them, past a room checkpoint', async () => {
    const { hub, busA, a, b } = twoBackends();
    const session = 'cd'.repeat(16);
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1', { SESSION: session });
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    await alice.say('C');
    await bob.say('C');
    // More lines than a room checkpoint counts (from another backend's caller, past any flood
    // limit), each heard by alice before the next is said: a resume each.
    const said = CHECKPOINT_LISTENS + 10;
    for (let i = 0; i < said; i++) {
      const heard = alice.replyMatching(isEvent(`<zed> line ${i}`));
      hub.publish('chat/main/', { kind: 'chat', from: 'zed', room: 'main', text: `line ${i}`, at: new Date(T0).toISOString() });
      await heard;
    }
    // Within a moment every event is in alice's journal, in fewer rows than resumes.
    const events = (): number =>
      (a.db.prepare("SELECT coalesce(s.value, j.value) FROM journal j LEFT JOIN journal_shared s ON s.key = j.shared WHERE j.conversation = ? AND j.kind = 'event'").pluck().all(session) as string[])
        .flatMap((value) => JSON.parse(value) as { kind: string; text?: string }[])
        .filter((event) => event.kind === 'chat').length;
    await until(() => (events() === said ? true : undefined), 'every line in the journal', 5000);
    const rows = a.db.prepare("SELECT count(*) FROM journal WHERE conversation = ? AND kind = 'event'").pluck().get(session) as number;
    expect(rows).toBeLessThan(said);
    expect(a.db.prepare("SELECT count(*) FROM journal WHERE conversation = ? AND print LIKE 'checkpoint:@%'").pluck().get(session)).toBeGreaterThanOrEqual(2);

    // Her backend dies; the proxy moves her call to B with her next line.
    busA.cut();
    const moved = b.harness.caller('3', { SESSION: session, RESUME: '1' });
    const reached = bob.replyMatching(isEvent('<alice> moved and still here'));
    await moved.say('moved and still here');
    await reached;
    expect(moved.transcript()).not.toContain('the board was updated');
  });
});
