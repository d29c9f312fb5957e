/**
 * Two hosts simulated on loopback with CURVE: the proxy's tcp:// endpoints take only backends
 * whose public key is in --curve-clients. A backend with an allowed key attaches and serves a
 * caller end to end; a backend with a wrong key and a socket with no key cannot attach (the proxy
 * logs the refused key, the rogue's monitor sees its handshake fail), no caller is dialled to them,
 * and a plain PULL without keys receives no request. A key is allowed on its own number only:
 * bbs.20's key on bbs.21's endpoints is refused and logged, and receives no caller of @bbs.21.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Pull, Publisher, type Socket } from 'zeromq';
import { readCert } from '../common/curve-cert.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { untilShown } from './support/started-bbs.js';

let processes: HandlerProcess[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await Promise.all(processes.map((p) => p.stop()));
  processes = [];
});

function keys(dir: string, name: string): { key: string; pub: string; publicKey: string } {
  const made = spawnSync(process.execPath, [join(import.meta.dirname, '../bin/m2bbs.js'), 'keys', name, '--dir', dir], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  const key = join(dir, `${name}.key`);
  const read = readCert('test', key, 'secret');
  if (!('cert' in read)) throw new Error(read.problem);
  return { key, pub: join(dir, `${name}.pub`), publicKey: read.cert.publicKey };
}

/** A socket of the test process connected to `endpoint`, with a monitor event to wait for and a count of what it received. */
function rogue<S extends Pull | Publisher>(socket: S, endpoint: string, failure: 'handshake:error:auth' | 'handshake:error:protocol'): { failed: Promise<void>; received: () => number } {
  sockets.push(socket);
  socket.linger = 0;
  const failed = new Promise<void>((resolve) => socket.events.on(failure, () => resolve()));
  let received = 0;
  if (socket instanceof Pull) {
    void (async () => {
      try {
        for await (const _ of socket) received++;
      } catch {
        // Closed at the end of the test.
      }
    })();
  }
  socket.connect(endpoint);
  return { failed, received: () => received };
}

describe('CURVE between the proxy and backends on other hosts', () => {
  it('lets in the backend whose key is allowed and no other; a caller is served by that one only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-curve-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const proxyKeys = keys(dir, 'proxy');
    const good = keys(dir, 'good');
    const bad = keys(dir, 'bad');
    mkdirSync(join(dir, 'backends'));
    copyFileSync(good.pub, join(dir, 'backends', 'bbs.20.pub'));

    const proxy = HandlerProcess.run(['proxy', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--batch-requests', '--lines', '5', '--backend', 'bbs.20=tcp://127.0.0.1:*,tcp://127.0.0.1:*', '--curve-key', proxyKeys.key, '--curve-clients', join(dir, 'backends')]);
    processes.push(proxy);
    const ready = await proxy.waitForLog((r) => r.msg === 'proxy ready');
    const http = Number(/:(\d+)\/$/.exec(String(ready.http))?.[1]);
    const [bound] = ready.backends as { sendSpec: string; recvSpec: string }[];
    const sendSpec = String(bound?.sendSpec);
    const recvSpec = String(bound?.recvSpec);
    expect(sendSpec).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);

    // A backend process with a key the proxy does not know: refused, and the proxy says which key.
    const wrong = HandlerProcess.start(['--name', 'bbs.20', '--send-spec', sendSpec, '--recv-spec', recvSpec, '--curve-key', bad.key, '--curve-server', proxyKeys.pub]);
    processes.push(wrong);
    await wrong.ready();
    const refusal = await proxy.waitForLog((r) => r.msg === 'backend key refused' && r.key === bad.publicKey);
    expect(refusal).toMatchObject({ level: 'warn', address: '127.0.0.1' });
    // Sockets with the wrong key, and with no key at all, fail their handshake.
    const badPull = rogue(new Pull({ curveServerKey: proxyKeys.publicKey, curvePublicKey: bad.publicKey, curveSecretKey: readSecret(bad.key) }), sendSpec, 'handshake:error:auth');
    const bareSub = rogue(new Publisher(), recvSpec, 'handshake:error:protocol');
    const barePull = rogue(new Pull(), sendSpec, 'handshake:error:protocol');
    await Promise.all([badPull.failed, barePull.failed, bareSub.failed]);

    // Nobody it let in: the number is down, and a caller dialling it is not served.
    expect((await untilShown(http, 'bbs.20', false)).up).toBe(false);
    const early = await JsonSocketClient.open(http, '@bbs.20');
    early.send('connect');
    const told = await early.untilPrompt().catch(() => undefined);
    await early.closedByServer();
    expect(JSON.stringify(told ?? {})).not.toContain('Welcome to the M2BBS.');

    // The backend with the allowed key attaches and serves a caller end to end.
    const right = HandlerProcess.start(['--name', 'bbs.20', '--send-spec', sendSpec, '--recv-spec', recvSpec, '--curve-key', good.key, '--curve-server', proxyKeys.pub]);
    processes.push(right);
    await right.ready();
    await untilShown(http, 'bbs.20', true);
    const caller = await JsonSocketClient.open(http, '@bbs.20');
    try {
      caller.send('connect');
      const welcome = await caller.untilPrompt();
      expect(welcome.texts.join('\n')).toContain('Welcome to the M2BBS.');
      await caller.exchange('dora');
      await caller.exchange('Pw-dora-8820');
      await caller.exchange('y');
      await caller.exchange('Pw-dora-8820');
      expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
      expect((await caller.exchange('Q')).texts.join('\n')).toContain('see ya later, dora');
    } finally {
      caller.destroy();
    }
    // Every request went to the backend let in: the handler with the wrong key served none.
    expect(badPull.received() + barePull.received()).toBe(0);
    expect(wrong.records.filter((r) => r.msg === 'caller connected' || r.conn !== undefined)).toEqual([]);
  });
});

