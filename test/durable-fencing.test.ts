/**
 * Two backends driving one conversation (a slow backend thought dead comes back): real
 * `m2bbs handler` processes A and B on one SQLite file, each behind its own test server speaking
 * the Mongrel2 wire over real ZeroMQ, as two numbers of the m2bbs proxy are. The same call (one
 * SESSION) is served by A, then moved to B on a newer connection id; A, still holding it in
 * memory, must neither write nor reply, and says so in its log. A stale line on an older
 * connection id takes nothing over.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRequest, parseReply } from '../common/mongrel2-wire.js';
import { FakeMongrel2, M2_UUID } from './support/fake-mongrel2.js';
import { HandlerProcess } from './support/handler-process.js';

let servers: FakeMongrel2[] = [];
let handlers: HandlerProcess[] = [];
let sysop: Database.Database | undefined;
let dir = '';

afterEach(async () => {
  sysop?.close();
  sysop = undefined;
  await Promise.all(handlers.map((h) => h.stop()));
  await Promise.all(servers.map((s) => s.close()));
  [handlers, servers] = [[], []];
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** A test server and an `m2bbs handler` named `name` behind it, on the shared board `db`. */
async function numberOn(db: string, name: string): Promise<{ server: FakeMongrel2; handler: HandlerProcess }> {
  const server = await FakeMongrel2.start();
  servers.push(server);
  const handler = HandlerProcess.start(['--name', name, '--send-spec', server.sendSpec, '--recv-spec', server.recvSpec, '--db', db, '--bad-pass-delay-ms', '0'], { db: false });
  handlers.push(handler);
  await handler.ready();
  return { server, handler };
}

/** One call as the m2bbs proxy names it: SESSION for good, SEQ counting the caller's inputs. */
class Call {
  readonly session = randomBytes(16).toString('hex');
  seq = 0;

  /** Sends a line on `connId` of `server` as input number `seq` (the next one unless told). */
  async say(server: FakeMongrel2, connId: string, msg: string, more: Record<string, string> = {}, seq = ++this.seq): Promise<void> {
    await this.send(server, connId, JSON.stringify({ type: 'msg', msg }), { SEQ: String(seq), ...more });
  }

  /** A call moved here with nothing typed since its last prompt: asks for that prompt again. */
  async resume(server: FakeMongrel2, connId: string): Promise<void> {
    await this.send(server, connId, JSON.stringify({ type: 'ping' }), { RESUME: '1', ACKED: String(this.seq) });
  }

  private async send(server: FakeMongrel2, connId: string, body: string, more: Record<string, string>): Promise<void> {
    const headers = { PATH: '@bbs', METHOD: 'JSON', PATTERN: '@bbs', REMOTE_ADDR: '127.0.0.1', SESSION: this.session, ...more };
    await server.sendRaw(encodeRequest({ uuid: M2_UUID, connId, path: '@bbs', headers, body }));
  }
}

/** Types lines one by one on `connId`, each answered with a prompt; returns the last prompt's pchar. */
async function typeAll(server: FakeMongrel2, call: Call, connId: string, lines: readonly string[]): Promise<string> {
  let last = '';
  for (const line of lines) {
    await call.say(server, connId, line);
    const turn = await server.untilPrompt(connId);
    expect(turn.closed, `after "${line}"`).toBe(false);
    last = turn.prompt?.type === 'prompt' ? turn.prompt.pchar : '';
  }
  return last;
}

