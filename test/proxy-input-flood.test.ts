/**
 * A caller who sends faster than their backend reads (a hostile tester's flood: 10 JSON-socket
 * connections from one address sending 64 KB lines as fast as the proxy took them). What they
 * send past the backend's high-water mark must wait in their own connection, not in the proxy:
 * before, the proxy read it all and queued it for the backend (1.7 GB of RSS from a 3 s flood,
 * never given back to the system). The flood's figures on a running BBS are in BENCHMARKS.md.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Publisher } from 'zeromq';
import { createLogger } from '../common/log.js';
import { encodeReply, isDisconnect } from '../common/mongrel2-wire.js';
import { startProxy } from '../server/proxy.js';
import { ForeignHandler } from './support/foreign-handler.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { greeting, RawPeer, ready } from './support/zmtp-raw-peer.js';

// Every caller from one address, as in the finding (the loopback answers all of 127/8).
const FROM = '127.0.0.70';
const LINE = Buffer.from(`@bbs {"type":"msg","msg":"${'x'.repeat(65_000)}"}\0`);

// A full collection before each reading of what the process holds: what is garbage does not count.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Bytes of Buffers (and other ArrayBuffers) this process still holds, after a full collection. */
function heldBuffers(): number {
  collect();
  return process.memoryUsage().arrayBuffers;
}

/** One flooding caller: dials `route`, then sends 64 KB lines (waiting whenever its socket is full) until it has offered `bytes` or the line closed. */
function flood(port: number, bytes: number, route = '@bbs', progress: { sent: number } = { sent: 0 }): Promise<{ sent: number; closed: boolean }> {
  const line = route === '@bbs' ? LINE : Buffer.from(LINE.toString('latin1').replace('@bbs ', `${route} `), 'latin1');
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host: '127.0.0.1', localAddress: FROM });
    let sent = 0;
    let closed = false;
    onTestFinished(() => void socket.destroy());
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      closed = true;
      resolve({ sent, closed });
    });
    socket.once('connect', () => {
      socket.write(`${route} {"type":"msg","msg":"connect"}\0`);
      const more = (): void => {
        while (!closed && sent < bytes) {
          sent += line.length;
          progress.sent = sent;
          if (!socket.write(line)) return void socket.once('drain', more);
        }
        if (!closed) socket.destroy();
      };
      more();
    });
    socket.once('error', (error) => (sent === 0 ? reject(error) : undefined));
  });
}

