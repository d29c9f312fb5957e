import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeReply, isDisconnect, type Mongrel2Request } from '../common/mongrel2-wire.js';
import type { Proxy } from '../server/proxy.js';
import { ForeignHandler } from './support/foreign-handler.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startProxyWithHandler } from './support/proxy-with-handler.js';

/** The headers README's "The proxy" lists, and no others. */
const DOCUMENTED = ['COLUMNS', 'DOOR', 'METHOD', 'PATH', 'PATTERN', 'REMOTE_ADDR', 'SEQ', 'SESSION', 'URL_SCHEME'];

const isLine = (msg: string) => (r: Mongrel2Request) => !isDisconnect(r) && r.body.toString().includes(`"msg":"${msg}"`);
const msgOf = (r: Mongrel2Request): string => (JSON.parse(r.body.toString()) as { msg: string }).msg;

describe('the SESSION and SEQ headers the proxy sends with every request', () => {
  let proxy: Proxy;
  let bbs10: ForeignHandler;
  let bbs11: ForeignHandler;
  let close: () => Promise<void>;
  const callers: JsonSocketClient[] = [];
  beforeAll(async () => {
    ({ proxy, handler: bbs10, close } = await startProxyWithHandler({}, 2));
    const spec = proxy.backends[1];
    bbs11 = ForeignHandler.connect(spec?.sendSpec ?? '', spec?.recvSpec ?? '');
    await proxy.whenUp('bbs.11');
  });
  afterAll(async () => {
    for (const caller of callers) caller.destroy();
    bbs11?.close();
    await close?.();
  });

  async function call(route: string): Promise<JsonSocketClient> {
    const caller = await JsonSocketClient.open(proxy.front.port, route);
    callers.push(caller);
    return caller;
  }

  it('numbers one call’s requests 1, 2, 3 under one SESSION, with exactly the documented headers', async () => {
    const alice = await call('@bbs.10');
    const sent = ['one', 'two', 'three'];
    const seen: Mongrel2Request[] = [];
    for (const msg of sent) {
      alice.send(msg);
      seen.push(await bbs10.next(isLine(msg)));
    }
    expect(seen.map(msgOf)).toEqual(sent);
    expect(seen.map((r) => r.headers.SEQ)).toEqual(['1', '2', '3']);
    const [session] = seen.map((r) => r.headers.SESSION);
    expect(session).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.map((r) => r.headers.SESSION)).toEqual([session, session, session]);
    for (const r of seen) expect(Object.keys(r.headers).sort()).toEqual(DOCUMENTED);
    expect(seen[0]?.headers).toMatchObject({ PATH: '@bbs.10', METHOD: 'JSON', PATTERN: '@bbs.10', URL_SCHEME: 'm2bbs', REMOTE_ADDR: '127.0.0.1', DOOR: 'json', COLUMNS: '80' });

    // A caller who goes away: the @* disconnect is as Mongrel2 sends it, with no SESSION or SEQ.
    alice.destroy();
    const gone = await bbs10.next((r) => isDisconnect(r) && r.connId === seen[0]?.connId);
    expect(gone.headers).toEqual({ METHOD: 'JSON' });
  });

  it('gives two calls different SESSION ids, each starting again at SEQ 1', async () => {
    const bob = await call('@bbs.10');
    const carol = await call('@bbs.10');
    bob.send('from bob');
    carol.send('from carol');
    const fromBob = await bbs10.next(isLine('from bob'));
    const fromCarol = await bbs10.next(isLine('from carol'));
    expect(fromBob.headers.SEQ).toBe('1');
    expect(fromCarol.headers.SEQ).toBe('1');
    expect(fromBob.headers.SESSION).toMatch(/^[0-9a-f]{32}$/);
    expect(fromCarol.headers.SESSION).toMatch(/^[0-9a-f]{32}$/);
    expect(fromBob.headers.SESSION).not.toBe(fromCarol.headers.SESSION);
  });

  it('keeps the SESSION when a busy number makes the proxy redial, and SEQ counts what the caller typed', async () => {
    const dave = await call('@bbs');
    // Typed before any number answers: the proxy holds the second and third lines until one does.
    dave.send('first');
    dave.send('second');
    dave.send('third');
    // Either number may be dialled first; a `next` left waiting on the other would take its request.
    while (![bbs10, bbs11].some((h) => h.requests.some(isLine('first')))) await new Promise<void>((resolve) => setImmediate(resolve));
    const busyOne = bbs10.requests.some(isLine('first')) ? bbs10 : bbs11;
    const atBusy = await busyOne.next(isLine('first'));
    const other = busyOne === bbs10 ? bbs11 : bbs10;
    expect(atBusy.headers).toMatchObject({ PATH: '@bbs', PATTERN: '@bbs', SEQ: '1' });
    await busyOne.reply(encodeReply(atBusy.uuid, [atBusy.connId], '{"type":"busy","msg":"busy here"}'));

    const redialled = await other.next(isLine('first'));
    expect(redialled.connId).not.toBe(atBusy.connId);
    expect(redialled.headers.SESSION).toBe(atBusy.headers.SESSION);
    expect(redialled.headers.SEQ).toBe('1');
    await other.reply(encodeReply(redialled.uuid, [redialled.connId], '{"type":"prompt","msg":"hello","pchar":"> "}'));
    const turn = await dave.untilPrompt();
    const [busyNumber, otherNumber] = busyOne === bbs10 ? ['@bbs.10', '@bbs.11'] : ['@bbs.11', '@bbs.10'];
    expect(turn.texts.filter((t) => t.startsWith('ATDT'))).toEqual([`ATDT ${busyNumber} ... BUSY`, `ATDT ${otherNumber} ... CONNECT`]);
    expect(turn.prompt?.msg).toBe('hello');

    const held = [await other.next(isLine('second')), await other.next(isLine('third'))];
    dave.send('fourth');
    const after = await other.next(isLine('fourth'));
    const rest = [...held, after];
    expect(rest.map((r) => r.headers.SEQ)).toEqual(['2', '3', '4']);
    expect(rest.map((r) => r.headers.SESSION)).toEqual([atBusy.headers.SESSION, atBusy.headers.SESSION, atBusy.headers.SESSION]);
    for (const r of [atBusy, redialled, ...rest]) expect(Object.keys(r.headers).sort()).toEqual(DOCUMENTED);
    // The busy number never saw anything after the first line.
    expect(busyOne.requests.filter((r) => !isDisconnect(r) && r.headers.SESSION === atBusy.headers.SESSION)).toEqual([]);
  });
});
