/**
 * What a JSON-socket connection may hold, and for how long, when it makes no call or the BBS has
 * hung up on it: a client that only pings (they reach no backend on @bbs, so no backend's idle
 * limit applies) is told and closed once --no-call time passes, while a caller at a prompt who
 * pings as a keepalive stays; a caller the BBS hung up on who never closes their side is cut after
 * a short grace; either way the address's place under --max-per-address comes back. A first
 * frame naming `type` twice (a ping by JSON.parse's reading) is answered, never left in silence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { namesKeyTwice } from '../common/json-keys.js';
import { noCallMessage } from '../server/doors/json-socket-door.js';
import { JsonSocketClient, jsonReplies } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { RawConnection } from './support/raw-connection.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const PING = '@bbs {"type":"ping"}\0';
const BAD_MESSAGE = 'The BBS could not read what your terminal sent; it expects {"type":"msg","msg":"a line"}.';
const perAddress = (n: number): string => `Too many callers from your address are logging in at once (${n}); try again in a minute.`;

/** A screen as one line: screens are wrapped to the caller's width. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ');

let bbs: TestBbs | undefined;
const opened: { destroy(): void }[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const connection of opened.splice(0)) connection.destroy();
  await bbs?.close();
  bbs = undefined;
});

/** Sends a ping on `client` every 100 ms, as a client's keepalive, until the test ends. */
function keepPinging(client: JsonSocketClient): void {
  client.sendRaw(PING);
  timers.push(setInterval(() => client.sendRaw(PING), 100));
}

async function open(port: number, localAddress: string): Promise<JsonSocketClient> {
  const client = await JsonSocketClient.open(port, '@bbs', { localAddress });
  opened.push(client);
  return client;
}

describe('a JSON socket that makes no call', () => {
  it('is told and closed when its first message cannot be read (a line over 4,096 bytes), and its address gets its place back', async () => {
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 1 } }));
    const first = await open(b.frontPort, '127.0.0.7');
    first.sendRaw(`@bbs ${JSON.stringify({ type: 'msg', msg: 'x'.repeat(5000) })}\0`);
    await first.closedByServer();
    expect(oneLine(first.heard.map((reply) => reply.msg).join(' '))).toContain('A line of 5000 bytes is more than the 4096 bytes a line may have');
    await until(() => (b.proxy.caps.loggingIn('127.0.0.7') === 0 ? true : undefined), 'the connection to stop counting');
    const next = await open(b.frontPort, '127.0.0.7');
    expect((await next.exchange('connect')).texts.join('\n')).toContain("What's your name?");
  });


  it('is told and closed once the no-call limit passes, pinging or not, and its address gets its places back', async () => {
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 2 }, limits: { noCallTimeoutMs: 500 } }));
    const pingers = [await open(b.frontPort, '127.0.0.6'), await open(b.frontPort, '127.0.0.6')];
    for (const pinger of pingers) keepPinging(pinger);
    await until(() => (b.proxy.caps.loggingIn('127.0.0.6') === 2 ? true : undefined), 'both pingers counted');

    for (const pinger of pingers) {
      await pinger.closedByServer();
      expect(pinger.heard).toEqual([{ type: 'exit', msg: noCallMessage(500) }]);
    }
    // Nothing reached a backend: no line was ever taken.
    expect(b.proxy.switchboard.activeCalls).toBe(0);
    await until(() => (b.proxy.caps.loggingIn('127.0.0.6') === 0 ? true : undefined), 'the pingers to stop counting');
    const next = await open(b.frontPort, '127.0.0.6');
    next.send('connect');
    expect((await next.untilPrompt()).prompt?.msg).toContain("What's your name?");
  });

  it('leaves a caller at a prompt who pings as a keepalive on the line past that limit', async () => {
    const b = (bbs = await startTestBbs({ batch: true, limits: { noCallTimeoutMs: 500 } }));
    const caller = await open(b.frontPort, '127.0.0.7');
    caller.send('connect');
    expect((await caller.untilPrompt()).prompt?.msg).toContain("What's your name?");
    keepPinging(caller);
    // One that only pings, from the same moment: its close says the limit has passed.
    const pinger = await open(b.frontPort, '127.0.0.8');
    keepPinging(pinger);
    await pinger.closedByServer();
    expect(pinger.heard).toEqual([{ type: 'exit', msg: noCallMessage(500) }]);

    expect(caller.heard.some((reply) => reply.type === 'exit')).toBe(false);
    expect((await caller.exchange('keepalive_kate')).prompt?.msg).toMatch(/password/i);
  });

  it('answers a first frame that names "type" twice with the bad-message screen, not silence', async () => {
    const b = (bbs = await startTestBbs({ batch: true, limits: { noCallTimeoutMs: 500 } }));
    const twice = await open(b.frontPort, '127.0.0.9');
    twice.sendRaw('@bbs {"type":"msg","msg":"connect","type":"ping"}\0');
    await twice.hears((reply) => reply.type === 'screen' && oneLine(reply.msg) === BAD_MESSAGE);
    expect(twice.heard[0]?.msg).toMatch(/^ATDT @bbs\.10 \.\.\. CONNECT$/);
    // It began no conversation, and no backend's idle limit could hold it: the backend closes it
    // once it has said so (before the no-call limit would).
    await twice.closedByServer();
    expect(oneLine(twice.heard.at(-1)?.msg ?? '')).toBe(BAD_MESSAGE);

    // At a prompt, the same is unreadable too: said so, and the prompt again.
    const caller = await open(b.frontPort, '127.0.0.9');
    caller.send('connect');
    expect((await caller.untilPrompt()).prompt?.msg).toContain("What's your name?");
    caller.sendRaw('@bbs {"type":"ping","type":"msg","msg":"sneaky"}\0');
    const again = await caller.untilPrompt();
    expect(again.texts.map(oneLine)).toContain(BAD_MESSAGE);
    expect(again.prompt?.msg).toContain("What's your name?");
  });
});

