import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { mongrel2TestsRun, RealMongrel2 } from './support/real-mongrel2.js';
import type { Turn } from './support/reply-queue.js';

const available = mongrel2TestsRun('the durable-conversation tests behind a real Mongrel2 are');
const PASSWORD = 'durable-pw-1';

/** Every text and the prompt of a turn, as one string to search. */
function shown(turn: Turn): string {
  return [...turn.texts, turn.prompt?.pchar ?? ''].join('\n');
}

/** Signs `name` up from the dial-in and leaves them at the main menu. */
async function signUp(caller: JsonSocketClient, name: string): Promise<void> {
  expect((await caller.exchange('connect')).prompt?.msg).toContain("What's your name?");
  await caller.exchange(name);
  await caller.exchange(PASSWORD);
  await caller.exchange('y');
  await caller.exchange(PASSWORD);
  expect(shown(await caller.exchange(''))).toContain('MAIN MENU');
}

/** Chooses "leave a message" and types `lines`; resolves at the prompt for the next line. */
async function writeLines(caller: JsonSocketClient, lines: readonly string[]): Promise<Turn> {
  let turn = await caller.exchange('1');
  expect(turn.prompt?.pchar).toBe(' 1> ');
  for (const line of lines) turn = await caller.exchange(line);
  expect(turn.prompt?.pchar).toBe(`${String(lines.length + 1).padStart(2, ' ')}> `);
  return turn;
}

describe.runIf(available)('a conversation behind a real Mongrel2 whose backend process dies', () => {
  let m2: RealMongrel2 | undefined;
  let dir = '';
  const backends: HandlerProcess[] = [];
  const callers: JsonSocketClient[] = [];

  /** Starts an `m2bbs handler` on Mongrel2's endpoints and the shared database. */
  async function startBackend(server: RealMongrel2): Promise<HandlerProcess> {
    const backend = HandlerProcess.start(['--send-spec', server.sendSpec, '--recv-spec', server.recvSpec, '--db', join(dir, 'bbs.db'), '--bad-pass-delay-ms', '0'], { db: false });
    backends.push(backend);
    await backend.ready();
    return backend;
  }

  async function call(server: RealMongrel2): Promise<JsonSocketClient> {
    const caller = await JsonSocketClient.open(server.port);
    callers.push(caller);
    return caller;
  }

  function messagesOnTheBoard(): string[] {
    const db = new Database(join(dir, 'bbs.db'), { readonly: true });
    try {
      return (db.prepare('SELECT body FROM messages ORDER BY id').all() as { body: string }[]).map((row) => row.body);
    } finally {
      db.close();
    }
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-durable-m2-'));
    m2 = await RealMongrel2.start();
  });
  afterEach(async () => {
    for (const caller of callers.splice(0)) caller.destroy();
    await Promise.all(backends.splice(0).map((b) => b.stop()));
    await m2?.stop();
    m2 = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes on with a new backend process: lines typed while none ran are kept, and the message is posted whole, once', async () => {
    const server = m2 as RealMongrel2;
    const first = await startBackend(server);
    const caller = await call(server);
    await signUp(caller, 'm2durable');
    await writeLines(caller, ['line one', 'line two']);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    await server.untilNoHandler();
    // Typed while no backend runs: Mongrel2 holds them for the next handler to connect.
    caller.send('line three');
    caller.send('line four');
    const second = await startBackend(server);
    // The new backend takes the line typed at the prompt the caller was at (that prompt is not
    // shown again: the line answers it), then the next.
    const resumed = await caller.untilPrompt();
    expect(resumed).toEqual({ texts: [''], prompt: { type: 'prompt', caller: 'm2durable', msg: '', pchar: ' 4> ' }, closed: false });
    expect((await caller.untilPrompt()).prompt?.pchar).toBe(' 5> ');
    expect(await second.waitForLog((r) => r.msg === 'conversation taken over')).toMatchObject({ conversation: expect.stringMatching(/^m2\/[0-9a-f-]{36}\/\d+\/\d+$/) });

    const posted = await caller.exchange('.');
    expect(shown(posted)).toContain('Your message is on the board as number 1.');
    expect(shown(posted)).toContain('MAIN MENU');
    expect(messagesOnTheBoard()).toEqual(['line one\nline two\nline three\nline four']);
    // And the caller reads it back, once.
    const read = shown(await caller.exchange('2'));
    expect(read.split('line one\nline two\nline three\nline four')).toHaveLength(2);
  });

  it('after a Mongrel2 restart, a new caller on a reused connection id gets the welcome screen, not the half-written message', async () => {
    const server = m2 as RealMongrel2;
    const backend = await startBackend(server);
    const before = await call(server);
    await signUp(before, 'm2halfway');
    await writeLines(before, ['secret plan', 'part two']);
    const opened = await backend.waitForLog((r) => r.msg === 'session opened');

    await server.restart();
    await before.closedByServer();
    const after = await call(server);
    const welcome = await after.exchange('connect');
    expect(welcome.prompt?.msg).toContain("What's your name?");
    expect(shown(welcome)).toContain('Welcome to the M2BBS.');
    expect(shown(welcome)).not.toContain('secret plan');
    expect(welcome.prompt?.pchar).not.toMatch(/\d> $/);
    const reopened = await backend.waitForLog((r) => r.msg === 'session opened' && r !== opened);
    // The same connection id as the caller before the restart: only the server's epoch tells them apart.
    expect(reopened.conn).toBe(opened.conn);
    expect(reopened.conversation).not.toBe(opened.conversation);
    expect(messagesOnTheBoard()).toEqual([]);
  });

  it('after Mongrel2 and its backend both restart, a new caller on a reused connection id gets the welcome screen', async () => {
    const server = m2 as RealMongrel2;
    const first = await startBackend(server);
    const before = await call(server);
    await signUp(before, 'm2bothgone');
    await writeLines(before, ['private words', 'more of them']);
    const opened = await first.waitForLog((r) => r.msg === 'session opened');

    first.child.kill('SIGKILL');
    await first.exited;
    await server.restart();
    await before.closedByServer();
    const second = await startBackend(server);
    const after = await call(server);
    const welcome = await after.exchange('connect');
    expect(shown(welcome)).toContain('Welcome to the M2BBS.');
    expect(welcome.prompt?.msg).toContain("What's your name?");
    const reopened = await second.waitForLog((r) => r.msg === 'session opened');
    expect(reopened.conn).toBe(opened.conn);
    expect(messagesOnTheBoard()).toEqual([]);
  });
});
