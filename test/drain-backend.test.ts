/**
 * Draining a backend (SIGTERM with the journal on): a real `m2bbs handler` process behind a peer
 * that speaks the wire as the m2bbs proxy does (SESSION, SEQ, the DETACH disconnect) on real
 * ZeroMQ. A new call is busy, the proxy hears the draining notice, a caller already on is still
 * served, and once that call is detached the process says `drained` and exits 0.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { backendNoticeOf, encodeDisconnect, encodeRequest, parseReply } from '../common/mongrel2-wire.js';
import { FakeMongrel2, M2_UUID } from './support/fake-mongrel2.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { startTestBbs } from './support/test-bbs.js';

let started: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const s of started.reverse()) await s.stop();
  started = [];
});

/** A peer playing the m2bbs proxy, and a handler process connected to it. */
async function backendBehindPeer(args: readonly string[] = []): Promise<{ peer: FakeMongrel2; handler: HandlerProcess }> {
  const peer = await FakeMongrel2.start();
  started.push({ stop: () => peer.close() });
  const handler = HandlerProcess.start(['--send-spec', peer.sendSpec, '--recv-spec', peer.recvSpec, '--bad-pass-delay-ms', '0', ...args]);
  started.push(handler);
  await handler.ready();
  return { peer, handler };
}

/** One call as the proxy names it: its SESSION, and its inputs numbered from 1. */
class ProxyCall {
  private seq = 0;
  readonly session = randomBytes(16).toString('hex');
  constructor(private readonly peer: FakeMongrel2, readonly connId: string) {}

  async say(msg: string): Promise<void> {
    this.seq++;
    const headers = { PATH: '@bbs', METHOD: 'JSON', PATTERN: '@bbs', URL_SCHEME: 'm2bbs', REMOTE_ADDR: '127.0.0.1', DOOR: 'json', SESSION: this.session, SEQ: String(this.seq) };
    await this.peer.sendRaw(encodeRequest({ uuid: M2_UUID, connId: this.connId, path: '@bbs', headers, body: JSON.stringify({ type: 'msg', msg }) }));
  }

  /** The proxy moving this call here from a backend that went away, with nothing to send again. */
  async moveHere(): Promise<void> {
    const headers = { PATH: '@bbs', METHOD: 'JSON', PATTERN: '@bbs', URL_SCHEME: 'm2bbs', REMOTE_ADDR: '127.0.0.1', DOOR: 'json', SESSION: this.session, SEQ: String(this.seq), RESUME: '1', ACKED: String(this.seq) };
    await this.peer.sendRaw(encodeRequest({ uuid: M2_UUID, connId: this.connId, path: '@bbs', headers, body: JSON.stringify({ type: 'ping' }) }));
  }

  async exchange(msg: string): ReturnType<FakeMongrel2['untilPrompt']> {
    await this.say(msg);
    return this.peer.untilPrompt(this.connId);
  }

  /** The proxy moving this call to another connection: the conversation goes on elsewhere. */
  detach(): Promise<void> {
    return this.peer.sendRaw(encodeDisconnect(M2_UUID, this.connId, { detach: true }));
  }
}

/** The draining notices the peer has heard so far (extended replies to connection 0), as their caller counts. */
function notices(peer: FakeMongrel2): number[] {
  return peer.frames.map((frame) => backendNoticeOf(parseReply(frame))).flatMap((n) => (n?.type === 'draining' ? [n.callers] : []));
}

/** A caller signed up and at the main menu, as the proxy carries them. */
async function signedUp(peer: FakeMongrel2, connId: string, name: string): Promise<ProxyCall> {
  const call = new ProxyCall(peer, connId);
  expect((await call.exchange('connect')).texts.join('\n')).toContain('Welcome to the M2BBS.');
  await call.exchange(name);
  await call.exchange('password1');
  await call.exchange('y');
  await call.exchange('password1');
  expect((await call.exchange('')).prompt?.msg).toContain('MAIN MENU');
  return call;
}

