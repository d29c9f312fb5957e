/**
 * ZMTP in Node, connecting (a backend's PULL and PUB), against servers written byte by byte that
 * are broken or hostile: each is refused or dropped, redialled, and bounded in what it can make
 * the dialler hold; nothing crashes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTION_BYTES, MAX_SUBSCRIPTIONS, ZmtpPub, ZmtpPull, type DialWatch } from '../common/zmtp/zmtp-dialing-sockets.js';
import { until } from './support/process-tree.js';
import { frame, greeting, ready } from './support/zmtp-raw-peer.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function watched(): DialWatch & { events: string[] } {
  const events: string[] = [];
  return { events, connected: () => void events.push('connected'), disconnected: () => void events.push('disconnected'), refused: (why) => void events.push(`refused: ${why}`) };
}

function dialPull(endpoint: string): { watch: ReturnType<typeof watched>; got: string[][] } {
  const watch = watched();
  const pull = new ZmtpPull(watch);
  const got: string[][] = [];
  pull.onMessage = (parts) => got.push(parts.map((part) => part.toString()));
  pull.connect(endpoint);
  closers.push(() => pull.close());
  return { watch, got };
}

function dialPub(endpoint: string): { pub: ZmtpPub; topics: string[] } {
  const pub = new ZmtpPub(watched());
  const topics: string[] = [];
  pub.onSubscribe = (topic) => topics.push(topic.toString());
  pub.connect(endpoint);
  closers.push(() => pub.close());
  return { pub, topics };
}

/** A server written byte by byte: greets each connection as `socketType` (when given), then writes `then(connection number)`; keeps what it is sent. */
async function rawServer(socketType: string | undefined, then: (n: number) => Buffer): Promise<{ endpoint: string; received: () => Buffer; connections: () => number }> {
  let connections = 0;
  let received = Buffer.alloc(0);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.write(Buffer.concat([...(socketType === undefined ? [] : [greeting(), ready(socketType)]), then(connections)]));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((done) => server.close(done));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Expected a TCP address');
  return { endpoint: `tcp://127.0.0.1:${address.port}`, received: () => received, connections: () => connections };
}

function subscription(topic: string): Buffer {
  return frame(Buffer.concat([Buffer.from([1]), Buffer.from(topic)]));
}

