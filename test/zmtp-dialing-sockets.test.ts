import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { curveKeyPair, Push, Subscriber } from 'zeromq';
import { MAX_SUBSCRIPTION_BYTES, MAX_SUBSCRIPTIONS, ZmtpPub, ZmtpPull, type DialWatch } from '../common/zmtp/zmtp-dialing-sockets.js';
import { until } from './support/process-tree.js';
import { frame, greeting, ready } from './support/zmtp-raw-peer.js';

// ZMTP in Node, connecting (a backend's PULL and PUB), against libzmq bound as a Mongrel2 server binds.
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function watched(): DialWatch & { events: string[] } {
  const events: string[] = [];
  return { events, connected: () => void events.push('connected'), disconnected: () => void events.push('disconnected'), refused: (why) => void events.push(`refused: ${why}`) };
}

function count(events: string[], event: string): number {
  return events.filter((e) => e === event).length;
}

async function bindPush(endpoint: string): Promise<Push> {
  const push = new Push();
  push.linger = 0;
  // The same endpoint again right after a close: libzmq lets its port go in its I/O thread.
  await until(async () => {
    try {
      await push.bind(endpoint);
      return true;
    } catch {
      return undefined;
    }
  }, `a PUSH bound on ${endpoint}`);
  return push;
}

async function bindSub(endpoint: string): Promise<{ sub: Subscriber; got: Buffer[][] }> {
  const sub = new Subscriber();
  sub.linger = 0;
  await sub.bind(endpoint);
  const got: Buffer[][] = [];
  void (async () => {
    try {
      for await (const parts of sub) got.push(parts);
    } catch {
      // closed
    }
  })();
  return { sub, got };
}

function dialPull(endpoint: string): { pull: ZmtpPull; watch: ReturnType<typeof watched>; got: Buffer[][] } {
  const watch = watched();
  const pull = new ZmtpPull(watch);
  const got: Buffer[][] = [];
  pull.onMessage = (parts) => got.push(parts);
  pull.connect(endpoint);
  closers.push(() => pull.close());
  return { pull, watch, got };
}

function dialPub(endpoint: string): { pub: ZmtpPub; watch: ReturnType<typeof watched>; topics: string[] } {
  const watch = watched();
  const pub = new ZmtpPub(watch);
  const topics: string[] = [];
  pub.onSubscribe = (topic) => topics.push(topic.toString());
  pub.connect(endpoint);
  closers.push(() => pub.close());
  return { pub, watch, topics };
}

function strings(got: Buffer[][]): string[][] {
  return got.map((parts) => parts.map((part) => part.toString()));
}

/** A TCP server that counts the connections made to it and hangs each up at once. */
async function countingServer(): Promise<{ server: Server; endpoint: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(() => new Promise((done) => server.close(done)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Expected a TCP address');
  return { server, endpoint: `tcp://127.0.0.1:${address.port}`, connections: () => connections };
}

const transports = [
  ['tcp', () => ({ send: 'tcp://127.0.0.1:*', recv: 'tcp://127.0.0.1:*' })],
  [
    'ipc',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'm2bbs-zmtp-dial-'));
      closers.push(() => rmSync(dir, { recursive: true, force: true }));
      return { send: `ipc://${join(dir, 'send')}`, recv: `ipc://${join(dir, 'recv')}` };
    },
  ],
] as const;