describe('a backend drained by SIGTERM', () => {
  it('answers new calls busy, keeps serving its caller, and exits 0 saying drained once the call is moved away', async () => {
    const { peer, handler } = await backendBehindPeer();
    const alice = await signedUp(peer, '1', 'alice');
    handler.child.kill('SIGTERM');
    // The proxy hears at once that this number is draining, with the one call it still holds.
    expect(await until(() => notices(peer)[0], 'the draining notice')).toBe(1);

    // A new call (a dial-in) is busy and closed, so the proxy's dialler tries another number.
    const bob = new ProxyCall(peer, '2');
    const refused = await bob.exchange('connect');
    expect(refused.closed).toBe(true);
    expect(refused.texts.join('\n')).toContain('Busy: all lines on this number are in use');
    // So is a call moved here from elsewhere (a takeover): the proxy's mover tries another number.
    const moved = new ProxyCall(peer, '3');
    await moved.moveHere();
    const takeover = await peer.untilPrompt('3');
    expect(takeover.closed).toBe(true);
    expect(takeover.texts.join('\n')).toContain('Busy: all lines on this number are in use');

    // The caller already on is still served: the board's first menu entry asks for a message.
    const message = await alice.exchange('1');
    expect(message.closed).toBe(false);
    expect(message.prompt).toBeDefined();
    // The notice is repeated while draining, still with that call.
    await until(() => (notices(peer).length >= 2 ? true : undefined), 'the notice again');
    expect(notices(peer).every((callers) => callers === 1)).toBe(true);

    // The proxy moves the call away: nothing is left here, so the backend exits 0 and says so.
    await alice.detach();
    expect(await handler.waitForMessage('drained')).toMatchObject({ type: 'drained', moved: 1, left: 0 });
    expect(await handler.exited).toBe(0);
    expect(handler.records.find((r) => r.msg === 'drained')).toMatchObject({ moved: 1, left: 0 });
  });

  it('ends the drain with the caller still on when --drain-timeout-ms comes, leaving the conversation for a takeover', async () => {
    const { peer, handler } = await backendBehindPeer(['--drain-timeout-ms', '500']);
    await signedUp(peer, '1', 'carol');
    handler.child.kill('SIGTERM');
    expect(await handler.waitForMessage('drained')).toMatchObject({ moved: 0, left: 1 });
    expect(await handler.exited).toBe(0);
    expect(handler.records.some((r) => typeof r.reason === 'string' && r.reason.includes('left for another backend'))).toBe(true);
  });

  it('ends the drain when the proxy goes away: nobody is left to move the call', async () => {
    const { peer, handler } = await backendBehindPeer(['--log-level', 'debug']);
    await signedUp(peer, '1', 'frank');
    handler.child.kill('SIGTERM');
    await until(() => notices(peer)[0], 'the draining notice');
    await peer.close();
    expect(await handler.waitForMessage('drained')).toMatchObject({ moved: 0, left: 1 });
    expect(await handler.exited).toBe(0);
  });

  it('stops at once on a second SIGTERM, without saying drained', async () => {
    const { peer, handler } = await backendBehindPeer();
    await signedUp(peer, '1', 'dave');
    handler.child.kill('SIGTERM');
    await until(() => notices(peer)[0], 'the draining notice');
    handler.child.kill('SIGTERM');
    expect(await handler.exited).toBe(0);
    expect(handler.messages.some((m) => m.type === 'drained')).toBe(false);
    expect(handler.records.some((r) => r.msg === 'stopping')).toBe(true);
  });

  it('stops at once on SIGINT', async () => {
    const { peer, handler } = await backendBehindPeer();
    await signedUp(peer, '1', 'erin');
    handler.child.kill('SIGINT');
    expect(await handler.exited).toBe(0);
    expect(handler.messages.some((m) => m.type === 'drained')).toBe(false);
    expect(notices(peer)).toEqual([]);
  });

  it('closes at once when it holds only calls behind a real Mongrel2 (no SESSION): those move at their next line by themselves', async () => {
    const { peer, handler } = await backendBehindPeer();
    expect((await peer.exchange('7', 'connect')).texts.join('\n')).toContain('Welcome to the M2BBS.');
    handler.child.kill('SIGTERM');
    expect(await handler.waitForMessage('drained')).toMatchObject({ moved: 0, left: 0 });
    expect(await handler.exited).toBe(0);
  });

  it('stops at once with --journal off: there is nothing another backend could carry on', async () => {
    const { peer, handler } = await backendBehindPeer(['--journal', 'off']);
    expect((await peer.exchange('7', 'connect')).texts.join('\n')).toContain('Welcome to the M2BBS.');
    handler.child.kill('SIGTERM');
    expect(await handler.exited).toBe(0);
    expect(handler.messages.some((m) => m.type === 'drained')).toBe(false);
    expect(notices(peer)).toEqual([]);
  });
});

describe('a backend drained behind the real proxy', () => {
  it('has its caller moved at the prompt by the proxy, then says drained with the call counted as moved and exits 0', async () => {
    const bbs = await startTestBbs({ backends: 2, batch: true });
    started.push({ stop: () => bbs.close() });
    const caller = await JsonSocketClient.open(bbs.frontPort);
    started.push({ stop: async () => caller.destroy() });
    await caller.exchange('connect');
    for (const line of ['gina', 'secret12', 'y', 'secret12']) await caller.exchange(line);
    expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
    const serving = bbs.proxy.switchboard.directory().findIndex((n) => n.inUse > 0);
    const drained = bbs.handlers[serving] as HandlerProcess;

    drained.child.kill('SIGTERM');
    // The caller sitting at the menu is moved at once, with one line, to the other number.
    const moved = await caller.untilPrompt();
    expect(moved.texts[0]).toBe(`-- line moved to @bbs.${10 + 1 - serving} --`);
    expect(moved.prompt?.msg).toContain('MAIN MENU');
    expect(await drained.waitForMessage('drained')).toMatchObject({ backend: `bbs.${10 + serving}`, moved: 1, left: 0 });
    expect(await drained.exited).toBe(0);
    // And goes on there, still logged in.
    expect((await caller.exchange('1')).prompt?.pchar).toBe(' 1> ');
  });
});
