/**
 * Password guessing against a real BBS (the proxy, two `m2bbs handler` processes on one SQLite
 * file): wrong passwords counted across calls and across backends, the pause growing with them,
 * the name locked (said at the name prompt, no password asked), the lock lifting on time, an
 * address locked across names, and the sysop's log lines.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { until } from './support/process-tree.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const LOCKED = /This name is locked for \d+ more minutes after too many wrong passwords\./;
const BAD_PASS = "That's not the right password.";

let bbs: TestBbs | undefined;
const callers: JsonSocketClient[] = [];
afterEach(async () => {
  callers.splice(0).forEach((caller) => caller.destroy());
  await bbs?.close();
  bbs = undefined;
});

/** Dials `number` and returns the caller at the name prompt. */
async function dial(board: TestBbs, number: string): Promise<JsonSocketClient> {
  const caller = await JsonSocketClient.open(board.frontPort, `@${number}`);
  callers.push(caller);
  caller.send('connect');
  const turn = await caller.untilPrompt();
  expect(turn.prompt?.msg).toContain("What's your name?");
  return caller;
}

async function signUp(board: TestBbs, name: string, password: string): Promise<void> {
  const caller = await dial(board, 'bbs.10');
  await caller.exchange(name);
  await caller.exchange(password);
  await caller.exchange('y');
  expect((await caller.exchange(password)).prompt?.msg).toContain('Do you want to continue?');
  expect((await caller.exchange('n')).closed).toBe(true);
}

/** One call with a wrong password: what the caller saw after it, all the way to the line closing. */
async function wrongPassword(board: TestBbs, number: string, name: string): Promise<string> {
  const caller = await dial(board, number);
  expect((await caller.exchange(name)).prompt?.msg).toContain('password');
  const turn = await caller.exchange('not-the-password');
  expect(turn.closed).toBe(true);
  return turn.texts.join('');
}

function failuresIn(board: TestBbs): Record<string, number> {
  const db = new Database(board.dbFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT kind, key, failures FROM login_failures').all() as { kind: string; key: string; failures: number }[];
    return Object.fromEntries(rows.map((row) => [`${row.kind}:${row.key}`, row.failures]));
  } finally {
    db.close();
  }
}

const logged = (msg: string, fields: Record<string, unknown>) => (record: LogRecord) => record.msg === msg && Object.entries(fields).every(([key, value]) => record[key] === value);

