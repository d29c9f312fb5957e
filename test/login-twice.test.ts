/**
 * The same caller logged in twice, against a real BBS (the proxy, `m2bbs handler` processes on one
 * SQLite file): the second login takes over. The first line is told and closed, its conversation
 * ended; the second is told and carries on. With journaling on or off, and a call moved from a
 * killed backend is the same line (not a second login), even when it is the one taken over.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { mongrel2TestsRun, RealMongrel2 } from './support/real-mongrel2.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const TAKEN_OVER = 'You have logged in on another line; this line is closed.';
const OTHER_ENDED = 'If you were logged in on another line, that call has been ended.';
const DRAFT_NOT_POSTED = 'What you were writing was not posted; it is kept for your next call.';
const MOVED = /-- line moved to @bbs\.1[0-2] --/;

let bbs: TestBbs | undefined;
const lines: { close(): void }[] = [];
afterEach(async () => {
  lines.splice(0).forEach((line) => line.close());
  await bbs?.close();
  bbs = undefined;
});

/** The number serving the only call in progress. */
function servingNumber(board: TestBbs): string {
  const serving = board.proxy.switchboard.directory().filter((n) => n.inUse > 0);
  expect(serving).toHaveLength(1);
  return serving[0]?.number ?? '';
}

function handlerOf(board: TestBbs, number: string): HandlerProcess {
  return board.handlers[Number(number.slice('bbs.'.length)) - 10] as HandlerProcess;
}

async function kill(handler: HandlerProcess): Promise<void> {
  handler.child.kill('SIGKILL');
  await handler.exited;
}

async function telnetAtMenu(board: TestBbs, name: string, password: string): Promise<TelnetCaller> {
  const telnet = await TelnetCaller.open(board.telnetPort, 'dumb');
  lines.push(telnet);
  await telnet.signUpToMenu(name, password);
  return telnet;
}

/** Logs in as `name` over a JSON socket on `route`; returns the caller and what they saw up to the MOTD. */
async function jsonLogIn(board: TestBbs, route: string, name: string, password: string): Promise<{ caller: JsonSocketClient; seen: string }> {
  const caller = await JsonSocketClient.open(board.frontPort, route);
  lines.push({ close: () => caller.destroy() });
  caller.send('connect');
  await caller.untilPrompt();
  await caller.exchange(name);
  const turn = await caller.exchange(password);
  expect(turn.prompt?.msg).toContain('Do you want to continue?');
  return { caller, seen: turn.texts.join('') };
}