describe.each(transports)('ZMTP in Node, dialling libzmq bound on %s', (_name, endpoints) => {
  it('PULL takes the server PUSH messages in order, multipart kept; PUB sends only what the server subscribed to, by prefix, and stops at an unsubscribe', async () => {
    const specs = endpoints();
    let push = await bindPush(specs.send);
    closers.push(() => push.close());
    const { sub, got: replies } = await bindSub(specs.recv);
    closers.push(() => sub.close());
    const { watch: pullWatch, got } = dialPull(push.lastEndpoint as string);
    const { pub, watch: pubWatch, topics } = dialPub(sub.lastEndpoint as string);

    await push.send(Buffer.from('one'));
    await push.send([Buffer.from('two'), Buffer.alloc(300, 'x'), Buffer.from('')]);
    await push.send(Buffer.from('three'));
    await until(() => (got.length === 3 ? true : undefined), 'three requests');
    expect(got.map((parts) => parts.map((part) => part.length))).toEqual([[3], [3, 300, 0], [5]]);
    expect(got[0]?.[0]?.toString()).toBe('one');
    expect(got[2]?.[0]?.toString()).toBe('three');

    const mine = randomUUID();
    const other = randomUUID();
    await until(() => (pubWatch.events.includes('connected') ? true : undefined), 'the PUB connected');
    // Before any subscription: sent to nobody (were it sent, it would arrive before what follows).
    await pub.send(Buffer.from(`${mine} before any subscription`));
    sub.subscribe(mine);
    await until(() => (topics.includes(mine) ? true : undefined), 'the subscription at the PUB');
    await pub.send(Buffer.from(`${other} not subscribed`));
    await pub.send([Buffer.from(`${mine} reply`), Buffer.from('second part')]);
    await until(() => (replies.length > 0 ? true : undefined), 'a reply');
    sub.unsubscribe(mine);
    sub.subscribe(other);
    await until(() => (topics.includes(other) ? true : undefined), 'the second subscription');
    await pub.send(Buffer.from(`${mine} after the unsubscribe`));
    await pub.send(Buffer.from(`${other} now subscribed`));
    await until(() => (replies.length === 2 ? true : undefined), 'the second reply');
    expect(strings(replies)).toEqual([[`${mine} reply`, 'second part'], [`${other} now subscribed`]]);

    // The server goes and comes back on the same endpoint: the PULL redials by itself.
    const endpoint = push.lastEndpoint as string;
    push.close();
    await until(() => (pullWatch.events.includes('disconnected') ? true : undefined), 'the PULL told the server went');
    push = await bindPush(endpoint);
    await until(() => (count(pullWatch.events, 'connected') === 2 ? true : undefined), 'the PULL connected again');
    await push.send(Buffer.from('after the restart'));
    await until(() => (got.length === 4 ? true : undefined), 'a request after the restart');
    expect(got[3]?.[0]?.toString()).toBe('after the restart');
    expect(pullWatch.events).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('PUB redials a SUB that went and came back on the same endpoint, and its new subscriptions are what count', async () => {
    const specs = endpoints();
    let { sub, got } = await bindSub(specs.recv);
    const endpoint = sub.lastEndpoint as string;
    closers.push(() => sub.close());
    const { pub, watch, topics } = dialPub(endpoint);
    const first = randomUUID();
    sub.subscribe(first);
    await until(() => (topics.includes(first) ? true : undefined), 'the first subscription');
    sub.close();
    await until(() => (watch.events.includes('disconnected') ? true : undefined), 'the PUB told the server went');
    const second = randomUUID();
    await until(async () => {
      try {
        ({ sub, got } = await bindSub(endpoint));
        return true;
      } catch {
        return undefined;
      }
    }, 'the SUB bound again');
    sub.subscribe(second);
    await until(() => (topics.includes(second) ? true : undefined), 'the new subscription');
    await pub.send(Buffer.from(`${first} for the server that went`));
    await pub.send(Buffer.from(`${second} for the one back`));
    await until(() => (got.length > 0 ? true : undefined), 'a reply at the new server');
    expect(strings(got)).toEqual([[`${second} for the one back`]]);
    expect(watch.events).toEqual(['connected', 'disconnected', 'connected']);
  });
});

describe('ZMTP in Node, dialling: refusals and closing', () => {
  it('a server expecting CURVE refuses the NULL handshake: said through refused, redialled, nothing delivered, no crash', async () => {
    const keys = curveKeyPair();
    const push = new Push({ curveServer: true, curveSecretKey: keys.secretKey });
    push.linger = 0;
    await push.bind('tcp://127.0.0.1:*');
    closers.push(() => push.close());
    const { watch, got } = dialPull(push.lastEndpoint as string);
    await until(() => (watch.events.filter((e) => e.startsWith('refused')).length >= 2 ? true : undefined), 'two refusals (the second a redial)');
    expect(watch.events.filter((e) => !e.startsWith('refused'))).toEqual([]);
    expect(watch.events[0]).toMatch(/CURVE/);
    expect(got).toEqual([]);
  });

  it('close() while the server is away stops the redialling', async () => {
    const away = await countingServer();
    const { pull } = dialPull(away.endpoint);
    await until(() => (away.connections() >= 2 ? true : undefined), 'the dialler redialling a server that hangs up');
    await pull.close();
    const after = away.connections();
    // Another dialler redialling three times is the clock: the closed one had as long to dial again.
    const clock = await countingServer();
    dialPull(clock.endpoint);
    await until(() => (clock.connections() >= 3 ? true : undefined), 'another dialler redialling');
    expect(away.connections()).toBe(after);
  });

  it('close(flushMs) lets a large reply written just before it reach the server', async () => {
    const { sub, got } = await bindSub('tcp://127.0.0.1:*');
    closers.push(() => sub.close());
    const { pub, topics } = dialPub(sub.lastEndpoint as string);
    const uuid = randomUUID();
    sub.subscribe(uuid);
    await until(() => (topics.includes(uuid) ? true : undefined), 'the subscription');
    const body = Buffer.alloc(4 * 1024 * 1024, 'y');
    await pub.send([Buffer.from(uuid), body]);
    await pub.close(15_000);
    await until(() => (got.length === 1 ? true : undefined), 'the reply at the server');
    expect(got[0]?.[1]?.equals(body)).toBe(true);
  });

  it('close(flushMs) resolves once a short reply has gone, not at the end of the linger', async () => {
    const { sub, got } = await bindSub('tcp://127.0.0.1:*');
    closers.push(() => sub.close());
    const { pub, topics } = dialPub(sub.lastEndpoint as string);
    const uuid = randomUUID();
    sub.subscribe(uuid);
    await until(() => (topics.includes(uuid) ? true : undefined), 'the subscription');
    await pub.send(Buffer.from(`${uuid} short`));
    // A linger far past the test's own time limit: only a close that sees the write go returns in time.
    await pub.close(3_600_000);
    await until(() => (got.length === 1 ? true : undefined), 'the reply at the server');
    expect(strings(got)).toEqual([[`${uuid} short`]]);
  });
});

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
    expect(strings(got)).toEqual([['fine now']]);
    expect(watch.events).toEqual(['connected', 'disconnected', 'connected']);
  });
});

function longFrame(body: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head[0] = 0x02;
  head.writeBigUInt64BE(BigInt(body.length), 1);
  return Buffer.concat([head, body]);
}