describe('two backends and one conversation', () => {
  it('the owner fenced out by a takeover neither posts nor replies, and its log says it was taken over', async () => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-fencing-'));
    const db = join(dir, 'bbs.db');
    const a = await numberOn(db, 'bbs.10');
    const b = await numberOn(db, 'bbs.11');
    const call = new Call();

    await call.say(a.server, '5', 'connect');
    expect((await a.server.untilPrompt('5')).prompt?.msg).toBe("What's your name? (new callers: pick one)");
    expect(await typeAll(a.server, call, '5', ['alice', 'secret12', 'y', 'secret12', '', '1', 'line one', 'line two'])).toBe(' 3> ');

    // The proxy thought A dead and moved the call to B, on a newer connection: B rebuilds it.
    await call.resume(b.server, '9');
    const moved = await b.server.untilPrompt('9');
    expect(moved.prompt).toMatchObject({ type: 'prompt', pchar: ' 3> ' });
    expect(moved.texts.join('\n')).not.toContain('Welcome');

    // A comes back and gets the caller's "." on its old connection: it would post the message.
    const aFrames = a.server.frames.length;
    const logged = a.handler.records.length;
    await call.say(a.server, '5', '.', {}, call.seq + 1);
    const taken = await a.handler.waitForLog((r) => String(r.msg).startsWith('conversation taken over by another backend'), logged);
    expect(taken).toMatchObject({ conversation: call.session, conn: '5' });
    // Nothing was posted: the write was refused together with its journal row.
    sysop = new Database(db, { readonly: true });
    expect(sysop.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    // A new caller on A is answered, so anything A sent the old connection before it has come too.
    await call.say(a.server, '6', 'connect', { SESSION: randomBytes(16).toString('hex') }, 1);
    expect((await a.server.untilPrompt('6')).prompt?.msg).toBe("What's your name? (new callers: pick one)");
    expect(a.server.frames.slice(aFrames).map(parseReply).filter((r) => r.connIds.includes('5'))).toEqual([]);

    // B, the owner, is the one that posts the message, once, as alice.
    await call.say(b.server, '9', '.', {}, call.seq + 1);
    const posted = await b.server.untilPrompt('9');
    expect(posted.texts.join('\n')).toContain('Your message is on the board as number 1.');
    expect(sysop.prepare('SELECT m.body, c.name FROM messages m JOIN callers c ON c.id = m.author_id').all()).toEqual([{ body: 'line one\nline two', name: 'alice' }]);
    expect(sysop.prepare('SELECT epoch, owner FROM conversations WHERE id = ?').get(call.session)).toMatchObject({ epoch: 2, owner: expect.stringMatching(/^bbs\.11 pid \d+$/) });
  });

  it('a stale line on an older connection than the owner\'s takes nothing over: it is dropped, and the owner goes on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-fencing-'));
    const db = join(dir, 'bbs.db');
    const a = await numberOn(db, 'bbs.10');
    const b = await numberOn(db, 'bbs.11');
    const call = new Call();

    await call.say(b.server, '9', 'connect');
    await b.server.untilPrompt('9');
    await typeAll(b.server, call, '9', ['alice', 'secret12', 'y', 'secret12', '', '1', 'line one']);
    sysop = new Database(db, { readonly: true });
    const before = sysop.prepare('SELECT epoch, owner, next_n FROM conversations WHERE id = ?').get(call.session);

    // A line queued for A before the call moved on, reaching A (restarted) with its old connection id.
    const logged = a.handler.records.length;
    await call.say(a.server, '4', 'line from the past', { RESUME: '1', ACKED: '1' }, 2);
    const dropped = await a.handler.waitForLog((r) => /stale line/.test(String(r.msg)), logged);
    expect(dropped).toMatchObject({ conversation: call.session, conn: '4' });
    expect(sysop.prepare('SELECT epoch, owner, next_n FROM conversations WHERE id = ?').get(call.session)).toEqual(before);
    // A hangs up on that old connection without a word.
    const old = await a.server.untilPrompt('4');
    expect(old).toEqual({ texts: [], prompt: undefined, closed: true });

    // The owner is untouched: the message it holds goes on and is posted whole.
    expect(await typeAll(b.server, call, '9', ['line two'])).toBe(' 3> ');
    await call.say(b.server, '9', '.');
    expect((await b.server.untilPrompt('9')).texts.join('\n')).toContain('Your message is on the board as number 1.');
    expect(sysop.prepare('SELECT body FROM messages').pluck().all()).toEqual(['line one\nline two']);
    expect(b.handler.records.some((r) => String(r.msg).startsWith('conversation taken over by another backend'))).toBe(false);
  });
});
