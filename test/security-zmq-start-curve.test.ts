/**
 * `m2bbs start --zmq curve`: the local backends on loopback tcp:// with CURVE, the keys made by
 * start for the proxy and its local backends in the private 0700 folder (secret certificates
 * 0600). A caller is served; a PULL without keys, and one with a key the proxy never listed, on
 * the requests endpoint fail their handshake and receive nothing; the keys go with the folder
 * when the BBS stops.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { curveKeyPair, Pull } from 'zeromq';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { commandLine, descendants, until } from './support/process-tree.js';

let bbs: HandlerProcess | undefined;
let sockets: Pull[] = [];
afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await bbs?.stop();
  bbs = undefined;
});

/** A PULL of the test process on `endpoint`: resolves once its handshake failed, counts what it received. */
function rogue(pull: Pull, endpoint: string, failure: 'handshake:error:auth' | 'handshake:error:protocol'): { failed: Promise<void>; received: () => number } {
  sockets.push(pull);
  pull.linger = 0;
  const failed = new Promise<void>((resolve) => pull.events.on(failure, () => resolve()));
  let received = 0;
  void (async () => {
    try {
      for await (const _ of pull) received++;
    } catch {
      // Closed at the end of the test.
    }
  })();
  pull.connect(endpoint);
  return { failed, received: () => received };
}

describe('m2bbs start --zmq curve', () => {
  it('serves a caller over CURVE on loopback tcp, while key-less and unlisted PULLs on its endpoint receive nothing; the keys go with the folder', async () => {
    bbs = HandlerProcess.run(['start', '--zmq', 'curve', '--backends', '1', '--log', 'json', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    const http = Number((await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    const ready = await bbs.waitForLog((r) => r.msg === 'proxy ready');
    const [bound] = ready.backends as { sendSpec: string }[];
    const sendSpec = String(bound?.sendSpec);
    expect(sendSpec).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    // The proxy's endpoints and the event bus each say whom they let in (the bus's record says bus).
    expect(await bbs.waitForLog((r) => r.msg === 'CURVE on the tcp:// backend endpoints' && r.bus === undefined)).toMatchObject({ allowed: { 'bbs.10': ['bbs.10/m2bbs-local'] } });
    expect(await bbs.waitForLog((r) => r.msg === 'CURVE on the tcp:// backend endpoints' && r.bus === true)).toMatchObject({ allowed: { bus: ['bbs.10:bbs.10/m2bbs-local'] } });
    expect(await bbs.waitForLog((r) => r.msg === 'handler ready')).toMatchObject({ curve: 'on', sendSpec });

    // The keys are in the private folder the proxy was given, the secret ones the owner's alone.
    const proxyArgs = (descendants(bbs.child.pid ?? 0).map(commandLine).find((line) => line.includes(' proxy ')) ?? '').split(' ');
    const folder = proxyArgs[proxyArgs.indexOf('--endpoint-dir') + 1] ?? '';
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const keys = join(folder, 'keys');
    expect(readdirSync(keys).sort()).toEqual(['clients', 'm2bbs-local.key', 'm2bbs-local.pub', 'proxy.key', 'proxy.pub']);
    for (const secret of ['m2bbs-local.key', 'proxy.key']) expect(statSync(join(keys, secret)).mode & 0o777).toBe(0o600);

    const bare = rogue(new Pull(), sendSpec, 'handshake:error:protocol');
    const stranger = curveKeyPair();
    const proxyPublic = /public-key = "([^"]+)"/.exec(readFileSync(join(keys, 'proxy.pub'), 'utf8'))?.[1] ?? '';
    const unlisted = rogue(new Pull({ curveServerKey: proxyPublic, curvePublicKey: stranger.publicKey, curveSecretKey: stranger.secretKey }), sendSpec, 'handshake:error:auth');
    await Promise.all([bare.failed, unlisted.failed]);
    await bbs.waitForLog((r) => r.msg === 'backend key refused' && r.key === stranger.publicKey);

    for (let i = 0; i < 3; i++) {
      const caller = await JsonSocketClient.open(http);
      try {
        caller.send('connect');
        expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
        expect((await caller.exchange('dora')).prompt?.msg).toBeDefined();
      } finally {
        caller.destroy();
      }
    }
    expect(bare.received() + unlisted.received()).toBe(0);

    bbs.child.kill('SIGTERM');
    expect(await bbs.exited).toBe(0);
    await until(() => (existsSync(folder) ? undefined : true), 'the folder and its keys removed');
  });
});
