/**
 * The ZAP handler with real CURVE sockets in one context: the allowed key attaches, a wrong key
 * is refused at every try, and so are NULL peers and CURVE peers of another ZAP domain; a key is
 * let in only in the domain (the number) it is listed for, never on another number's. Its
 * refusal log stays bounded under a flood (keys cost nothing to make): one line a minute per
 * address, with the keys and tries refused since its last line, and ten lines a minute in all,
 * then one summary line. The minute is the handler's clock, moved by the test; refusals are
 * awaited as the refused sockets' handshake failures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { curveKeyPair, Pull, Push, type Socket } from 'zeromq';
import { createLogger } from '../common/log.js';
import { startZapHandler, type ZapHandler } from '../common/zap-handler.js';

let sockets: Socket[] = [];
let zap: ZapHandler | undefined;
afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await zap?.close();
  zap = undefined;
});

type Event = 'handshake' | 'handshake:error:auth';

function client(serverKey: string, keys: { publicKey: string; secretKey: string }, endpoint: string, event: Event): Promise<void> {
  const pull = new Pull({ curveServerKey: serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey, linger: 0 });
  sockets.push(pull);
  const seen = new Promise<void>((resolve) => pull.events.on(event, () => resolve()));
  // A refused peer's connection is torn down after the refusal: awaited too, so each test ends
  // with nothing of it still in flight.
  const gone = event === 'handshake' ? Promise.resolve() : new Promise<void>((resolve) => pull.events.on('disconnect', () => resolve()));
  pull.connect(endpoint);
  return Promise.all([seen, gone]).then(() => undefined);
}

/** A ZAP handler on a clock the test moves, its log lines, and a CURVE PUSH bound behind it in `domain`. */
async function curveServer(allowed: Map<string, Map<string, string>>, domain = 'bbs.20'): Promise<{ lines: Record<string, unknown>[]; clock: { now: number }; serverKey: string; port: string }> {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const clock = { now: 1_000_000 };
  zap = await startZapHandler(allowed, log, () => clock.now);
  const server = curveKeyPair();
  const push = new Push({ curveServer: true, curveSecretKey: server.secretKey, zapDomain: domain, zapEnforceDomain: true, linger: 0 });
  sockets.push(push);
  await push.bind('tcp://127.0.0.1:*');
  return { lines, clock, serverKey: server.publicKey, port: (push.lastEndpoint ?? '').split(':').pop() ?? '' };
}

