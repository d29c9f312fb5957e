import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { encodeClose, encodeReply, isDisconnect } from '../common/mongrel2-wire.js';
import type { Proxy } from '../server/proxy.js';
import type { ForeignHandler } from './support/foreign-handler.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startProxyWithHandler } from './support/proxy-with-handler.js';

/** A caller on @bbs.10 who types `count` lines ahead in one write, so the proxy reads them in one turn. */
async function typeAhead(proxy: Proxy, handler: ForeignHandler, count: number): Promise<string[]> {
  const caller = await JsonSocketClient.open(proxy.front.port, '@bbs.10');
  caller.sendRaw(Array.from({ length: count }, (_, i) => `@bbs.10 ${JSON.stringify({ type: 'msg', msg: `line ${i}` })}\0`).join(''));
  const seen: string[] = [];
  for (let i = 0; i < count; i++) seen.push(JSON.parse((await handler.next((r) => !isDisconnect(r) && r.body.includes('"line '))).body.toString()).msg);
  caller.destroy();
  return seen;
}

const LINES = Array.from({ length: 8 }, (_, i) => `line ${i}`);

describe('any Mongrel2-protocol handler behind the proxy', () => {
  let proxy: Proxy;
  let handler: ForeignHandler;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ proxy, handler, close } = await startProxyWithHandler({ telnetNegotiationMs: 100 }, 2));
  });
  afterAll(() => close());

  it('sends Mongrel2 request frames with the server headers, and replies reach one or many callers', async () => {
    const alice = await JsonSocketClient.open(proxy.front.port, '@bbs.10');
    alice.send('hello');
    const first = await handler.next((r) => !isDisconnect(r));
    expect(first.path).toBe('@bbs.10');
    expect(first.headers).toMatchObject({ PATH: '@bbs.10', METHOD: 'JSON', PATTERN: '@bbs.10', REMOTE_ADDR: '127.0.0.1', DOOR: 'json' });
    expect(JSON.parse(first.body.toString())).toEqual({ type: 'msg', msg: 'hello' });
    const bob = await JsonSocketClient.open(proxy.front.port, '@bbs');
    bob.send('hi');
    const second = await handler.next((r) => !isDisconnect(r));
    expect(second.headers).toMatchObject({ PATH: '@bbs', PATTERN: '@bbs' });
    expect(Number(second.connId)).toBeGreaterThan(Number(first.connId));

    await handler.reply(encodeReply(first.uuid, [first.connId, second.connId], '{"type":"prompt","msg":"to both","pchar":"> "}'));
    expect((await alice.untilPrompt()).prompt?.msg).toBe('to both');
    expect((await bob.untilPrompt()).prompt?.msg).toBe('to both');

    // The handler closes Alice: flushed and closed, and no disconnect comes back for her.
    await handler.reply(encodeReply(first.uuid, [first.connId], '{"type":"exit","msg":"bye"}'));
    await handler.reply(encodeClose(first.uuid, [first.connId]));
    expect(await alice.untilPrompt()).toEqual({ texts: ['bye'], prompt: undefined, closed: true });

    // Bob hangs up himself: the handler hears the @* disconnect for him.
    bob.destroy();
    const gone = await handler.next(isDisconnect);
    expect(gone.connId).toBe(second.connId);
    expect(handler.requests.filter((r) => isDisconnect(r) && r.connId === first.connId)).toEqual([]);

    // Nothing answers on bbs.11: a caller asking for it is told so plainly, and "@bbs" finds bbs.10.
    const toDeadNumber = await JsonSocketClient.open(proxy.front.port, '@bbs.11');
    toDeadNumber.send('connect');
    expect(await toDeadNumber.untilPrompt()).toEqual({ texts: ['@bbs.11 does not answer. Try @bbs for any free line.'], prompt: undefined, closed: true });
    for (let i = 0; i < 5; i++) {
      const anyLine = await JsonSocketClient.open(proxy.front.port, '@bbs');
      anyLine.send('any');
      expect((await handler.next((r) => !isDisconnect(r))).headers.PATTERN).toBe('@bbs');
      anyLine.destroy();
    }

    // A reply to a connection that no longer exists is answered with its disconnect, as Mongrel2 does.
    await handler.reply(encodeReply(first.uuid, ['999'], '{"type":"screen","msg":"anyone?"}'));
    expect((await handler.next((r) => isDisconnect(r) && r.connId === '999')).connId).toBe('999');
  });

  it('gets one request a message, however many arrive at once', async () => {
    expect(await typeAhead(proxy, handler, LINES.length)).toEqual(LINES);
    expect(new Set(handler.partCounts)).toEqual(new Set([1]));
  });
});

describe('an m2bbs backend behind the proxy with --batch-requests', () => {
  it("gets a turn's requests together, one frame a part of one message", async () => {
    const { proxy, handler, close } = await startProxyWithHandler({ telnetNegotiationMs: 100 }, 2, true);
    onTestFinished(close);
    expect(await typeAhead(proxy, handler, LINES.length)).toEqual(LINES);
    expect(handler.partCounts).toEqual([LINES.length]);
  });
});
