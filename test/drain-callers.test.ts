/**
 * Draining a number with callers on it: SIGTERM to its backend (which then tells the proxy it is
 * draining), and the proxy's own drain of one generation of a number. Each caller is handed off at
 * the prompt they are sitting at, goes on on the other line with nothing retyped, and the drained
 * backend exits by itself; with no free line anywhere the drain waits, and says so.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../common/log.js';
import { formatDirectory } from '../server/directory-main.js';
import type { DirectoryEntry } from '../server/line.js';
import type { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import type { Turn } from './support/reply-queue.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

type Record = { readonly msg?: string } & { readonly [field: string]: unknown };

/** A logger for the in-process proxy that keeps every record, and a way to wait for one. */
function capturedLog(): { log: Logger; records: Record[]; waitFor(match: (r: Record) => boolean): Promise<Record> } {
  const records: Record[] = [];
  const watchers = new Set<() => void>();
  const log = createLogger('info', {
    write(line: string) {
      records.push(JSON.parse(line) as Record);
      for (const watch of watchers) watch();
    },
  });
  const waitFor = (match: (r: Record) => boolean): Promise<Record> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = records.find(match);
        if (found === undefined) return;
        watchers.delete(check);
        resolve(found);
      };
      watchers.add(check);
      check();
    });
  return { log, records, waitFor };
}

const everything = (turn: Turn): string => [...turn.texts, turn.prompt?.msg ?? ''].join('\n');

/** Signs a JSON-socket caller up and takes them to the main menu. */
async function signUp(client: JsonSocketClient, name: string, password: string): Promise<void> {
  await client.exchange('connect');
  await client.exchange(name);
  await client.exchange(password);
  await client.exchange('y');
  await client.exchange(password);
  const menu = await client.exchange('');
  expect(everything(menu)).toContain('MAIN MENU');
}


function rows(bbs: TestBbs, sql: string): string[] {
  const db = new Database(bbs.dbFile, { readonly: true });
  try {
    return (db.prepare(sql).all() as { body: string }[]).map((row) => row.body);
  } finally {
    db.close();
  }
}

function entry(bbs: TestBbs, number: string): DirectoryEntry | undefined {
  return bbs.proxy.switchboard.directory().find((n) => n.number === number);
}

const handlerOf = (bbs: TestBbs, number: string): HandlerProcess => bbs.handlers[Number(number.slice('bbs.'.length)) - 10] as HandlerProcess;