describe('ZMTP in Node, dialling hostile or broken servers', () => {
  it('a SUB subscribing thousands of topics: the PUB keeps the first 1024 and ignores the rest, each said to onIgnored', async () => {
    const topics = Array.from({ length: 1100 }, (_, i) => `topic-${String(i).padStart(4, '0')}`);
    const server = await rawServer('SUB', () => Buffer.concat(topics.map(subscription)));
    const { pub, topics: kept } = dialPub(server.endpoint);
    let ignored = 0;
    pub.onIgnored = (_topic, count) => (ignored = count);
    await until(() => (ignored === 1100 - MAX_SUBSCRIPTIONS ? true : undefined), 'the subscriptions past the limit ignored');
    expect(kept).toEqual(topics.slice(0, MAX_SUBSCRIPTIONS));
    await pub.send(Buffer.from('topic-1050 past the limit'));
    await pub.send(Buffer.from('topic-0001 within it'));
    await until(() => (server.received().includes('topic-0001 within it') ? true : undefined), 'the message to a kept topic');
    expect(server.received().includes('past the limit')).toBe(false);
  });

  it('one huge subscription past the bytes limit is ignored, and the PUB sends to the topics it kept', async () => {
    const huge = 'h'.repeat(MAX_SUBSCRIPTION_BYTES + 1);
    const server = await rawServer('SUB', () => Buffer.concat([longFrame(Buffer.concat([Buffer.from([1]), Buffer.from(huge)])), subscription('small')]));
    const { pub, topics } = dialPub(server.endpoint);
    const ignored: number[] = [];
    pub.onIgnored = (topic) => ignored.push(topic.length);
    await until(() => (topics.includes('small') ? true : undefined), 'the small subscription');
    expect(ignored).toEqual([huge.length]);
    await pub.send(Buffer.from('small reply'));
    await until(() => (server.received().includes('small reply') ? true : undefined), 'the reply');
  });

  it('a server that answers with garbage is refused, redialled, never connected', async () => {
    const server = await rawServer(undefined, () => Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'.repeat(4)));
    const { watch } = dialPull(server.endpoint);
    await until(() => (server.connections() >= 2 ? true : undefined), 'a redial after the refusal');
    await until(() => (watch.events.length >= 1 ? true : undefined), 'the refusal');
    expect(watch.events[0]).toMatch(/^refused: not a ZMTP 3 peer/);
    expect(watch.events.filter((e) => !e.startsWith('refused'))).toEqual([]);
  });

  it('a server announcing a frame past 64 MiB is dropped at its header, then redialled and connected again', async () => {
    const header = Buffer.alloc(9);
    header[0] = 0x02;
    header.writeBigUInt64BE(2n ** 40n, 1);
    const server = await rawServer('PUSH', (n) => (n === 1 ? header : frame('fine now')));
    const { watch, got } = dialPull(server.endpoint);
    await until(() => (got.length === 1 ? true : undefined), 'a message from the second connection');
    expect(got).toEqual([['fine now']]);
    expect(watch.events).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('a server naming a new megabyte-long socket type at each connection: refused in the same few words each time, none of its own', async () => {
    const server = await rawServer(undefined, (n) => Buffer.concat([greeting(), readyLong(`${'X'.repeat(1_000_000)}${n}`)]));
    const { watch } = dialPull(server.endpoint);
    await until(() => (watch.events.length >= 3 ? true : undefined), 'three refusals');
    expect(new Set(watch.events)).toEqual(new Set(['refused: an unknown socket cannot talk to a PULL']));
  });

  it('a server announcing frames past 64 MiB of a new size at each handshake: refused in the same words each time', async () => {
    const server = await rawServer(undefined, (n) => {
      const header = Buffer.alloc(9);
      header[0] = 0x02;
      header.writeBigUInt64BE(2n ** 40n + BigInt(n), 1);
      return Buffer.concat([greeting(), header]);
    });
    const { watch } = dialPull(server.endpoint);
    await until(() => (watch.events.length >= 3 ? true : undefined), 'three refusals');
    expect(new Set(watch.events)).toEqual(new Set([`refused: a frame or message past ${64 * 1024 * 1024} bytes`]));
  });

  it('a server that accepts and never greets is refused after 10 s and redialled', async () => {
    const server = await rawServer(undefined, () => Buffer.alloc(0));
    const { watch } = dialPull(server.endpoint);
    await until(() => (server.connections() >= 2 ? true : undefined), 'a redial after the handshake timer', 25_000);
    expect(watch.events).toEqual(['refused: no handshake within 10 s']);
  }, 30_000);
});

describe('ZMTP in Node, dialling an endpoint that cannot be', () => {
  it('an ipc path through a file: said through refused, not redialled in silence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-zmtp-notdir-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'file'), 'not a folder');
    const { watch } = dialPull(`ipc://${join(dir, 'file', 'send')}`);
    await until(() => (watch.events.length >= 2 ? true : undefined), 'two refusals (the second a redial)');
    expect(watch.events[0]).toBe('refused: connecting failed (ENOTDIR); dialled again every 100 ms');
  });

  it('an ipc socket file not there yet is waited for in silence, and connected once a server binds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-zmtp-later-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'send');
    const { watch, got } = dialPull(`ipc://${path}`);
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.write(Buffer.concat([greeting(), ready('PUSH'), frame('hello')]));
    });
    await new Promise<void>((done) => server.listen(path, done));
    closers.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(done));
    });
    await until(() => (got.length === 1 ? true : undefined), 'the message once the server is there');
    expect(watch.events).toEqual(['connected']);
  });
});

/** A READY command naming `socketType`, in a long frame (the name may be past 255 bytes). */
function readyLong(socketType: string): Buffer {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(socketType.length);
  const body = Buffer.concat([Buffer.from([5]), Buffer.from('READY'), Buffer.from([11]), Buffer.from('Socket-Type'), value, Buffer.from(socketType, 'latin1')]);
  const head = Buffer.alloc(9);
  head[0] = 0x06;
  head.writeBigUInt64BE(BigInt(body.length), 1);
  return Buffer.concat([head, body]);
}

function longFrame(body: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head[0] = 0x02;
  head.writeBigUInt64BE(BigInt(body.length), 1);
  return Buffer.concat([head, body]);
}