describe('the ZAP handler', () => {
  it('lets in the listed key, refuses any other every time, and logs the refusals in one line', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const server = curveKeyPair();
    const allowed = curveKeyPair();
    const stranger = curveKeyPair();
    zap = await startZapHandler(new Map([['bbs.20', new Map([[allowed.publicKey, 'bbs.20']])]]), log);
    const push = new Push({ curveServer: true, curveSecretKey: server.secretKey, zapDomain: 'bbs.20', zapEnforceDomain: true, linger: 0 });
    sockets.push(push);
    await push.bind('tcp://127.0.0.1:*');
    const endpoint = push.lastEndpoint ?? '';

    await client(server.publicKey, allowed, endpoint, 'handshake');
    // libzmq does not retry after its key is refused: three sockets with the wrong key, one after another.
    for (let i = 0; i < 3; i++) await client(server.publicKey, stranger, endpoint, 'handshake:error:auth');

    expect(zap.refused).toBe(3);
    const refused = lines.filter((l) => l.msg === 'backend key refused');
    expect(refused).toEqual([expect.objectContaining({ level: 'warn', code: 'BBS_ERR_CURVE_REFUSED', key: stranger.publicKey, address: '127.0.0.1', keysRefused: 1, triesRefused: 1 })]);
    expect(lines.find((l) => l.msg === 'CURVE on the tcp:// backend endpoints')).toMatchObject({ allowed: { 'bbs.20': ['bbs.20'] } });
  });

  it('logs a flood of new keys from one address as one line a minute, with the keys and tries since its last line', async () => {
    const { lines, clock, serverKey, port } = await curveServer(new Map([['bbs.20', new Map()]]));
    for (let i = 0; i < 20; i++) await client(serverKey, curveKeyPair(), `tcp://127.0.0.1:${port}`, 'handshake:error:auth');
    expect(zap?.refused).toBe(20);
    expect(lines.filter((l) => l.msg === 'backend key refused')).toEqual([expect.objectContaining({ address: '127.0.0.1', keysRefused: 1, triesRefused: 1 })]);

    clock.now += 60_000;
    await client(serverKey, curveKeyPair(), `tcp://127.0.0.1:${port}`, 'handshake:error:auth');
    const refused = lines.filter((l) => l.msg === 'backend key refused');
    expect(refused).toHaveLength(2);
    expect(refused[1]).toMatchObject({ address: '127.0.0.1', keysRefused: 20, triesRefused: 20 });
  });

  it('logs at most ten addresses a minute, then one summary line; the next minute says how many went unlogged', async () => {
    const { lines, clock, serverKey, port } = await curveServer(new Map([['bbs.20', new Map()]]));
    // Each from an address of its own on the loopback net (source;destination).
    for (let i = 2; i < 17; i++) await client(serverKey, curveKeyPair(), `tcp://127.0.0.${i}:0;127.0.0.1:${port}`, 'handshake:error:auth');
    expect(zap?.refused).toBe(15);
    expect(lines.filter((l) => l.msg === 'backend key refused')).toHaveLength(10);
    expect(lines.filter((l) => l.msg === 'backend key refusals: too many addresses to log each')).toEqual([expect.objectContaining({ level: 'warn', code: 'BBS_ERR_CURVE_REFUSED', linesPerMinute: 10 })]);

    clock.now += 60_000;
    await client(serverKey, curveKeyPair(), `tcp://127.0.0.16:0;127.0.0.1:${port}`, 'handshake:error:auth');
    const refused = lines.filter((l) => l.msg === 'backend key refused');
    expect(refused).toHaveLength(11);
    expect(refused[10]).toMatchObject({ address: '127.0.0.16', keysRefused: 2, triesRefused: 2, refusalsNotLoggedBefore: 5 });
  });

  it('refuses a peer without CURVE, and the allowed key on a socket of another ZAP domain', async () => {
    const allowed = curveKeyPair();
    const { lines, serverKey, port } = await curveServer(new Map([['bbs.20', new Map([[allowed.publicKey, 'bbs.20']])]]), 'other');
    await client(serverKey, allowed, `tcp://127.0.0.1:${port}`, 'handshake:error:auth');
    const plain = new Push({ zapDomain: 'bbs.20', zapEnforceDomain: true, linger: 0 });
    sockets.push(plain);
    await plain.bind('tcp://127.0.0.1:*');
    const bare = new Pull({ linger: 0 });
    sockets.push(bare);
    const refused = new Promise<void>((resolve) => bare.events.on('handshake:error:auth', () => resolve()));
    // Its connection torn down too before the test ends, as client() waits for.
    const gone = new Promise<void>((resolve) => bare.events.on('disconnect', () => resolve()));
    // From another address, so the one-line-a-minute rule does not fold it into the first.
    bare.connect(`tcp://127.0.0.3:0;127.0.0.1:${(plain.lastEndpoint ?? '').split(':').pop() ?? ''}`);
    await Promise.all([refused, gone]);
    expect(zap?.refused).toBe(2);
    expect(lines.filter((l) => l.msg === 'backend key refused').map((l) => l.why)).toEqual(['ZAP domain "other" is not a number with CURVE keys', 'not CURVE']);
  });

  it("refuses bbs.20's key on bbs.21's endpoints (the number's own ZAP domain), and logs it, while bbs.21's key attaches there", async () => {
    const bbs20 = curveKeyPair();
    const bbs21 = curveKeyPair();
    const { lines, serverKey, port } = await curveServer(new Map([['bbs.20', new Map([[bbs20.publicKey, 'bbs.20']])], ['bbs.21', new Map([[bbs21.publicKey, 'bbs.21/host-c']])]]), 'bbs.21');
    await client(serverKey, bbs20, `tcp://127.0.0.1:${port}`, 'handshake:error:auth');
    await client(serverKey, bbs21, `tcp://127.0.0.1:${port}`, 'handshake');
    expect(zap?.refused).toBe(1);
    expect(lines.filter((l) => l.msg === 'backend key refused')).toEqual([expect.objectContaining({ code: 'BBS_ERR_CURVE_REFUSED', key: bbs20.publicKey, why: 'key allowed on bbs.20 only, not on bbs.21' })]);
  });

  it('has freed its inproc name when close() resolves: a handler started right after binds it, every time', async () => {
    // libzmq frees the name on its reaper thread, after the close: without waiting for that, about
    // one start in twenty right after a close found the name taken.
    for (let i = 0; i < 300; i++) {
      const handler = await startZapHandler(new Map(), createLogger('silent'));
      await handler.close();
    }
  });
});