describe('a caller flooding a backend that has stopped reading', () => {
  it('is no longer read once the backend is past its high-water mark: the proxy holds a bounded amount, not what was sent', { timeout: 60_000 }, async () => {
    const proxy = await startProxy(
      {
        listen: { host: '127.0.0.1', port: 0 },
        telnet: { host: '127.0.0.1', port: 0 },
        backends: ['bbs.10', 'bbs.11'].map((number) => ({ number, sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' })),
        uuid: randomUUID(),
        logLevel: 'silent',
        telnetNegotiationMs: 50,
      },
      createLogger('silent'),
    );
    onTestFinished(() => proxy.close());
    const [stalledSpec, liveSpec] = proxy.backends;
    // bbs.10: a PULL peer that finishes its handshake and then reads nothing more, ever.
    const stalled = await RawPeer.connect(stalledSpec?.sendSpec ?? '');
    onTestFinished(() => stalled.destroy());
    stalled.write(greeting(), ready('PULL'));
    stalled.socket.pause();
    // bbs.11: a backend that reads, for a caller who is not flooding.
    const live = ForeignHandler.connect(liveSpec?.sendSpec ?? '', liveSpec?.recvSpec ?? '');
    onTestFinished(() => live.close());
    await proxy.whenUp('bbs.10', 'bbs.11');
    const link = proxy.switchboard.links().find((l) => l.spec.number === 'bbs.10');

    const offered = 256 * 1024 * 1024;
    const before = heldBuffers();
    const progress = { sent: 0 };
    void flood(proxy.front.port, offered, '@bbs.10', progress);
    // Until the proxy stops reading the caller (its link to bbs.10 is congested), or has read all of it.
    await until(() => (link?.congested === true || progress.sent >= offered ? true : undefined), 'the flood to be stopped or sent', 30_000);
    const held = heldBuffers() - before;
    expect(held, `the proxy holds ${Math.round(held / 1048576)} MiB for the caller (${Math.round(progress.sent / 1048576)} MiB sent)`).toBeLessThan(32 * 1024 * 1024);
    expect(link?.queuedBytes).toBeLessThan(2 * 1024 * 1024);

    // A caller on another number is served meanwhile.
    const witness = await JsonSocketClient.open(proxy.front.port, '@bbs.11');
    onTestFinished(() => witness.destroy());
    witness.send('connect');
    const request = await live.next((r) => !isDisconnect(r));
    await live.reply(encodeReply(request.uuid, [request.connId], JSON.stringify({ type: 'prompt', msg: 'still here', pchar: '> ' })));
    expect((await witness.untilPrompt()).prompt?.msg).toBe('still here');
    expect(progress.sent).toBeLessThan(offered);
  });
});

/** A proxy whose one backend, bbs.10, answers a call's first request and then reads nothing more. */
async function proxyWithStallingBackend() {
  const uuid = randomUUID();
  const proxy = await startProxy(
    { listen: { host: '127.0.0.1', port: 0 }, telnet: { host: '127.0.0.1', port: 0 }, backends: [{ number: 'bbs.10', sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' }], uuid, logLevel: 'silent', telnetNegotiationMs: 50 },
    createLogger('silent'),
  );
  onTestFinished(() => proxy.close());
  const spec = proxy.backends[0];
  const pull = await RawPeer.connect(spec?.sendSpec ?? '');
  onTestFinished(() => pull.destroy());
  pull.write(greeting(), ready('PULL'));
  const pub = new Publisher({ linger: 0 });
  onTestFinished(() => pub.close());
  pub.connect(spec?.recvSpec ?? '');
  await proxy.whenUp('bbs.10');
  const link = proxy.switchboard.links().find((l) => l.spec.number === 'bbs.10');
  /** Reads the call's first request, stops reading, and answers it with a prompt until the caller has it (`heard`). */
  async function answerFirst(heard: () => boolean): Promise<void> {
    const connId = await until(() => {
      const at = pull.received.indexOf(`${uuid} `);
      return at < 0 ? undefined : /^(\d+) /.exec(pull.received.subarray(at + uuid.length + 1, at + uuid.length + 24).toString('latin1'))?.[1];
    }, 'the first request');
    pull.socket.pause();
    const reply = encodeReply(uuid, [connId], JSON.stringify({ type: 'prompt', msg: 'Go ahead.', pchar: '> ' }));
    // A PUB drops what it sends before the proxy's subscription reaches it: sent until heard.
    await until(async () => {
      await pub.send(reply);
      return heard() ? true : undefined;
    }, 'the call answered');
  }
  return { proxy, link, answerFirst };
}

/** Connects to `port` from FROM, writes `preamble`, has `answered` answer the call, then writes `unit` over and over (minding the socket) until `bytes` are offered or the line closes. */
async function floodWith(port: number, preamble: string, answered: (heard: () => boolean) => Promise<void>, unit: Buffer, bytes: number, progress: { sent: number }): Promise<void> {
  const socket: Socket = connect({ port, host: '127.0.0.1', localAddress: FROM });
  onTestFinished(() => void socket.destroy());
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    if (received.length < 100_000) received += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  let closed = false;
  socket.once('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (preamble !== '') socket.write(preamble);
  await answered(() => received.includes('Go ahead.'));
  const more = (): void => {
    while (!closed && progress.sent < bytes) {
      progress.sent += unit.length;
      if (!socket.write(unit)) return void socket.once('drain', more);
    }
  };
  more();
}

describe('a telnet or page caller flooding a backend that stopped reading after answering', () => {
  const offered = 128 * 1024 * 1024;
  const line = 'x'.repeat(4000);
  // A text frame from a page, masked (with a zero key: the payload as it is).
  const payload = Buffer.from(JSON.stringify({ type: 'msg', msg: line }));
  const wsFrame = Buffer.concat([Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff, 0, 0, 0, 0]), payload]);
  type Stalling = Awaited<ReturnType<typeof proxyWithStallingBackend>>;
  const doors = [
    { door: 'telnet', port: (p: Stalling) => p.proxy.telnet.port, preamble: () => '', unit: Buffer.from(`${line}\r\n`) },
    {
      door: 'WebSocket',
      port: (p: Stalling) => p.proxy.front.port,
      preamble: (port: number) => `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      unit: wsFrame,
    },
  ];
  for (const { door, port, preamble, unit } of doors) {
    it(`is no longer read on the ${door} door once the backend is past its high-water mark`, { timeout: 60_000 }, async () => {
      const stalling = await proxyWithStallingBackend();
      const before = heldBuffers();
      const progress = { sent: 0 };
      const at = port(stalling);
      await floodWith(at, preamble(at), stalling.answerFirst, unit, offered, progress);
      // Until the caller is no longer read (congested, and nothing more taken over ten looks in a
      // row: a proxy still reading takes some between any two), or has sent it all.
      let seen = -1;
      let still = 0;
      await until(() => {
        still = stalling.link?.congested === true && progress.sent === seen ? still + 1 : 0;
        seen = progress.sent;
        return still >= 10 || progress.sent >= offered ? true : undefined;
      }, 'the flood to be stopped or sent', 30_000);
      const held = heldBuffers() - before;
      expect(held, `the proxy holds ${Math.round(held / 1048576)} MiB for the caller (${Math.round(progress.sent / 1048576)} MiB sent)`).toBeLessThan(32 * 1024 * 1024);
      expect(stalling.link?.queuedBytes).toBeLessThan(2 * 1024 * 1024);
      expect(progress.sent).toBeLessThan(offered);
    });
  }
});
