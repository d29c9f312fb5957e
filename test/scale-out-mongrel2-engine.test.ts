/**
 * Several handlers on one Mongrel2 send_spec, at the engine level and in-process: two engines
 * (two processes) on one real SQLite file, each with a Journal, get a caller's lines in turn as
 * Mongrel2 deals them. A line for a conversation the other engine served since is taken over, not
 * run on a stale session (and so never lost); a hang-up heard by the engine that does not hold
 * the call ends it; a numbered input sent again is read once and gets its prompt again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { watchHangUpOrders } from '../handler/hang-up-watch.js';
import { Journal } from '../handler/journal.js';
import { DEFAULT_LINE_LIMITS } from '../handler/line-limits.js';
import type { Reply } from '../handler/replies.js';
import { createHarness, ManualClock, SERVER_UUID, TEST_LIMITS, type Harness, type TestCaller } from './support/harness.js';
import { until } from './support/process-tree.js';

const CONVERSATION = `m2/${SERVER_UUID}/0/1`;
let dir = '';
let opened: { harness: Harness; db: Database.Database }[] = [];
afterEach(() => {
  for (const b of opened) b.harness.close();
  opened = [];
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** One handler process on the shared board, journaling as `owner`; `now` is its engine's clock (and its journal's, with `journalToo`). */
function handler(owner: string, maxCallers = 0, now?: () => number, journalToo = false): { harness: Harness; db: Database.Database; store: Store } {
  if (dir === '') dir = mkdtempSync(join(tmpdir(), 'm2bbs-scale-'));
  const db = openDatabase(join(dir, 'bbs.db'));
  const store = createStore(db);
  const log = createLogger('silent');
  const journalNow = journalToo && now !== undefined ? now : Date.now;
  const harness = createHarness({ store, journal: new Journal({ store: store.journal, owner, log, now: journalNow }), limits: TEST_LIMITS, log, lines: { ...DEFAULT_LINE_LIMITS, maxCallers }, ...(now === undefined ? {} : { now }) });
  const b = { harness, db, store };
  opened.push(b);
  return b;
}

function count(db: Database.Database, sql: string, ...args: unknown[]): number {
  return db.prepare(sql).pluck().get(...args) as number;
}

/** The first prompt `caller` gets after `act` that `match` accepts (a takeover shows the prompt the caller was at first). */
async function promptAfter(caller: TestCaller, act: () => void, match: (reply: Reply) => boolean = () => true): Promise<Reply> {
  const seen = caller.replies.length;
  act();
  return until(() => caller.replies.slice(seen).find((r) => r.type === 'prompt' && match(r)), 'the prompt', 5000);
}

