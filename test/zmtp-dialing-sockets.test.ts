import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { curveKeyPair, Push, Subscriber } from 'zeromq';
import { ZmtpPub, ZmtpPull, type DialWatch } from '../common/zmtp/zmtp-dialing-sockets.js';
import { until } from './support/process-tree.js';

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

describe('ZMTP in Node, dialling: restarts, refusals and closing', () => {
  it('a server restarted mid-load: what it sent before reaches the PULL at most once, in order, and all it sends after arrives', async () => {
    let push = await bindPush('tcp://127.0.0.1:*');
    closers.push(() => push.close());
    const endpoint = push.lastEndpoint as string;
    const { watch, got } = dialPull(endpoint);
    for (let i = 0; i < 200; i++) await push.send(Buffer.from(`before ${i}`));
    await until(() => (got.length > 0 ? true : undefined), 'the first requests');
    push.close();
    await until(() => (watch.events.includes('disconnected') ? true : undefined), 'the server gone');
    push = await bindPush(endpoint);
    for (let i = 0; i < 200; i++) await push.send(Buffer.from(`after ${i}`));
    await until(() => (got.filter((parts) => parts[0]?.toString().startsWith('after')).length === 200 ? true : undefined), 'every request after the restart');
    const seen = got.map((parts) => parts[0]?.toString() ?? '');
    expect(new Set(seen).size).toBe(seen.length);
    const before = seen.filter((text) => text.startsWith('before')).map((text) => Number(text.slice(7)));
    expect(before).toEqual([...before].sort((a, b) => a - b));
    expect(seen.filter((text) => text.startsWith('after'))).toEqual(Array.from({ length: 200 }, (_, i) => `after ${i}`));
  });

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

// A Mongrel2-style server in Python (Debian's python3-zmq, libzmq 4): PUSH and SUB bound, three
// requests in Mongrel2's format pushed, the replies to its UUID read and printed, then it exits.
const PY_SERVER = String.raw`
import sys, zmq
uuid = sys.argv[1]
ctx = zmq.Context()
push = ctx.socket(zmq.PUSH); sub = ctx.socket(zmq.SUB)
for s in (push, sub):
    s.setsockopt(zmq.LINGER, 0)
push.bind('tcp://127.0.0.1:*'); sub.bind('tcp://127.0.0.1:*')
sub.setsockopt(zmq.SUBSCRIBE, uuid.encode())
print(push.getsockopt(zmq.LAST_ENDPOINT).decode(), sub.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
for i in range(3):
    body = ('line %d' % i).encode()
    push.send(uuid.encode() + b' ' + str(i).encode() + b' @bbs 2:{},' + str(len(body)).encode() + b':' + body + b',')
for i in range(3):
    print('reply ' + sub.recv().decode(), flush=True)
`;

const hasPyzmq = spawnSync('/usr/bin/python3', ['-c', 'import zmq']).status === 0;
if (!hasPyzmq && process.env.M2BBS_REQUIRE_PYZMQ) throw new Error('python3-zmq is required here: apt-get install python3-zmq');

describe.runIf(hasPyzmq)('ZMTP in Node, dialling a pyzmq Mongrel2-style server', () => {
  it('takes its requests from PUSH and answers through SUB once subscribed, only its UUID reaching it', async () => {
    const uuid = randomUUID();
    const child = spawn('/usr/bin/python3', ['-c', PY_SERVER, uuid], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    closers.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    const [send, recv] = (await until(() => /^(\S+) (\S+)\n/.exec(out) ?? undefined, 'the server endpoints')).slice(1);
    const { pub, topics } = dialPub(recv as string);
    const { got } = dialPull(send as string);
    await until(() => (got.length === 3 ? true : undefined), 'three requests');
    // libzmq's SUB hands its subscription to a new connection only when its thread next calls it (the recv after the pushes).
    await until(() => (topics.includes(uuid) ? true : undefined), 'the server subscribed');
    for (const [request] of got) {
      const [, id] = (request?.toString() ?? '').split(' ');
      await pub.send(Buffer.from(`${randomUUID()} 1:${id}, for another server`));
      await pub.send(Buffer.from(`${uuid} ${String(id).length}:${id}, answer ${id}`));
    }
    expect(await exited).toEqual([0, null]);
    expect(out.split('\n').filter((line) => line.startsWith('reply '))).toEqual([0, 1, 2].map((i) => `reply ${uuid} 1:${i}, answer ${i}`));
  });
});