describe('m2bbs start with a backend on another host', () => {
  it('binds the remote number over CURVE (keys by environment) next to the local one on ipc; the remote backend attaches, and callers dialling either number are served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-curve-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const proxyKeys = keys(dir, 'proxy');
    const remote = keys(dir, 'bbs20');
    mkdirSync(join(dir, 'backends'));
    copyFileSync(remote.pub, join(dir, 'backends', 'bbs.20.pub'));
    const [send, recv] = await Promise.all([freePort(), freePort()]);
    // The keys by environment: the local backend, which inherits it, must not take the proxy's key as its own.
    const bbs = HandlerProcess.run(['start', '--log', 'json', '--backends', '1', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', '--remote-backend', `bbs.20=tcp://127.0.0.1:${send},tcp://127.0.0.1:${recv}`], { M2BBS_CURVE_KEY: proxyKeys.key, M2BBS_CURVE_CLIENTS: join(dir, 'backends') });
    processes.push(bbs);
    const banner = (await bbs.waitForStdout(/Ctrl-C stops everything\./)).input;
    expect(banner).toContain(`bbs.20 waits for its backend on tcp://127.0.0.1:${send} and tcp://127.0.0.1:${recv} (CURVE)`);
    const http = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1]);
    const ready = await bbs.waitForLog((r) => r.msg === 'proxy ready');
    expect((ready.backends as { sendSpec: string }[]).map((b) => b.sendSpec.replace(/\/m2bbs-[^/]+\//, '/DIR/'))).toEqual([expect.stringMatching(/^ipc:\/\/.*\/DIR\/bbs\.10\.requests$/), `tcp://127.0.0.1:${send}`]);
    expect((await untilShown(http, 'bbs.20', false)).up).toBe(false);

    // "The other host": a backend of its own, with its key, on the same database here for the test.
    const other = HandlerProcess.start(['--name', 'bbs.20', '--db', join(bbs.dir, 'bbs.db'), '--send-spec', `tcp://127.0.0.1:${send}`, '--recv-spec', `tcp://127.0.0.1:${recv}`, '--curve-key', remote.key, '--curve-server', proxyKeys.pub], { db: false });
    processes.push(other);
    await other.ready();
    await untilShown(http, 'bbs.20', true);
    for (const number of ['@bbs.20', '@bbs.10']) {
      const caller = await JsonSocketClient.open(http, number);
      try {
        caller.send('connect');
        expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
      } finally {
        caller.destroy();
      }
    }
  });
});

/** A loopback port free now (the remote endpoints need fixed ports, as a sysop would pick them). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readSecret(file: string): string {
  const read = readCert('test', file, 'secret');
  if (!('cert' in read)) throw new Error(read.problem);
  return read.cert.secretKey ?? '';
}

describe('a CURVE key tied to its number', () => {
  it("refuses bbs.20's key on bbs.21's endpoints: logged, and a caller of @bbs.21 never reaches it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-curve-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const proxyKeys = keys(dir, 'proxy');
    const bbs20 = keys(dir, 'bbs.20');
    const bbs21 = keys(dir, 'bbs.21');
    // bbs.20's key as a file named for its number, bbs.21's in a folder of that number's keys.
    mkdirSync(join(dir, 'backends', 'bbs.21'), { recursive: true });
    copyFileSync(bbs20.pub, join(dir, 'backends', 'bbs.20.pub'));
    copyFileSync(bbs21.pub, join(dir, 'backends', 'bbs.21', 'host-c.pub'));
    // Named the old way, for no number: let in nowhere, and the sysop is told at start.
    copyFileSync(keys(dir, 'bbs20').pub, join(dir, 'backends', 'bbs20.pub'));
    const proxy = HandlerProcess.run(['proxy', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--backend', 'bbs.20=tcp://127.0.0.1:*,tcp://127.0.0.1:*', '--backend', 'bbs.21=tcp://127.0.0.1:*,tcp://127.0.0.1:*', '--curve-key', proxyKeys.key, '--curve-clients', join(dir, 'backends')]);
    processes.push(proxy);
    const ready = await proxy.waitForLog((r) => r.msg === 'proxy ready');
    expect(proxy.records.find((r) => r.msg === 'CURVE on the tcp:// backend endpoints')).toMatchObject({ allowed: { 'bbs.20': ['bbs.20'], 'bbs.21': ['bbs.21/host-c'], bbs20: ['bbs20'] } });
    expect(proxy.records.find((r) => r.msg === 'CURVE keys for numbers this proxy does not serve: let in nowhere')).toMatchObject({ level: 'warn', numbers: ['bbs20'], served: ['bbs.20', 'bbs.21'] });
    const http = Number(/:(\d+)\/$/.exec(String(ready.http))?.[1]);
    const [, on21] = ready.backends as { sendSpec: string; recvSpec: string }[];

    // The impostor: a whole backend with bbs.20's key on bbs.21's endpoints, and a bare PULL with it.
    const impostor = HandlerProcess.start(['--name', 'bbs.21', '--send-spec', String(on21?.sendSpec), '--recv-spec', String(on21?.recvSpec), '--curve-key', bbs20.key, '--curve-server', proxyKeys.pub]);
    processes.push(impostor);
    const refusal = await proxy.waitForLog((r) => r.msg === 'backend key refused' && r.key === bbs20.publicKey);
    expect(refusal).toMatchObject({ level: 'warn', code: 'BBS_ERR_CURVE_REFUSED', why: 'key allowed on bbs.20 only, not on bbs.21' });
    const pull = rogue(new Pull({ curveServerKey: proxyKeys.publicKey, curvePublicKey: bbs20.publicKey, curveSecretKey: readSecret(bbs20.key) }), String(on21?.sendSpec), 'handshake:error:auth');
    await pull.failed;

    // bbs.21 stays down: a caller dialling it is not served by the impostor.
    expect((await untilShown(http, 'bbs.21', false)).up).toBe(false);
    const caller = await JsonSocketClient.open(http, '@bbs.21');
    caller.send('connect');
    const told = await caller.untilPrompt().catch(() => undefined);
    await caller.closedByServer();
    expect(JSON.stringify(told ?? {})).not.toContain('Welcome to the M2BBS.');
    expect(pull.received()).toBe(0);
    expect(impostor.records.filter((r) => r.msg === 'caller connected' || r.conn !== undefined)).toEqual([]);
  });
});