describe('wrong passwords', () => {
  it('count across calls and backends, lock the name (said without asking a password), refuse even the right one, and lift on time', async () => {
    const board = (bbs = await startTestBbs({ backends: 2, handlerArgs: ['--login-lock-after', '3', '--login-lock-seconds', '2'] }));
    const [ten, eleven] = board.handlers;
    await signUp(board, 'alice', 'alice-pw-1');

    // A caller whose password prompt is open before the lock.
    const early = await dial(board, 'bbs.11');
    expect((await early.exchange('alice')).prompt?.msg).toContain('password');

    const first = await wrongPassword(board, 'bbs.10', 'alice');
    expect(first).toContain(BAD_PASS);
    await ten?.waitForLog(logged('login failed', { code: 'BBS_ERR_LOGIN_FAILED', caller: 'alice', failures: 1, remote: '127.0.0.1' }));
    // The other backend counts on from the same count.
    await wrongPassword(board, 'bbs.11', 'alice');
    await eleven?.waitForLog(logged('login failed', { caller: 'alice', failures: 2 }));
    await wrongPassword(board, 'bbs.10', 'alice');
    const locked = await ten?.waitForLog(logged('login locked', { code: 'BBS_ERR_LOGIN_LOCKED', on: 'name', caller: 'alice', failures: 3, remote: '127.0.0.1' }));
    expect(typeof locked?.until).toBe('string');
    expect(JSON.stringify(ten?.records)).not.toContain('not-the-password');
    expect(failuresIn(board)).toMatchObject({ 'name:alice': 3, 'address:127.0.0.1': 3 });

    // Locked: said at the name prompt, and the name asked again; no password prompt.
    const blocked = await dial(board, 'bbs.11');
    const told = await blocked.exchange('alice');
    expect(told.texts.join('')).toMatch(LOCKED);
    expect(told.prompt?.msg).toContain("What's your name?");
    expect(told.prompt?.echo).not.toBe(false);
    blocked.destroy();

    // The right password typed at a prompt opened before the lock: the same words as a wrong one.
    const refused = await early.exchange('alice-pw-1');
    expect(refused.closed).toBe(true);
    expect(refused.texts.join('')).toBe(first);
    expect(failuresIn(board)['name:alice']).toBe(3);

    // The lock lifts by itself: a call then gets the password prompt, and the right one gets in.
    const deadline = Date.now() + 15_000;
    let open: JsonSocketClient | undefined;
    while (open === undefined) {
      expect(Date.now(), 'the lock lifted within 15 s').toBeLessThan(deadline);
      const attempt = await dial(board, 'bbs.10');
      const turn = await attempt.exchange('alice');
      if (turn.prompt?.msg.includes('password') === true) open = attempt;
      else attempt.destroy();
    }
    expect((await open.exchange('alice-pw-1')).prompt?.msg).toContain('Do you want to continue?');
    // The right password forgot the name's failures (not the address's).
    expect(failuresIn(board)['name:alice']).toBeUndefined();
  });

  it('counted once when the call is replayed on another backend during the pause', async () => {
    const board = (bbs = await startTestBbs({ backends: 2, batch: true, handlerArgs: ['--bad-pass-delay-ms', '3000'] }));
    await signUp(board, 'alice', 'alice-pw-1');
    const caller = await dial(board, 'bbs');
    expect((await caller.exchange('alice')).prompt?.msg).toContain('password');
    caller.send('not-the-password');
    // Counted (and journaled in the same commit) on one backend, which dies during the pause.
    const counting = await Promise.race(board.handlers.map(async (handler) => (await handler.waitForLog(logged('login failed', { caller: 'alice', failures: 1 })), handler)));
    // The log line is written inside the commit: the count is stored once another connection sees it.
    await until(async () => failuresIn(board)['name:alice'] === 1 || undefined, 'the failure committed');
    counting.child.kill('SIGKILL');
    await counting.exited;
    const turn = await caller.untilPrompt();
    expect(turn.closed).toBe(true);
    const seen = turn.texts.join('');
    expect(seen).toMatch(/-- line moved to @bbs\.1[01] --/);
    expect(seen.split(BAD_PASS)).toHaveLength(2);
    expect(failuresIn(board)).toMatchObject({ 'name:alice': 1, 'address:127.0.0.1': 1 });
  });

  it('never lock the owner out where they log in from: a name locked by guessing elsewhere lets them in there, and stays locked for the guesser', async () => {
    const board = (bbs = await startTestBbs({ backends: 1, handlerArgs: ['--login-lock-after', '2'], telnetNegotiationMs: 100 }));
    const [ten] = board.handlers;
    await signUp(board, 'alice', 'alice-pw-1');
    // The owner logs in from home, 127.0.0.2 (on Linux all of 127/8 is this host).
    const logInFromHome = async (): Promise<string> => {
      const home = await TelnetCaller.open(board.telnetPort, 'xterm-256color', '127.0.0.2');
      try {
        await home.waitFor("What's your name?");
        await home.type('alice', 'password');
        return await home.type('alice-pw-1', 'Do you want to continue?');
      } finally {
        home.close();
      }
    };
    await logInFromHome();
    await ten?.waitForLog(logged('login', { caller: 'alice', remote: '127.0.0.2' }));

    // Someone else guesses from 127.0.0.1 until the name locks.
    for (let i = 0; i < 2; i++) expect(await wrongPassword(board, 'bbs.10', 'alice')).toContain(BAD_PASS);
    await ten?.waitForLog(logged('login locked', { on: 'name', caller: 'alice', remote: '127.0.0.1' }));
    const guesser = await dial(board, 'bbs.10');
    expect((await guesser.exchange('alice')).texts.join('')).toMatch(LOCKED);

    // The owner at home is asked for the password and gets in; the guesser is still locked out.
    expect(await logInFromHome()).toContain('MOTD');
    const again = await dial(board, 'bbs.10');
    expect((await again.exchange('alice')).texts.join('')).toMatch(LOCKED);
  });

  it('from one address across names lock the address: the next caller from it is told and hung up', async () => {
    const board = (bbs = await startTestBbs({ backends: 1, handlerArgs: ['--login-lock-after', '1'] }));
    const [ten] = board.handlers;
    for (const name of ['anna', 'bert', 'cleo', 'dave']) await signUp(board, name, `${name}-pw-1`);
    for (const name of ['anna', 'bert', 'cleo']) expect(await wrongPassword(board, 'bbs.10', name)).toContain(BAD_PASS);
    await wrongPassword(board, 'bbs.10', 'dave');
    await ten?.waitForLog(logged('login locked', { on: 'address', remote: '127.0.0.1', failures: 4 }));

    const next = await dial(board, 'bbs.10');
    const turn = await next.exchange('somebody');
    expect(turn.closed).toBe(true);
    // Wrapped to the caller's width: any space may be a line break.
    expect(turn.texts.join('')).toMatch(/Too many wrong passwords came from your address: it is locked for \d+\smore\sminutes/);
  });

  it('never lock an address with --login-address-lock-after 0 (a reverse proxy): the next caller from it is asked for a password', async () => {
    const board = (bbs = await startTestBbs({ backends: 1, handlerArgs: ['--login-lock-after', '1', '--login-address-lock-after', '0'] }));
    const [ten] = board.handlers;
    for (const name of ['anna', 'bert', 'cleo', 'dave', 'emil']) await signUp(board, name, `${name}-pw-1`);
    for (const name of ['anna', 'bert', 'cleo', 'dave']) expect(await wrongPassword(board, 'bbs.10', name)).toContain(BAD_PASS);
    await ten?.waitForLog(logged('login locked', { on: 'name', caller: 'dave', remote: '127.0.0.1' }));

    const next = await dial(board, 'bbs.10');
    const turn = await next.exchange('emil');
    expect(turn.closed).toBe(false);
    expect(turn.prompt?.msg).toContain('password');
    expect(ten?.records.some((r) => r.msg === 'login locked' && r['on'] === 'address')).toBe(false);
  });
});
