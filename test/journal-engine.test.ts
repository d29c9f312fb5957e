/**
 * Durable conversations at the engine level, in-process and fast: two engines (two "backends")
 * on one real SQLite file, each with a Journal. Backend A serves a caller up to a prompt and is
 * abandoned there, as a killed process would be; backend B gets the caller's next line on the
 * same connection, takes the conversation over from the journal and answers it.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { encodeDisconnect, parseRequest } from '../common/mongrel2-wire.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { Journal } from '../handler/journal.js';
import type { Reply } from '../handler/replies.js';
import { loadScreenSet, type ScreenSet } from '../handler/screens.js';
import { createHarness, SERVER_UUID, TEST_LIMITS, type Harness, type TestCaller } from './support/harness.js';
import { until } from './support/process-tree.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0);
// One message a page, so reading the board stops at the "more" prompt; messages long enough to
// need pages of their own.
const LIMITS = { ...TEST_LIMITS, pageSize: 1, maxLines: 40 };
const CONVERSATION = `m2/${SERVER_UUID}/0/1`;

interface Backend {
  readonly harness: Harness;
  readonly store: Store;
  readonly db: Database.Database;
}

let dirs: string[] = [];
let opened: Backend[] = [];
let screens: ScreenSet;

let screensDir = '';
beforeAll(async () => {
  // The shipped screens with the one-liner wall on the main menu: a flow module's prompt too.
  screensDir = mkdtempSync(join(tmpdir(), 'm2bbs-screens-'));
  cpSync(SHIPPED_SCREENS, screensDir, { recursive: true });
  writeFileSync(join(screensDir, 'main.menu'), 'title: MAIN MENU\n1. Leave a message. -> leave_message\n2. Read messages left. -> read_messages\n3. Send to someone else. -> send_mail\n4. Read messages to you. -> read_mail\nO. The one-liner wall. -> flow oneliners\nQ. Quit the BBS. -> quit\n');
  screens = await loadScreenSet(screensDir);
});
afterAll(() => rmSync(screensDir, { recursive: true, force: true }));

afterEach(() => {
  for (const b of opened) b.harness.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  opened = [];
  dirs = [];
});

function boardFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-journal-'));
  dirs.push(dir);
  return join(dir, 'bbs.db');
}

/** A backend named `owner` on `file`, journaling its conversations. */
function backend(file: string, owner: string, maxBytes?: number): Backend {
  const db = openDatabase(file, maxBytes === undefined ? {} : { maxBytes });
  const store = createStore(db);
  const log = createLogger('silent');
  const journal = new Journal({ store: store.journal, owner, log, now: Date.now });
  const harness = createHarness({ store, journal, screens: () => screens, limits: LIMITS, clock: () => T0, log });
  const b = { harness, store, db };
  opened.push(b);
  return b;
}

/** A board with bob on it, who has left a message and a mail for alice (who signs up later). */
function seededBoard(): string {
  const file = boardFile();
  const seed = createStore(openDatabase(file));
  const bob = seed.createCaller('bob', 'not a real hash', T0);
  seed.postMessage(bob.id, 'first post', T0);
  seed.close();
  return file;
}

// Sign-up, MOTD, a message, the board page by page, mail out, mail in, a one-liner, quit.
// '?' at the main menu shows the help and then only a prompt: a takeover there replays from the menu.
const SCRIPT = ['alice', 'secret1', 'y', 'secret1', '', '?', '1', 'line one', 'line two', '.', '2', '', '', '3', 'bob', 'hi bob', '.', 'O', 'a one-liner', 'Q'] as const;
// The prompts replay rebuilds exactly; at the new-user question and the second password prompt
// the password is not in the journal and is asked again (tested below).
const SIGN_UP_CUTS = new Set([2, 3]);

