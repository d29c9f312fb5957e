/**
 * The ZAP handler with real CURVE sockets in one context: the allowed key attaches, a wrong key
 * is refused at every try, and the refusals of one key and address are logged once per minute
 * (the count of those left out comes with the next line), so a peer trying again and again with
 * a wrong key cannot flood the log.
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

function client(serverKey: string, keys: { publicKey: string; secretKey: string }, endpoint: string, event: 'handshake' | 'handshake:error:auth'): Promise<void> {
  const pull = new Pull({ curveServerKey: serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey, linger: 0 });
  sockets.push(pull);
  const seen = new Promise<void>((resolve) => pull.events.on(event, () => resolve()));
  pull.connect(endpoint);
  return seen;
}

describe('the ZAP handler', () => {
  it('lets in the listed key, refuses any other every time, and logs one line per key and address per minute', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const server = curveKeyPair();
    const allowed = curveKeyPair();
    const stranger = curveKeyPair();
    zap = await startZapHandler(new Map([[allowed.publicKey, 'bbs20']]), log);
    const push = new Push({ curveServer: true, curveSecretKey: server.secretKey, zapDomain: 'm2bbs', zapEnforceDomain: true, linger: 0 });
    sockets.push(push);
    await push.bind('tcp://127.0.0.1:*');
    const endpoint = push.lastEndpoint ?? '';

    await client(server.publicKey, allowed, endpoint, 'handshake');
    // libzmq does not retry after its key is refused: three sockets with the wrong key, one after another.
    for (let i = 0; i < 3; i++) await client(server.publicKey, stranger, endpoint, 'handshake:error:auth');

    expect(zap.refused).toBe(3);
    const refused = lines.filter((l) => l.msg === 'backend key refused');
    expect(refused).toEqual([expect.objectContaining({ level: 'warn', key: stranger.publicKey, address: '127.0.0.1', alsoRefusedBefore: 0 })]);
    expect(lines.find((l) => l.msg === 'CURVE on the tcp:// backend endpoints')).toMatchObject({ allowed: ['bbs20'] });
  });
});