describe('two engines on one send_spec', () => {
  it('takes a conversation over when a line comes for one the other engine served since: the line is answered, not lost', async () => {
    const a = handler('A');
    const b = handler('B');
    const onA = a.harness.caller('1');
    const onB = b.harness.caller('1');
    await onA.dial();
    for (const line of ['mia', 'secret12', 'y', 'secret12', '']) await onA.say(line);
    // Mongrel2 deals the next line to B, which takes the call over; the one after back to A,
    // whose session is stale now: it must not answer from it (its commit would be fenced, the
    // line lost), but take the call back over.
    const say = (on: TestCaller, msg: string, pchar: string): Promise<Reply> => promptAfter(on, () => on.sendBody(JSON.stringify({ type: 'msg', msg })), (r) => r.type === 'prompt' && r.pchar === pchar);
    await say(onB, '1', ' 1> ');
    await say(onA, 'first line', ' 2> ');
    await say(onB, 'second line', ' 3> ');
    const posted = await promptAfter(onA, () => onA.sendBody(JSON.stringify({ type: 'msg', msg: '.' })), (r) => r.msg.includes('MAIN MENU'));
    expect(posted.msg).toContain('MAIN MENU');
    expect(a.db.prepare('SELECT body FROM messages').pluck().all()).toEqual(['first line\nsecond line']);
    // Claimed once at the dial-in and once at each of the four lines that changed engine.
    expect(count(a.db, 'SELECT epoch FROM conversations WHERE id = ?', CONVERSATION)).toBe(5);
  });

  it('hangs up on a caller not logged in within the time to log in, though each line goes to the other engine', async () => {
    const clock = new ManualClock();
    const a = handler('A', 0, clock.now, true);
    const b = handler('B', 0, clock.now, true);
    const onA = a.harness.caller('1');
    const onB = b.harness.caller('1');
    await onA.dial();
    // A blank name every minute, dealt to A and B in turn: each line is a takeover.
    for (let minute = 1; minute < 10; minute++) {
      clock.advance(60);
      const on = minute % 2 === 0 ? onA : onB;
      await promptAfter(on, () => on.sendBody(JSON.stringify({ type: 'msg', msg: '' })));
      expect(a.harness.engine.sweep() + b.harness.engine.sweep()).toBe(0);
    }
    clock.advance(60);
    // Whichever holds the call now ends it: ten minutes since the call began, not since its last move.
    expect(a.harness.engine.sweep() + b.harness.engine.sweep()).toBe(1);
    expect([...onA.replies, ...onB.replies].some((r) => r.type === 'exit' && r.msg.includes('without logging in'))).toBe(true);
  });

  it('ends the call on the engine holding it when the hang-up reaches the other: what the caller was writing is kept as a draft', async () => {
    const a = handler('A');
    const b = handler('B');
    const watch = watchHangUpOrders(a.store, a.harness.engine, createLogger('silent'), 60_000);
    onTestFinished(() => watch.stop());
    const onA = a.harness.caller('1');
    await onA.dial();
    for (const line of ['nia', 'secret12', 'y', 'secret12', '', '1', 'a line not posted']) await onA.say(line);
    expect(count(a.db, 'SELECT closed_at IS NULL FROM conversations WHERE id = ?', CONVERSATION)).toBe(1);
    // Mongrel2 deals the hang-up to B, which does not hold the call: A ends it as a hang-up of its own.
    b.harness.caller('1').hangUp();
    await until(() => (count(a.db, 'SELECT count(*) FROM drafts') === 1 ? true : undefined), 'the draft kept', 5000);
    expect(a.db.prepare('SELECT body FROM drafts').pluck().get()).toBe('a line not posted');
    expect(count(a.db, 'SELECT count(*) FROM messages')).toBe(0);
    await until(() => (count(a.db, 'SELECT closed_at IS NOT NULL FROM conversations WHERE id = ?', CONVERSATION) === 1 ? true : undefined), 'the conversation closed', 5000);
    expect(a.harness.engine.liveSessions).toBe(0);
    expect(count(a.db, "SELECT count(*) FROM hang_up_orders WHERE done_at IS NULL")).toBe(0);
  });

  it('leaves the hang-up to the engine serving the call now, not one whose copy of it is stale: the latest draft is kept', async () => {
    const [a, b, c] = [handler('A'), handler('B'), handler('C')];
    const onA = a.harness.caller('1');
    await onA.dial();
    for (const line of ['nia', 'secret12', 'y', 'secret12', '', '1', 'line one']) await onA.say(line);
    // The next line goes to B, which takes the call over; A's copy of it is stale now.
    const onB = b.harness.caller('1');
    await promptAfter(onB, () => onB.sendBody(JSON.stringify({ type: 'msg', msg: 'line two' })), (r) => r.type === 'prompt' && r.pchar === ' 3> ');
    // The hang-up goes to C, which holds nothing: its order reaches A's watch first, then B's.
    c.harness.caller('1').hangUp();
    const [order] = c.store.hangUps.since(0);
    expect(order?.reason).toBe('caller_hung_up');
    if (order === undefined) return;
    expect(a.harness.engine.hangUpLine(order)).toBe(false);
    expect(b.harness.engine.hangUpLine(order)).toBe(true);
    await until(() => (count(a.db, 'SELECT count(*) FROM drafts') === 1 ? true : undefined), 'the draft kept', 5000);
    expect(a.db.prepare('SELECT body FROM drafts').pluck().get()).toBe('line one\nline two');
    expect(a.harness.engine.liveSessions).toBe(0);
  });

  it('ends the conversation in the journal when the engine that held it does not carry the hang-up out (it died)', async () => {
    const a = handler('A');
    const b = handler('B');
    const onA = a.harness.caller('1');
    await onA.dial();
    await onA.say('nia');
    // A runs no watch here: as good as dead. B closes the call once its order was not carried out.
    b.harness.caller('1').hangUp();
    expect(count(a.db, 'SELECT closed_at IS NULL FROM conversations WHERE id = ?', CONVERSATION)).toBe(1);
    await until(() => (count(a.db, 'SELECT closed_at IS NOT NULL FROM conversations WHERE id = ?', CONVERSATION) === 1 ? true : undefined), 'the conversation closed', 5000);
    expect(count(a.db, "SELECT count(*) FROM hang_up_orders WHERE done_at IS NULL")).toBe(0);
  });

  it('reads a numbered input once however often it comes, and shows its prompt again for one sent twice', async () => {
    const a = handler('A');
    const b = handler('B');
    const onA = a.harness.caller('1');
    const onB = b.harness.caller('1');
    let seq = 0;
    const numbered = (msg: string, again = false): string => JSON.stringify({ type: 'msg', msg, seq: again ? seq : ++seq });
    await promptAfter(onA, () => onA.sendBody(numbered('connect')));
    for (const line of ['ola', 'secret12', 'y', 'secret12', '', '1', 'only once']) await promptAfter(onA, () => onA.sendBody(numbered(line)));
    const post = await promptAfter(onA, () => onA.sendBody(numbered('.')));
    expect(post).toMatchObject({ type: 'prompt', seq });
    expect(post.msg).toContain('MAIN MENU');
    // The client heard nothing and sends `.` again: to A, which holds the call, then to B.
    const again = await promptAfter(onA, () => onA.sendBody(numbered('.', true)));
    expect(again).toMatchObject({ type: 'prompt', seq });
    expect(again.msg).toContain('MAIN MENU');
    const elsewhere = await promptAfter(onB, () => onB.sendBody(numbered('.', true)));
    expect(elsewhere).toMatchObject({ type: 'prompt', seq });
    expect(elsewhere.msg).toContain('MAIN MENU');
    expect(a.db.prepare('SELECT body FROM messages').pluck().all()).toEqual(['only once']);
  });

  it('does not count a call that went on elsewhere against its lines: a new caller is not told busy', async () => {
    const a = handler('A', 1);
    const b = handler('B', 1);
    const onA = a.harness.caller('1');
    await onA.dial();
    await onA.say('pia');
    // Her next line goes to B, which takes the call over; A's one line is free again.
    const onB = b.harness.caller('1');
    await promptAfter(onB, () => onB.sendBody(JSON.stringify({ type: 'msg', msg: 'secret12' })), (r) => r.type === 'prompt' && r.msg.includes('Sign up as pia'));
    const next = a.harness.caller('2');
    const welcome = await promptAfter(next, () => next.sendBody(JSON.stringify({ type: 'msg', msg: 'connect' })));
    expect(welcome.msg).toContain("What's your name?");
    expect(next.replies.some((r) => r.type === 'busy')).toBe(false);
  });

  it('looks for calls that went on elsewhere at most once a second when every line is taken, not at every dial-in', async () => {
    const clock = new ManualClock();
    const a = handler('A', 1, clock.now);
    const b = handler('B');
    const connect = JSON.stringify({ type: 'msg', msg: 'connect' });
    // Each caller's second line goes to B, which takes the call over; A still holds a stale session.
    const movesToB = async (connId: string, name: string): Promise<void> => {
      const onA = a.harness.caller(connId);
      await promptAfter(onA, () => onA.sendBody(connect));
      await onA.say(name);
      const onB = b.harness.caller(connId);
      await promptAfter(onB, () => onB.sendBody(JSON.stringify({ type: 'msg', msg: 'secret12' })), (r) => r.msg.includes(`Sign up as ${name}`));
    };
    await movesToB('1', 'pia');
    // The first caller A would turn away makes it look: pia's stale session goes, her line is free.
    await movesToB('2', 'quinn');
    // Within the same second A does not look again: the next caller is told busy.
    const third = a.harness.caller('3');
    third.sendBody(connect);
    await until(() => (third.closed ? true : undefined), 'the busy caller hung up', 5000);
    expect(third.replies.map((r) => r.type)).toContain('busy');
    // A second later it looks again, and quinn's stale session frees the line.
    clock.advance(1);
    const fourth = a.harness.caller('4');
    const welcome = await promptAfter(fourth, () => fourth.sendBody(connect));
    expect(welcome.msg).toContain("What's your name?");
    expect(fourth.replies.some((r) => r.type === 'busy')).toBe(false);
  });
});