// One line a turn of the event loop, as a person types: lines that come in one turn were typed
// ahead, and too many of those is a flood.
async function sayAll(caller: TestCaller, lines: readonly string[]): Promise<void> {
  for (const line of lines) {
    await caller.say(line);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Every reply `caller` gets once `count` of them have come, or once the call ends. */
function repliesUntil(caller: TestCaller, done: (replies: readonly Reply[]) => boolean): Promise<readonly Reply[]> {
  return until(() => (done(caller.replies) || caller.closed ? caller.replies : undefined), 'the replies of the backend that took over', 5000);
}

function count(db: Database.Database, sql: string, ...args: unknown[]): number {
  return db.prepare(sql).pluck().get(...args) as number;
}

describe('a conversation taken over by another engine at each prompt', () => {
  it('goes on exactly as it would have: the same replies, the prompt the line answers not shown again, each write once', async () => {
    const undisturbed = backend(seededBoard(), 'A');
    const whole = undisturbed.harness.caller('1');
    await whole.dial();
    await sayAll(whole, SCRIPT);
    expect(whole.closed).toBe(true);
    const expected = whole.replies;
    expect(expected.some((r) => r.type === 'prompt' && r.msg.includes('one-liner'))).toBe(true);

    for (let cut = 0; cut < SCRIPT.length; cut++) {
      if (SIGN_UP_CUTS.has(cut)) continue;
      const file = seededBoard();
      const a = backend(file, 'A');
      const first = a.harness.caller('1');
      await first.dial();
      await sayAll(first, SCRIPT.slice(0, cut));
      const seen = first.replies.length;

      const b = backend(file, 'B');
      const moved = b.harness.caller('1');
      await moved.say(SCRIPT[cut] as string);
      await sayAll(moved, SCRIPT.slice(cut + 1));
      expect(moved.closed, `cut at ${cut}`).toBe(true);
      // B answers as A would have; the prompt the caller was at is not shown again (the line
      // that came answers it: a client answering every prompt would answer a repeat too).
      expect([...first.replies, ...moved.replies], `cut at ${cut} (${SCRIPT[cut]})`).toEqual(expected);
      expect(seen).toBeGreaterThan(0);
      // Nothing done twice: one alice, two posts (bob's and hers), one mail, one one-liner.
      expect(count(b.db, "SELECT count(*) FROM callers WHERE name = 'alice'")).toBe(1);
      expect(count(b.db, 'SELECT count(*) FROM messages')).toBe(2);
      expect(count(b.db, 'SELECT count(*) FROM mail')).toBe(1);
      expect(count(b.db, 'SELECT count(*) FROM wall_lines')).toBe(1);
      expect(count(b.db, 'SELECT closed_at IS NOT NULL FROM conversations WHERE id = ?', CONVERSATION)).toBe(1);
      expect(count(b.db, 'SELECT epoch FROM conversations WHERE id = ?', CONVERSATION)).toBe(2);
      for (const x of [a, b]) x.harness.close();
      opened = opened.filter((x) => x !== a && x !== b);
    }
  });
});

describe('a password in the journal', () => {
  it('is never written, only its hash; a takeover between the two password prompts of a sign-up asks nothing again and signs up once', async () => {
    const file = seededBoard();
    const a = backend(file, 'A');
    const first = a.harness.caller('1');
    await first.dial();
    await sayAll(first, ['alice', 'secret1', 'y']);
    expect(first.replies.at(-1)).toMatchObject({ type: 'prompt', echo: false, msg: 'Type the same password again, to be sure.' });

    const b = backend(file, 'B');
    const moved = b.harness.caller('1');
    // The first password was hashed when typed and its hash journaled: B checks the repeat against it.
    await moved.say('secret1');
    await repliesUntil(moved, (replies) => replies.some((reply) => reply.msg.includes('Welcome aboard, alice!')));
    expect(moved.transcript()).toContain('Welcome aboard, alice!');
    expect(moved.transcript()).not.toContain("What's your password?");
    expect(moved.transcript()).not.toContain('Type the same password again');
    expect(count(b.db, "SELECT count(*) FROM callers WHERE name = 'alice'")).toBe(1);
    // Both backends' rows: no value holds the password; secret lines are there, as NULL.
    expect(count(b.db, "SELECT count(*) FROM journal WHERE value LIKE '%secret1%' OR print LIKE '%secret1%'")).toBe(0);
    expect(count(b.db, "SELECT count(*) FROM journal WHERE kind = 'line' AND print LIKE '%:secret' AND value IS NULL")).toBe(2);
    // n runs on without a gap or a double across the two backends.
    const ns = b.db.prepare('SELECT n FROM journal WHERE conversation = ? ORDER BY n').pluck().all(CONVERSATION) as number[];
    expect(ns).toEqual(ns.map((_, i) => i));
  });

  it('is not needed to replay a login: a caller who logged in is taken over at the MOTD still logged in', async () => {
    const file = seededBoard();
    const setup = backend(file, 'setup');
    const signUp = setup.harness.caller('7');
    await signUp.dial();
    await sayAll(signUp, ['alice', 'secret1', 'y', 'secret1', 'n']);
    const a = backend(file, 'A');
    const first = a.harness.caller('1');
    await first.dial();
    await sayAll(first, ['alice', 'secret1']);
    expect(first.replies.at(-1)?.msg).toContain('Do you want to continue?');
    const b = backend(file, 'B');
    const moved = b.harness.caller('1');
    await moved.say('');
    const replies = await repliesUntil(moved, (r) => r.some((reply) => reply.msg.includes('MAIN MENU')));
    expect(replies.some((reply) => reply.msg.includes('Do you want to continue?'))).toBe(false);
    expect(count(b.db, "SELECT count(*) FROM journal WHERE value LIKE '%secret1%'")).toBe(0);
  });
});

describe('a write and its journal row', () => {
  it('commit together: a post refused by a full board leaves neither; the retry stores both, once', async () => {
    const file = seededBoard();
    const a = backend(file, 'A');
    const caller = a.harness.caller('1');
    await caller.dial();
    await sayAll(caller, ['alice', 'secret1', 'y', 'secret1', '', '1']);
    await sayAll(caller, Array.from({ length: 30 }, (_, i) => String(i % 10).repeat(200)));
    // The board is full from here on (as --db-max-size would make it): no new page can be had.
    const pages = a.db.pragma('page_count', { simple: true }) as number;
    a.db.pragma(`max_page_count = ${pages}`);
    const refused = await caller.say('.');
    expect(caller.transcript()).toContain('was NOT saved');
    expect(refused?.msg).toMatch(/try again/i);
    expect(count(a.db, 'SELECT count(*) FROM messages')).toBe(1);
    expect(count(a.db, "SELECT count(*) FROM journal WHERE kind = 'result' AND print LIKE 'call:postToArea:%'")).toBe(0);

    a.db.pragma('max_page_count = 1073741823');
    await sayAll(caller, ['y']);
    expect(caller.transcript()).toContain('Your message is on the board as number 2.');
    expect(count(a.db, 'SELECT count(*) FROM messages')).toBe(2);
    expect(count(a.db, "SELECT count(*) FROM journal WHERE kind = 'result' AND print LIKE 'call:postToArea:%'")).toBe(1);
    // Taken over now, the post is replayed from its row, not stored again.
    const b = backend(file, 'B');
    const moved = b.harness.caller('1');
    await moved.say('Q');
    expect(moved.closed).toBe(true);
    expect(count(b.db, 'SELECT count(*) FROM messages')).toBe(2);
  });
});

describe('checkpoints', () => {
  async function atMainMenu(file: string, rounds: number): Promise<{ total: number; fromStart: number; firstKind: string }> {
    const a = backend(file, 'A');
    const caller = a.harness.caller('1');
    await caller.dial();
    await sayAll(caller, ['alice', 'secret1', 'y', 'secret1', '']);
    for (let i = 0; i < rounds; i++) await sayAll(caller, ['1', `message ${i}`, '.', '2', 'Q', '4']);
    expect(caller.replies.at(-1)?.msg).toContain('MAIN MENU');
    const { start_n: startN } = a.db.prepare('SELECT start_n FROM conversations WHERE id = ?').get(CONVERSATION) as { start_n: number };
    return {
      total: count(a.db, 'SELECT count(*) FROM journal WHERE conversation = ?', CONVERSATION),
      fromStart: count(a.db, 'SELECT count(*) FROM journal WHERE conversation = ? AND n >= ?', CONVERSATION, startN),
      firstKind: a.db.prepare('SELECT kind FROM journal WHERE conversation = ? AND n = ?').pluck().get(CONVERSATION, startN) as string,
    };
  }

  it('set start_n at the main menu: replay starts at a checkpoint row and reads as few rows after 1 round as after 6', async () => {
    const short = await atMainMenu(seededBoard(), 1);
    const long = await atMainMenu(seededBoard(), 6);
    expect(short.firstKind).toBe('checkpoint');
    expect(long.firstKind).toBe('checkpoint');
    // Rows before the checkpoint are kept (a sysop's replay) until the conversation is pruned.
    expect(long.total).toBeGreaterThan(short.total + 20);
    expect(long.fromStart).toBe(short.fromStart);
    expect(long.fromStart).toBeLessThanOrEqual(3);
  });

  it('a takeover at the main menu replays from the checkpoint: still logged in, nothing written again', async () => {
    const file = seededBoard();
    await atMainMenu(file, 3);
    const b = backend(file, 'B');
    const moved = b.harness.caller('1');
    await moved.say('1');
    expect(moved.transcript()).not.toContain('MAIN MENU');
    await moved.say('signed by alice');
    await moved.say('.');
    expect(moved.transcript()).toContain('Your message is on the board as number 5.');
    expect(b.store.listMessages(4, 1)[0]).toMatchObject({ author: 'alice', body: 'signed by alice' });
  });
});

describe('pruning', () => {
  it('deletes ended conversations and their journals, older than asked, and leaves open ones', async () => {
    const file = seededBoard();
    const a = backend(file, 'A');
    const quits = a.harness.caller('1');
    await quits.dial();
    await sayAll(quits, ['alice', 'secret1', 'y', 'secret1', '', 'Q']);
    expect(quits.closed).toBe(true);
    const stays = a.harness.caller('2');
    await stays.dial();
    await stays.say('carol');
    const open = `m2/${SERVER_UUID}/0/2`;
    expect(count(a.db, 'SELECT count(*) FROM journal WHERE conversation = ?', CONVERSATION)).toBeGreaterThan(0);
    const closedAt = count(a.db, 'SELECT closed_at FROM conversations WHERE id = ?', CONVERSATION);

    expect(a.store.journal.pruneClosed(closedAt, 100)).toBe(0);
    expect(a.store.journal.pruneClosed(closedAt + 1, 100)).toBe(1);
    expect(count(a.db, 'SELECT count(*) FROM conversations WHERE id = ?', CONVERSATION)).toBe(0);
    expect(count(a.db, 'SELECT count(*) FROM journal WHERE conversation = ?', CONVERSATION)).toBe(0);
    expect(count(a.db, 'SELECT count(*) FROM conversations WHERE id = ?', open)).toBe(1);
    expect(count(a.db, 'SELECT count(*) FROM journal WHERE conversation = ?', open)).toBeGreaterThan(0);
    // The open one still goes on, here or taken over.
    const b = backend(file, 'B');
    expect((await b.harness.caller('2').say('pass1234'))?.msg).toContain('Sign up as carol?');
  });
});

describe('a disconnect that detaches', () => {
  it('ends the connection but not the conversation: the call goes on where the proxy takes it next', async () => {
    const file = seededBoard();
    const a = backend(file, 'A');
    const alice = a.harness.caller('1');
    await alice.dial();
    await sayAll(alice, ['alice', 'secret1', 'y', 'secret1', '', '1', 'line one']);
    // The proxy gave up on this connection (too slow to answer a moved call) and dials elsewhere.
    a.harness.engine.receive(parseRequest(encodeDisconnect(SERVER_UUID, '1', { detach: true })));
    expect(count(a.db, 'SELECT count(*) FROM conversations WHERE closed_at IS NULL')).toBe(1);
    // An ordinary disconnect still ends it.
    const b = backend(file, 'B');
    const again = b.harness.caller('1');
    // Taken over: the line answered (the prompt it answers not shown again).
    again.sendBody(JSON.stringify({ type: 'msg', msg: 'line two' }));
    const pchars = (replies: readonly Reply[]): string[] => replies.flatMap((reply) => (reply.type === 'prompt' ? [reply.pchar] : []));
    const replies = await repliesUntil(again, (r) => pchars(r).includes(' 3> '));
    expect(pchars(replies)).toEqual([' 3> ']);
    again.hangUp();
    expect(count(b.db, 'SELECT count(*) FROM conversations WHERE closed_at IS NULL')).toBe(0);
  });
});

describe('a password typed again in a hurry', () => {
  it('is journaled as a secret where the password prompt showed, its copy at the (Y/n) question as what it means there, and a takeover goes on', async () => {
    const file = seededBoard();
    const a = backend(file, 'A');
    const carol = a.harness.caller('1');
    await carol.dial();
    await sayAll(carol, ['carol']);
    // At the password prompt the caller types it twice before anything comes back: the second
    // copy answers "Sign up as carol?", an echoing prompt.
    carol.sendBody(JSON.stringify({ type: 'msg', msg: 'Hurried-Pass-77' }));
    carol.sendBody(JSON.stringify({ type: 'msg', msg: 'Hurried-Pass-77' }));
    await repliesUntil(carol, (r) => r.filter((reply) => reply.type === 'prompt' && reply.msg.includes('Sign up as carol')).length >= 2);
    const values = a.db.prepare('SELECT value FROM journal WHERE value IS NOT NULL').pluck().all() as string[];
    expect(values.some((value) => value.includes('Hurried-Pass-77'))).toBe(false);
    // The password a secret row; its copy, read by the (Y/n) question, kept as what it means there
    // (a secret row would replay as Enter, a yes, and the call fall out of step when taken over).
    expect(count(a.db, "SELECT count(*) FROM journal WHERE kind = 'line' AND value IS NULL")).toBe(1);
    expect(values).toContain(JSON.stringify('(neither Y nor N)'));
    await carol.say('y');
    // Another backend takes the call over at the repeat of the password and signs carol up.
    const b = backend(file, 'B');
    const again = b.harness.caller('1');
    again.sendBody(JSON.stringify({ type: 'msg', msg: 'Hurried-Pass-77' }));
    await repliesUntil(again, (r) => r.some((reply) => reply.msg.includes('MOTD')));
    expect(again.replies.map((reply) => reply.msg).join('\n')).not.toContain('start again');
    expect(count(b.db, "SELECT count(*) FROM callers WHERE name = 'carol'")).toBe(1);
  });
});

describe('a password typed at the sign-up question by mistake', () => {
  it('is kept as what it means there, never as typed, and a takeover at the question goes on', async () => {
    const file = seededBoard();
    const a = backend(file, 'A');
    const dana = a.harness.caller('1');
    await dana.dial();
    await sayAll(dana, ['dana', 'Mistaken-Pass-42']);
    // "Sign up as dana? (Y/n)" read as the password prompt again: the caller is told what it takes.
    const told = await dana.say('Mistaken-Pass-42');
    expect(dana.replies.map((reply) => reply.msg).join('\n')).toContain('Type Y to sign up as dana, or N to pick another name.');
    expect(told?.msg).toContain('Sign up as dana');
    const values = a.db.prepare('SELECT value FROM journal WHERE value IS NOT NULL').pluck().all() as string[];
    expect(values.some((value) => value.includes('Mistaken-Pass-42'))).toBe(false);
    expect(values).toContain(JSON.stringify('(neither Y nor N)'));
    // Another backend takes the call over at the question: yes goes on to the repeat of the
    // password (whose hash the journal holds), then the MOTD; the account is made.
    const b = backend(file, 'B');
    const again = b.harness.caller('1');
    again.sendBody(JSON.stringify({ type: 'msg', msg: 'y' }));
    await repliesUntil(again, (r) => r.some((reply) => reply.type === 'prompt' && reply.echo === false));
    await sayAll(again, ['Mistaken-Pass-42', 'Mistaken-Pass-42']);
    expect(count(b.db, "SELECT count(*) FROM callers WHERE name = 'dana'")).toBe(1);
    const after = b.db.prepare('SELECT value FROM journal WHERE value IS NOT NULL').pluck().all() as string[];
    expect(after.some((value) => value.includes('Mistaken-Pass-42'))).toBe(false);
  });
});

describe('an answer lost with its backend (committed, never sent)', () => {
  // A numbered client behind Mongrel2 (`"seq"` in the body): the lines it typed, one prompt each.
  async function numberedCall(b: Backend, lines: readonly string[]): Promise<TestCaller> {
    const caller = b.harness.caller('1');
    let seq = 0;
    for (const line of ['connect', ...lines]) {
      const prompted = caller.replyMatching((reply) => reply.type === 'prompt');
      caller.sendBody(JSON.stringify({ type: 'msg', msg: line, seq: ++seq }));
      await prompted;
    }
    return caller;
  }

  it('is said again when the caller sends the input again: a post written once, its number shown, then the main menu', async () => {
    const file = seededBoard();
    // Backend A reads the `.` that ends a post (input 9), stores it, reaches the main menu and
    // writes its checkpoint there; what it sent never reached the caller (it died with A).
    const a = backend(file, 'A');
    await numberedCall(a, ['alice', 'secret1', 'y', 'secret1', '', '1', 'lost in the post', '.']);
    expect(count(a.db, 'SELECT count(*) FROM messages')).toBe(2);
    const b = backend(file, 'B');
    const again = b.harness.caller('1');
    again.sendBody(JSON.stringify({ type: 'msg', msg: '.', seq: 9 }));
    const replies = await repliesUntil(again, (r) => r.some((reply) => reply.type === 'prompt'));
    const shown = replies.map((reply) => reply.msg).join('\n');
    expect(shown).toContain('Your message is on the board as number 2.');
    expect(shown).toContain('MAIN MENU');
    expect(count(b.db, 'SELECT count(*) FROM messages')).toBe(2);
  });

  it('a quit sent again after the call ended closes the line: the caller is not dialled into a new call', async () => {
    const file = seededBoard();
    const a = backend(file, 'A');
    const alice = await numberedCall(a, ['alice', 'secret1', 'y', 'secret1', '']);
    alice.sendBody(JSON.stringify({ type: 'msg', msg: 'Q', seq: 7 }));
    await until(() => (alice.closed ? true : undefined), 'the line closed by A', 5000);
    const b = backend(file, 'B');
    const again = b.harness.caller('1');
    again.sendBody(JSON.stringify({ type: 'msg', msg: 'Q', seq: 7 }));
    await until(() => (again.closed ? true : undefined), 'the line closed by B', 5000);
    expect(again.transcript()).not.toContain("What's your name?");
  });
});

describe('an answer lost with its backend, behind the m2bbs proxy', () => {
  it('is said again when the proxy moves the input: the post shown once stored, the prompt acknowledging that input', async () => {
    const file = seededBoard();
    const session = 'ab'.repeat(16);
    const a = backend(file, 'A');
    const lines = ['connect', 'alice', 'secret1', 'y', 'secret1', '', '1', 'lost in the post', '.'];
    for (const [i, line] of lines.entries()) {
      const caller = a.harness.caller('1', { SESSION: session, SEQ: String(i + 1) });
      if (i === 0) await caller.dial();
      else await caller.say(line);
    }
    expect(count(a.db, 'SELECT count(*) FROM messages')).toBe(2);
    // A died after its commit: the proxy saw input 8 answered, and sends input 9 again to B.
    const b = backend(file, 'B');
    const moved = b.harness.caller('2', { SESSION: session, SEQ: '9', RESUME: '1', ACKED: '8' });
    moved.sendBody(JSON.stringify({ type: 'msg', msg: '.' }));
    const replies = await repliesUntil(moved, (r) => r.some((reply) => reply.type === 'prompt' && reply.seq === 9));
    const shown = replies.map((reply) => reply.msg).join('\n');
    expect(shown).toContain('Your message is on the board as number 2.');
    expect(shown).toContain('MAIN MENU');
    expect(count(b.db, 'SELECT count(*) FROM messages')).toBe(2);
  });
});

describe('two answers lost with their backend, behind the m2bbs proxy', () => {
  it('are said again as the proxy sends both inputs again: the last prompt acknowledges the second', async () => {
    const file = seededBoard();
    const session = 'ef'.repeat(16);
    const a = backend(file, 'A');
    const lines = ['connect', 'alice', 'secret1', 'y', 'secret1', '', '1'];
    for (const [i, line] of lines.entries()) {
      const caller = a.harness.caller('1', { SESSION: session, SEQ: String(i + 1) });
      if (i === 0) await caller.dial();
      else await caller.say(line);
    }
    // Inputs 8 and 9 typed ahead, both read and committed by A, whose answers never left.
    a.harness.caller('1', { SESSION: session, SEQ: '8' }).sendBody(JSON.stringify({ type: 'msg', msg: 'two at once' }));
    const lastByA = a.harness.caller('1', { SESSION: session, SEQ: '9' });
    const answered = lastByA.replyMatching((reply) => reply.type === 'prompt' && reply.seq === 9);
    lastByA.sendBody(JSON.stringify({ type: 'msg', msg: '.' }));
    await answered;
    expect(count(a.db, 'SELECT count(*) FROM messages')).toBe(2);

    // The proxy saw input 7 answered and sends 8, then 9, to B.
    const b = backend(file, 'B');
    const eighth = b.harness.caller('2', { SESSION: session, SEQ: '8', RESUME: '1', ACKED: '7' });
    eighth.sendBody(JSON.stringify({ type: 'msg', msg: 'two at once' }));
    const ninth = b.harness.caller('2', { SESSION: session, SEQ: '9', RESUME: '1', ACKED: '7' });
    const acked = ninth.replyMatching((reply) => reply.type === 'prompt' && reply.seq === 9);
    ninth.sendBody(JSON.stringify({ type: 'msg', msg: '.' }));
    await acked;
    // The screens replayed for input 9, then one prompt: the one the replay ends at, acknowledging 9.
    const replies = [...eighth.replies, ...ninth.replies];
    expect(replies.map((reply) => reply.msg).join('\n').match(/Your message is on the board as number 2\./g)).toHaveLength(1);
    expect(replies.filter((reply) => reply.type === 'prompt').map((reply) => reply.seq)).toEqual([9]);
    expect(count(b.db, 'SELECT count(*) FROM messages')).toBe(2);
  });
});