describe('draining a number with callers on it', () => {
  let bbs: TestBbs | undefined;
  const open: { close(): void }[] = [];
  afterEach(async () => {
    for (const caller of open.splice(0)) caller.close();
    await bbs?.close();
    bbs = undefined;
  });
  const json = async (route: string): Promise<JsonSocketClient> => {
    const client = await JsonSocketClient.open((bbs as TestBbs).frontPort, route);
    open.push({ close: () => client.destroy() });
    return client;
  };

  it('SIGTERM: callers at the menu, mid-message and mid-mail go on on the other number, and the backend exits', async () => {
    const captured = capturedLog();
    // Three lines a number: the other number filled for a moment steers the second telnet call
    // (the telnet door dials @bbs, free lines first) to the number the first one landed on.
    bbs = await startTestBbs({ backends: 2, batch: true, lines: 3, log: captured.log });
    const board = bbs;
    const telnet = await TelnetCaller.open(board.telnetPort, 'dumb');
    open.push(telnet);
    await telnet.signUpToMenu('drainmenu', 'menu-pw-1');
    const from = /ATDT @(bbs\.1[01]) \.\.\. CONNECT/.exec(telnet.text)?.[1] as string;
    const to = from === 'bbs.10' ? 'bbs.11' : 'bbs.10';
    const fillers = await Promise.all([1, 2, 3].map(() => json(`@${to}`)));
    for (const filler of fillers) await filler.exchange('connect');
    const mailer = await TelnetCaller.open(board.telnetPort, 'dumb');
    open.push(mailer);
    await mailer.signUpToMenu('drainmailer', 'mailer-pw-1');
    expect(mailer.text).toContain(`ATDT @${from} ... CONNECT`);
    for (const filler of fillers) filler.destroy();
    // The proxy says each hang-up once it has freed the line.
    const left = (): Record[] => captured.records.filter((r) => r.msg === 'caller left' && r.backend === to);
    await captured.waitFor(() => left().length === fillers.length);
    expect(entry(board, to)?.inUse).toBe(0);

    const writer = await json(`@${from}`);
    await signUp(writer, 'drainwriter', 'writer-pw-1');
    await writer.exchange('1');
    await writer.exchange('line one');
    await writer.exchange('line two');
    await mailer.type('3', 'Send to whom?');
    await mailer.type('drainmenu', ' 1> ');
    await mailer.type('mail one', ' 2> ');
    expect(entry(board, from)?.inUse).toBe(3);

    const [telnetFrom, mailerFrom] = [telnet.text.length, mailer.text.length];
    const handler = handlerOf(board, from);
    handler.child.kill('SIGTERM');

    // Each was idle at a prompt: handed off at once, the notice, and that prompt again.
    const moved = `-- line moved to @${to} --`;
    const movedPattern = moved.replaceAll('.', '\\.');
    await telnet.waitFor(new RegExp(`${movedPattern}[\\s\\S]*MAIN MENU[\\s\\S]*> $`), telnetFrom);
    await mailer.waitFor(new RegExp(`${movedPattern}\\r\\n 2> $`), mailerFrom);
    const writerMoved = await writer.untilPrompt();
    expect(writerMoved.texts).toContain(moved);
    expect(writerMoved.prompt?.pchar).toBe(' 3> ');

    // The drained backend exits by itself once it holds nobody.
    expect(await handler.exited).toBe(0);

    // Each finishes what it was doing, nothing retyped.
    await writer.exchange('line three');
    expect(everything(await writer.exchange('.'))).toContain('Your message is on the board as number 1.');
    await mailer.type('mail two', ' 3> ');
    expect(await mailer.type('.', 'MAIN MENU')).toContain('Sent to drainmenu.');
    expect(rows(board, 'SELECT body FROM messages ORDER BY id')).toEqual(['line one\nline two\nline three']);
    expect(rows(board, 'SELECT body FROM mail ORDER BY id')).toEqual(['mail one\nmail two']);
    const read = await telnet.type('4', /MAIN MENU[\s\S]*> $/);
    expect(read).toContain('mail one\r\nmail two');

    for (const caller of [telnet, mailer]) {
      expect(caller.text.split(moved)).toHaveLength(2);
      expect(caller.text).not.toContain('NO CARRIER');
    }
    const log = captured.records;
    expect(log.find((r) => r.msg === 'link draining')).toMatchObject({ backend: from, by: 'backend' });
    expect(log.filter((r) => r.msg === 'handed off' && r.reason === 'draining')).toHaveLength(3);
    expect(log.filter((r) => r.msg === 'call moved').every((r) => r.from === from && r.to === to && typeof r.ms === 'number')).toBe(true);
    expect(entry(board, from)).toMatchObject({ up: false, draining: false, inUse: 0 });
    expect(entry(board, to)).toMatchObject({ up: true, draining: false, inUse: 3 });
  });

  it('with no free line anywhere the drain waits, says so once, and moves the caller when a line frees', async () => {
    const captured = capturedLog();
    bbs = await startTestBbs({ backends: 2, batch: true, lines: 1, log: captured.log });
    const board = bbs;
    const staying = await json('@bbs.10');
    await signUp(staying, 'waitstaying', 'staying-pw-1');
    const other = await json('@bbs.11');
    await signUp(other, 'waitother', 'other-pw-1');

    const handler = handlerOf(board, 'bbs.10');
    handler.child.kill('SIGTERM');
    const exitedFirst = handler.exited.then(() => {
      throw new Error(`the draining backend exited before its drain waited: ${JSON.stringify(handler.records.find((r) => r.msg === 'drained'))}`);
    });
    const waits = await Promise.race([captured.waitFor((r) => r.msg === 'drain waits: no free line elsewhere'), exitedFirst]);
    exitedFirst.catch(() => {});
    expect(waits).toMatchObject({ backend: 'bbs.10', waiting: 1 });
    expect(entry(board, 'bbs.10')).toMatchObject({ up: true, draining: true, inUse: 1 });
    expect(formatDirectory(board.proxy.switchboard.directory(), Date.now())).toMatch(/^@bbs\.10\s+draining\s/m);

    // Still served by the draining backend meanwhile, and tried again at each prompt.
    const served = await staying.exchange('2');
    expect(everything(served)).not.toContain('line moved');
    expect(served.prompt).toBeDefined();

    // The other caller hangs up: a line frees, and the waiting caller moves to it.
    other.send('Q');
    await other.closedByServer();
    const moved = await staying.untilPrompt();
    expect(moved.texts).toContain('-- line moved to @bbs.11 --');
    expect(await handler.exited).toBe(0);
    const menu = await staying.exchange('1');
    expect(menu, JSON.stringify(menu)).toMatchObject({ closed: false, prompt: { pchar: ' 1> ' } });
    expect(captured.records.filter((r) => r.msg === 'drain waits: no free line elsewhere')).toHaveLength(1);
  });

  it('callers whose conversations end on the draining backend get their last screen before it goes: not moved, not cut off', async () => {
    const captured = capturedLog();
    bbs = await startTestBbs({ backends: 2, batch: true, log: captured.log, handlerArgs: ['--bad-pass-delay-ms', '1000'] });
    const board = bbs;
    const owner = await json('@bbs.10');
    await signUp(owner, 'endsowner', 'owner-pw-11');
    owner.send('Q');
    await owner.closedByServer();
    const handler = handlerOf(board, 'bbs.10');
    // Each gives a wrong password and sits in the pause before `bad_pass` (not at a prompt) when the drain begins.
    const callers = await Promise.all([1, 2, 3].map(() => json('@bbs.10')));
    for (const [i, caller] of callers.entries()) {
      await caller.exchange('connect');
      await caller.exchange('endsowner');
      caller.send(`wrong-password-${i}`);
    }
    for (let n = 1; n <= callers.length; n++) await handler.waitForLog((r) => r.msg === 'login failed' && r.failures === n);
    handler.child.kill('SIGTERM');

    for (const caller of callers) {
      const last = await caller.untilPrompt();
      expect(last.closed).toBe(true);
      expect(everything(last)).toContain("That's not the right password.");
      expect(everything(last)).not.toContain('line moved');
    }
    expect(await handler.exited).toBe(0);
    expect(captured.records.filter((r) => r.msg === 'line moving' || r.level === 'error')).toEqual([]);
  });

  it('a handed-off caller whose every target answers busy waits on past the move limit while a number is up, and moves to a number added later', async () => {
    const captured = capturedLog();
    // One line a backend, which the proxy is not told: bbs.11 looks free to it and answers busy.
    bbs = await startTestBbs({ backends: 2, batch: true, handlerArgs: ['--max-callers', '1'], limits: { moveTimeoutMs: 300, drainTimeoutMs: 300 }, log: captured.log });
    const board = bbs;
    const staying = await json('@bbs.11');
    await signUp(staying, 'busystaying', 'staying-pw-1');
    const waiting = await json('@bbs.10');
    await signUp(waiting, 'busywaiting', 'waiting-pw-1');
    const dropped = waiting.closedByServer().then(() => {
      throw new Error(`the handed-off caller was dropped: ${JSON.stringify(captured.records.find((r) => r.msg === 'line dropped: no number took the call'))}`);
    });
    dropped.catch(() => {});

    expect(board.proxy.drainLink(board.proxy.backends[0]?.sendSpec as string)).toBe(true);
    // Handed off to bbs.11, which answers busy; past both limits it waits on, as bbs.11 is up.
    const overdue = await Promise.race([captured.waitFor((r) => r.msg === 'handed-off call waits on: every number busy'), dropped]);
    expect(overdue).toMatchObject({ from: 'bbs.10' });
    expect(captured.records.filter((r) => r.msg === 'handed off')).toHaveLength(1);

    // A number added meanwhile takes the call.
    const added = await board.proxy.addLink({ number: 'bbs.12', sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' });
    await board.startHandler(added);
    const moved = await Promise.race([waiting.untilPrompt(), dropped]);
    expect(moved.texts).toContain('-- line moved to @bbs.12 --');
    expect(await waiting.exchange('1')).toMatchObject({ closed: false, prompt: { pchar: ' 1> ' } });
    expect(everything(await staying.exchange('2'))).not.toContain('line moved');
    expect(captured.records.find((r) => r.msg === 'line dropped: no number took the call')).toBeUndefined();
  });

  it('a caller who just typed is handed off at the prompt that answers it: that prompt is held and shown after the move', async () => {
    const captured = capturedLog();
    bbs = await startTestBbs({ backends: 2, batch: true, log: captured.log });
    const board = bbs;
    const telnet = await TelnetCaller.open(board.telnetPort, 'dumb');
    open.push(telnet);
    await telnet.signUpToMenu('heldcaller', 'held-pw-1');
    const from = /ATDT @(bbs\.1[01]) \.\.\. CONNECT/.exec(telnet.text)?.[1] as string;
    const to = from === 'bbs.10' ? 'bbs.11' : 'bbs.10';
    await telnet.type('1', ' 1> ');
    await telnet.type('held one', ' 2> ');
    // The backend stopped for a moment, so the line is in flight (read by the proxy, not yet
    // answered) when the link starts draining (the supervisor's drain-link).
    const handler = handlerOf(board, from);
    handler.child.kill('SIGSTOP');
    open.push({ close: () => handler.child.kill('SIGCONT') });
    const before = telnet.text.length;
    telnet.sendRaw('held two\r\n');
    await telnet.synced();
    expect(board.proxy.drainLink(board.proxy.backends.find((b) => b.number === from)?.sendSpec as string)).toBe(true);
    handler.child.kill('SIGCONT');
    // The prompt answering it is held; the caller sees the notice, then that prompt from the other number.
    const shown = await telnet.waitFor(new RegExp(`-- line moved to @${to.replace('.', '\\.')} --\\r\\n 3> $`), before);
    expect(shown).not.toContain(' 3> \r\n');
    expect(captured.records.filter((r) => r.msg === 'handed off')).toHaveLength(1);
    await telnet.type('held three', ' 4> ');
    expect(await telnet.type('.', 'MAIN MENU')).toContain('Your message is on the board as number 1.');
    expect(rows(board, 'SELECT body FROM messages ORDER BY id')).toEqual(['held one\nheld two\nheld three']);
    expect(entry(board, from)).toMatchObject({ up: true, draining: true, inUse: 0 });
  });

  it('remove-link of a generation whose process still runs: its caller moves to the newest, and the old process is told to let the line go', async () => {
    const captured = capturedLog();
    bbs = await startTestBbs({ backends: 1, batch: true, log: captured.log });
    const board = bbs;
    const caller = await json('@bbs.10');
    await signUp(caller, 'removedcaller', 'removed-pw-1');
    const first = board.proxy.backends[0]?.sendSpec as string;
    const next = await board.proxy.addLink({ number: 'bbs.10', sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' });
    await board.startHandler(next);
    await board.proxy.whenUp('bbs.10');

    const old = board.handlers[0] as HandlerProcess;
    expect(await board.proxy.removeLink(first)).toBe(true);
    expect((await caller.untilPrompt()).texts).toContain('-- line moved to @bbs.10 --');
    // The old process forgets the call (DETACH) rather than holding its line until its idle sweep.
    const closed = await old.waitForLog((r) => r.msg === 'session closed');
    expect(closed).toMatchObject({ reason: 'moved to another connection', live: 0 });
    expect(await caller.exchange('1')).toMatchObject({ closed: false, prompt: { pchar: ' 1> ' } });
    old.child.kill('SIGTERM');
    expect(await old.exited).toBe(0);
    expect(old.records.find((r) => r.msg === 'drained')).toMatchObject({ left: 0 });
  });

  it('a second generation of bbs.10: a named caller on the first moves to it when the first drains, and stays on @bbs.10', async () => {
    const captured = capturedLog();
    bbs = await startTestBbs({ backends: 1, batch: true, log: captured.log });
    const board = bbs;
    const caller = await json('@bbs.10');
    await signUp(caller, 'genwriter', 'gen-pw-1');
    await caller.exchange('1');
    await caller.exchange('gen line one');

    const first = board.proxy.backends[0]?.sendSpec as string;
    const bound = await board.proxy.addLink({ number: 'bbs.10', sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' });
    expect(bound.sendSpec).not.toContain('*');
    await board.startHandler(bound);
    await board.proxy.whenUp('bbs.10');
    expect(entry(board, 'bbs.10')).toMatchObject({ up: true, draining: false, generation: 2, inUse: 1 });

    expect(board.proxy.drainLink(first)).toBe(true);
    const moved = await caller.untilPrompt();
    expect(moved.texts).toContain('-- line moved to @bbs.10 --');
    expect(moved.prompt?.pchar).toBe(' 2> ');
    await caller.exchange('gen line two');
    expect(everything(await caller.exchange('.'))).toContain('Your message is on the board as number 1.');
    expect(rows(board, 'SELECT body FROM messages ORDER BY id')).toEqual(['gen line one\ngen line two']);

    // The old generation holds nobody now: it drains at once and is dropped; bbs.10 stays up.
    const old = board.handlers[0] as HandlerProcess;
    old.child.kill('SIGTERM');
    expect(await old.exited).toBe(0);
    expect(await board.proxy.removeLink(first)).toBe(true);
    expect(board.proxy.backends.map((b) => b.sendSpec)).toEqual([bound.sendSpec]);
    expect(entry(board, 'bbs.10')).toMatchObject({ up: true, draining: false, generation: 2, inUse: 1 });
    expect(captured.records.find((r) => r.msg === 'call moved')).toMatchObject({ from: 'bbs.10', to: 'bbs.10' });

    // New calls to @bbs.10 go to the new generation.
    const later = await json('@bbs.10');
    await signUp(later, 'genlater', 'later-pw-1');
    expect(entry(board, 'bbs.10')?.inUse).toBe(2);

    // A third generation: both callers, one of them moved once already, move again.
    const third = await board.proxy.addLink({ number: 'bbs.10', sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' });
    await board.startHandler(third);
    await board.proxy.whenUp('bbs.10');
    expect(board.proxy.drainLink(bound.sendSpec)).toBe(true);
    for (const client of [caller, later]) expect((await client.untilPrompt()).texts).toContain('-- line moved to @bbs.10 --');
    expect(entry(board, 'bbs.10')).toMatchObject({ up: true, draining: false, generation: 3, inUse: 2 });
    expect(everything(await caller.exchange('2'))).toContain('gen line one\ngen line two');
  });
});
