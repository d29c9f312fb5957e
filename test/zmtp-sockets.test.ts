import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Pull, Push as ZmqPush } from 'zeromq';
import { ZmtpPush, ZmtpSub, type PeerWatch } from '../common/zmtp/zmtp-sockets.js';
import { until } from './support/process-tree.js';
import { subscribedPublisher } from './support/subscribed-publisher.js';

// ZMTP in Node against libzmq itself (zeromq.js): the peers every Mongrel2 handler and m2bbs backend are.
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function watched(): PeerWatch & { connected: () => void; events: string[] } {
  const events: string[] = [];
  return { events, connected: () => void events.push('connected'), disconnected: () => void events.push('disconnected'), refused: (why) => void events.push(`refused: ${why}`) };
}

async function boundPush(): Promise<{ push: ZmtpPush; watch: ReturnType<typeof watched> }> {
  const push = new ZmtpPush();
  const watch = watched();
  push.watch = watch;
  await push.bind('tcp://127.0.0.1:*');
  closers.push(() => push.close());
  return { push, watch };
}

function pullFrom(endpoint: string): { pull: Pull; got: Buffer[][] } {
  const pull = new Pull();
  pull.linger = 0;
  pull.connect(endpoint);
  const got: Buffer[][] = [];
  void (async () => {
    try {
      for await (const parts of pull) got.push(parts);
    } catch {
      // closed
    }
  })();
  closers.push(() => pull.close());
  return { pull, got };
}

describe('ZMTP in Node, bound, with libzmq peers', () => {
  it('PUSH: holds a message until a PULL peer connects, then delivers single and multipart messages, short and long frames, in order', async () => {
    const { push, watch } = await boundPush();
    const first = push.send(Buffer.from('held until a peer comes'));
    const { got } = pullFrom(push.lastEndpoint as string);
    await first;
    const long = Buffer.alloc(70_000, 'x');
    await push.send([Buffer.from('part one'), long, Buffer.from('')]);
    await push.send(Buffer.from('last'));
    await until(() => (got.length === 3 ? true : undefined), 'three messages at the PULL peer');
    expect(got.map((parts) => parts.map((p) => p.length))).toEqual([[23], [8, 70_000, 0], [4]]);
    expect(got[0]?.[0]?.toString()).toBe('held until a peer comes');
    expect(got[1]?.[1]?.equals(long)).toBe(true);
    expect(watch.events).toEqual(['connected']);
  });

  it('PUSH: deals messages round robin to two PULL peers, and says when one goes', async () => {
    const { push, watch } = await boundPush();
    const a = pullFrom(push.lastEndpoint as string);
    const b = pullFrom(push.lastEndpoint as string);
    await until(() => (watch.events.length === 2 ? true : undefined), 'both peers connected');
    for (let i = 0; i < 10; i++) await push.send(Buffer.from(`m${i}`));
    await until(() => (a.got.length + b.got.length === 10 ? true : undefined), 'ten messages');
    expect(a.got.length).toBe(5);
    expect(b.got.length).toBe(5);
    a.pull.close();
    await until(() => (watch.events.includes('disconnected') ? true : undefined), 'the closed peer gone');
    await push.send(Buffer.from('after'));
    await until(() => (b.got.some((parts) => parts[0]?.toString() === 'after') ? true : undefined), 'the next message at the peer left');
  });

  it('SUB: subscribes a PUB peer to everything and reads its multipart messages', async () => {
    const sub = new ZmtpSub();
    const got: Buffer[][] = [];
    sub.onMessage = (parts) => got.push(parts);
    await sub.bind('tcp://127.0.0.1:*');
    closers.push(() => sub.close());
    const pub = await subscribedPublisher(sub.lastEndpoint as string, got);
    await pub.send([Buffer.from('reply one'), Buffer.alloc(300, 'y')]);
    await until(() => (got.some((parts) => parts.length === 2) ? true : undefined), 'the multipart message');
    expect(got.find((parts) => parts.length === 2)?.map((p) => p.length)).toEqual([9, 300]);
  });

  it('refuses a peer of the wrong socket type, and one that does not speak ZMTP 3, without counting either', async () => {
    const { push, watch } = await boundPush();
    const wrong = new ZmqPush();
    wrong.linger = 0;
    wrong.connect(push.lastEndpoint as string);
    closers.push(() => wrong.close());
    await until(() => (watch.events.some((e) => e.startsWith('refused: a PUSH socket')) ? true : undefined), 'the PUSH peer refused');
    const port = Number(/:(\d+)$/.exec(push.lastEndpoint as string)?.[1]);
    const plain: Socket = connect(port, '127.0.0.1', () => plain.write('GET / HTTP/1.1\r\n\r\n'));
    plain.on('error', () => undefined);
    closers.push(() => plain.destroy());
    await until(() => (watch.events.some((e) => e.includes('not a ZMTP 3 peer')) ? true : undefined), 'the plain TCP client refused');
    expect(watch.events.filter((e) => e === 'connected')).toEqual([]);
  });
});