describe('a JSON-socket caller the BBS hung up on who never closes their side', () => {
  it('is cut after a short grace, stops counting against the address, and the next caller from there gets in', async () => {
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 2 } }));
    const lines = ['connect', '!', '!', '!'].map((line) => `@bbs ${JSON.stringify({ type: 'msg', msg: line })}\0`).join('');
    const stubborn = [await RawConnection.open(b.frontPort, '127.0.0.5', true), await RawConnection.open(b.frontPort, '127.0.0.5', true)];
    opened.push(...stubborn);
    for (const connection of stubborn) connection.write(lines);
    for (const connection of stubborn) {
      // The BBS hangs up: its goodbye, then its side of the connection ends.
      await connection.ended;
      expect(jsonReplies(connection.received).at(-1)).toEqual({ type: 'exit', msg: "That's too many tries for one call. Hang up, have a think, and call again." });
    }

    await until(() => (b.proxy.caps.loggingIn('127.0.0.5') === 0 ? true : undefined), 'the hung-up connections to stop counting', 10_000);
    // The proxy's side is gone: what the client sends now is answered with a reset.
    for (const connection of stubborn) await connection.writeUntilClosed('@bbs {"type":"msg","msg":"still here?"}\0');
    const next = await open(b.frontPort, '127.0.0.5');
    next.send('connect');
    expect((await next.untilPrompt()).prompt?.msg).toContain("What's your name?");
    const third = await open(b.frontPort, '127.0.0.5');
    third.send('connect');
    expect((await third.untilPrompt()).prompt?.msg).toContain("What's your name?");
    // Two logging in again: the address is at its cap, as before.
    const refused = await RawConnection.open(b.frontPort, '127.0.0.5');
    refused.write('@bbs {"type":"msg","msg":"connect"}\0');
    await refused.closed;
    expect(jsonReplies(refused.received)).toEqual([{ type: 'exit', msg: perAddress(2) }]);
  });
});

describe('namesKeyTwice', () => {
  it('finds a key named twice at the top level, however spelled, and nothing else', () => {
    expect(namesKeyTwice('{"type":"msg","msg":"connect","type":"ping"}', 'type')).toBe(true);
    expect(namesKeyTwice('{"type":"msg","msg":"x","\\u0074ype":"ping"}', 'type')).toBe(true);
    expect(namesKeyTwice('{"type" : "msg", "type":"msg"}', 'type')).toBe(true);
    expect(namesKeyTwice('{"type":"msg","msg":"connect"}', 'type')).toBe(false);
    // In a value, or in an object further in, it is no key of the message.
    expect(namesKeyTwice('{"type":"msg","msg":"\\"type\\": twice \\"type\\""}', 'type')).toBe(false);
    expect(namesKeyTwice('{"type":"msg","msg":"type","x":{"type":1}}', 'type')).toBe(false);
    expect(namesKeyTwice('{"type":"msg","msg":"\\\\","x":["type","type"]}', 'type')).toBe(false);
  });
});