function query<T>(board: TestBbs, sql: string): T[] {
  const db = new Database(board.dbFile, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('the same caller logged in twice', () => {
  it.each(['on', 'off'])('with --journal %s: the first line is told and closed, the second told and carries on', async (journal) => {
    const board = (bbs = await startTestBbs({ backends: 2, batch: true, handlerArgs: ['--journal', journal] }));
    const telnet = await telnetAtMenu(board, 'alice', 'alice-pw-1');
    const first = servingNumber(board);
    const other = first === 'bbs.10' ? 'bbs.11' : 'bbs.10';
    const from = telnet.text.length;

    const { caller, seen } = await jsonLogIn(board, `@${other}`, 'alice', 'alice-pw-1');
    expect(seen).toContain(OTHER_ENDED);
    await telnet.waitFor(TAKEN_OVER, from);
    await telnet.whenClosed();
    expect(telnet.text.slice(from)).not.toContain('MAIN MENU');

    // The second carries on at the menu.
    expect((await caller.exchange('y')).prompt?.msg).toContain('MAIN MENU');
    await handlerOf(board, first).waitForLog((record) => record.msg === 'line hung up by order' && record.code === 'BBS_ERR_LINE_HUNG_UP' && record.caller === 'alice');
    const orders = query<{ reason: string; done: number }>(board, 'SELECT reason, done_at IS NOT NULL AS done FROM hang_up_orders');
    expect(orders).toEqual([{ reason: 'logged_in_elsewhere', done: 1 }]);
    if (journal === 'on') {
      // The first conversation is closed (never resumed by a later move); the second is open.
      expect(query<{ open: number }>(board, 'SELECT count(*) AS open FROM conversations WHERE closed_at IS NULL')).toEqual([{ open: 1 }]);
    }
  });

  it('a caller taken over while writing a message is shown what they had written, after the notice, and nothing is posted', async () => {
    const board = (bbs = await startTestBbs({ backends: 2, batch: true }));
    const telnet = await telnetAtMenu(board, 'alice', 'alice-pw-1');
    await telnet.type('1', ' 1> ');
    await telnet.type('The first line of my story,', ' 2> ');
    await telnet.type('and the second one.', ' 3> ');
    const from = telnet.text.length;

    const { seen } = await jsonLogIn(board, '@bbs', 'alice', 'alice-pw-1');
    expect(seen).toContain(OTHER_ENDED);
    await telnet.whenClosed();
    const told = telnet.text.slice(from);
    const notice = told.indexOf(TAKEN_OVER);
    const draft = told.indexOf(DRAFT_NOT_POSTED);
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(draft).toBeGreaterThan(notice);
    expect(told.slice(draft)).toMatch(/The first line of my story,\r?\nand the second one\./);
    expect(query(board, 'SELECT id FROM messages')).toEqual([]);
  });

  it('a call moved from a killed backend is the same line; taken over there, and the replay after another kill orders nothing again', async () => {
    const board = (bbs = await startTestBbs({ backends: 3, batch: true }));
    const telnet = await telnetAtMenu(board, 'alice', 'alice-pw-1');
    const first = servingNumber(board);
    let from = telnet.text.length;
    await kill(handlerOf(board, first));
    await telnet.waitFor(MOVED, from);
    expect(await telnet.type('2', 'MAIN MENU')).not.toContain(TAKEN_OVER);
    expect(query(board, 'SELECT id FROM hang_up_orders')).toEqual([]);

    // A second login, on any free line, takes over the moved line.
    from = telnet.text.length;
    const { caller, seen } = await jsonLogIn(board, '@bbs', 'alice', 'alice-pw-1');
    expect(seen).toContain(OTHER_ENDED);
    await telnet.waitFor(TAKEN_OVER, from);
    await telnet.whenClosed();

    // The second line's backend dies after the login: replayed elsewhere, it orders nothing again.
    const second = board.handlers.find((h) => h.records.some((record) => record.msg === 'caller logged in on another line: the other is ordered hung up')) as HandlerProcess;
    await kill(second);
    // Moved with nothing typed: the notice and the MOTD again, not the notice of a takeover.
    const turn = await caller.untilPrompt();
    expect(turn.texts.join('')).toMatch(MOVED);
    expect(turn.texts.join('')).not.toContain(OTHER_ENDED);
    expect((await caller.exchange('y')).prompt?.msg).toContain('MAIN MENU');
    expect(query<{ n: number }>(board, 'SELECT count(*) AS n FROM hang_up_orders')).toEqual([{ n: 1 }]);
  });
});

describe.runIf(mongrel2TestsRun('the second-login test behind a real Mongrel2 is'))('the same caller logged in twice behind a real Mongrel2', () => {
  let m2: RealMongrel2 | undefined;
  let backend: HandlerProcess | undefined;
  let dir = '';
  afterEach(async () => {
    await backend?.stop();
    await m2?.stop();
    backend = undefined;
    m2 = undefined;
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it.each(['on', 'off'])('with --journal %s: the first connection is told and closed, the second carries on', async (journal) => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-twice-m2-'));
    const server = (m2 = await RealMongrel2.start());
    backend = HandlerProcess.start(['--send-spec', server.sendSpec, '--recv-spec', server.recvSpec, '--db', join(dir, 'bbs.db'), '--bad-pass-delay-ms', '0', '--journal', journal], { db: false });
    await backend.ready();
    const first = await JsonSocketClient.open(server.port);
    lines.push({ close: () => first.destroy() });
    expect((await first.exchange('connect')).prompt?.msg).toContain("What's your name?");
    await first.exchange('alice');
    await first.exchange('alice-pw-1');
    await first.exchange('y');
    expect((await first.exchange('alice-pw-1')).prompt?.msg).toContain('Do you want to continue?');

    const second = await JsonSocketClient.open(server.port);
    lines.push({ close: () => second.destroy() });
    expect((await second.exchange('connect')).prompt?.msg).toContain("What's your name?");
    await second.exchange('alice');
    const turn = await second.exchange('alice-pw-1');
    expect(turn.texts.join('')).toContain(OTHER_ENDED);
    expect(turn.prompt?.msg).toContain('Do you want to continue?');

    const told = await first.untilPrompt();
    expect(told.texts.join('')).toContain(TAKEN_OVER);
    expect(told.closed).toBe(true);
    expect((await second.exchange('y')).prompt?.msg).toContain('MAIN MENU');
  });
});
