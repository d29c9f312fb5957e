import { afterEach, describe, expect, it } from 'vitest';
import { curveKeyPair, Pull, Push as ZmqPush } from 'zeromq';
import { FrameReader } from '../common/zmtp/zmtp-frames.js';
import { ZmtpPush, ZmtpSub, type PeerWatch } from '../common/zmtp/zmtp-sockets.js';
import { openZmtpLinkSockets } from '../server/zmtp-link-sockets.js';
import { until } from './support/process-tree.js';
import { subscribedPublisher } from './support/subscribed-publisher.js';
import { command, frame, greeting, RawPeer, ready } from './support/zmtp-raw-peer.js';

// Peers that break ZMTP, on purpose or not, against the bound sockets of ZMTP in Node.
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const ANY = 'tcp://127.0.0.1:*';

function watched(): PeerWatch & { events: string[] } {
  const events: string[] = [];
  return { events, connected: () => void events.push('connected'), disconnected: () => void events.push('disconnected'), refused: (why) => void events.push(`refused: ${why}`) };
}

async function bound<S extends ZmtpPush | ZmtpSub>(socket: S): Promise<S & { watch: ReturnType<typeof watched> }> {
  const watch = watched();
  socket.watch = watch;
  await socket.bind(ANY);
  closers.push(() => socket.close());
  return socket as S & { watch: ReturnType<typeof watched> };
}

async function raw(endpoint: string): Promise<RawPeer> {
  const peer = await RawPeer.connect(endpoint);
  closers.push(() => peer.destroy());
  return peer;
}

/** A bound PUSH and a raw PULL peer whose handshake it has counted. */
async function pushWithRawPull(): Promise<{ push: ZmtpPush & { watch: ReturnType<typeof watched> }; peer: RawPeer }> {
  const push = await bound(new ZmtpPush());
  const peer = await raw(push.lastEndpoint as string);
  peer.write(greeting(), ready('PULL'));
  await until(() => (push.watch.events.includes('connected') ? true : undefined), 'the raw PULL peer connected');
  return { push, peer };
}

function pullFrom(endpoint: string): Buffer[][] {
  const pull = new Pull({ linger: 0 });
  pull.connect(endpoint);
  const got: Buffer[][] = [];
  void (async () => {
    for await (const parts of pull) got.push(parts);
  })().catch(() => undefined);
  closers.push(() => pull.close());
  return got;
}

describe('ZMTP in Node against broken and hostile peers', () => {
  it('answers a PING with a PONG carrying its context, so a libzmq peer with ZMQ_HEARTBEAT_IVL keeps its link', async () => {
    const { push, peer } = await pushWithRawPull();
    peer.write(command('PING', Buffer.from([0, 30, ...Buffer.from('ctx-1')])));
    await peer.receives(command('PONG', Buffer.from('ctx-1')), 'the PONG');
    await push.send(Buffer.from('still linked'));
    await peer.receives(frame('still linked'), 'a request after the PONG');
    expect(push.watch.events).toEqual(['connected']);
  });

  it('a peer sending PINGs without reading its PONGs is not answered past a bound, so the proxy does not hold them all', async () => {
    const { push, peer } = await pushWithRawPull();
    peer.socket.pause();
    const ping = command('PING', Buffer.from([0, 30, ...Buffer.alloc(16, 'c')]));
    const pings = 1_000_000;
    const burst = Buffer.concat(Array.from({ length: 10_000 }, () => ping));
    for (let sent = 0; sent < pings; sent += 10_000) if (!peer.socket.write(burst)) await peer.drained();
    // PINGs are answered in order: once a last one, sent again until it is, has its PONG, every one before it was handled.
    let pongs = 0;
    let last = false;
    const frames = new FrameReader((body) => {
      if (body.toString('latin1', 1, 5) !== 'PONG') return;
      if (body.toString('latin1', 5) === 'last') last = true;
      else pongs++;
    }, () => undefined, 1 << 20, () => undefined);
    peer.socket.removeAllListeners('data').on('data', (chunk: Buffer) => frames.push(chunk));
    frames.push(peer.received.subarray(64));
    peer.socket.resume();
    await until(() => {
      if (last) return true;
      peer.write(command('PING', Buffer.from([0, 30, ...Buffer.from('last')])));
      return undefined;
    }, 'the PONG of the last PING');
    expect(pongs).toBeGreaterThan(0);
    expect(pongs).toBeLessThan(pings);
  });

  it('a message before READY, with a READY after it in the same bytes: refused and never counted, no request dealt to it', async () => {
    const push = await bound(new ZmtpPush());
    const peer = await raw(push.lastEndpoint as string);
    peer.write(greeting(), frame('too early'), ready('PULL'));
    await peer.dropped('the early peer dropped');
    expect(push.watch.events).toEqual(['refused: a message before READY']);
    const got = pullFrom(push.lastEndpoint as string);
    await until(() => (push.watch.events.includes('connected') ? true : undefined), 'the real PULL peer connected');
    for (const text of ['one', 'two', 'three']) await push.send(Buffer.from(text));
    await until(() => (got.length === 3 ? true : undefined), 'every request at the one real peer');
    expect(got.map((parts) => parts[0]?.toString())).toEqual(['one', 'two', 'three']);
  });

  it('refuses a ZMTP 2 peer (libzmq 3) by its version as soon as it has greeted, not by the handshake timer', async () => {
    const push = await bound(new ZmtpPush());
    const peer = await raw(push.lastEndpoint as string);
    // ZMTP 2.0: signature, revision 1, socket type PULL (7), an empty identity; then it waits.
    peer.write(greeting().subarray(0, 10), Buffer.from([1, 7, 0, 0]));
    await peer.dropped('the ZMTP 2 peer dropped');
    expect(push.watch.events).toEqual(['refused: ZMTP version 1 (a ZeroMQ library older than 4): this endpoint speaks ZMTP 3 (libzmq 4 or later)']);
  });

  it('a peer naming a megabyte-long socket type, or a mechanism of its own, is refused in a few words of ours, none of its own', async () => {
    const push = await bound(new ZmtpPush());
    const long = Buffer.from('X'.repeat(1_000_000), 'latin1');
    const size = Buffer.alloc(4);
    size.writeUInt32BE(long.length);
    const body = Buffer.concat([Buffer.from([5]), Buffer.from('READY'), Buffer.from([11]), Buffer.from('Socket-Type'), size, long]);
    const head = Buffer.alloc(9);
    head[0] = 0x06; // COMMAND | LONG
    head.writeBigUInt64BE(BigInt(body.length), 1);
    const peer = await raw(push.lastEndpoint as string);
    peer.write(greeting(), head, body);
    await peer.dropped('the long-named peer dropped');
    const odd = await raw(push.lastEndpoint as string);
    odd.write(greeting(3, 'MINE'));
    await odd.dropped('the peer of an unknown mechanism dropped');
    expect(push.watch.events).toEqual(['refused: an unknown socket cannot talk to a PUSH', 'refused: security mechanism unknown: this endpoint takes NULL (no CURVE configured)']);
  });

  it('a peer announcing a frame past 64 MiB is refused with the limit, not its own size', async () => {
    const push = await bound(new ZmtpPush());
    const peer = await raw(push.lastEndpoint as string);
    const head = Buffer.alloc(9);
    head[0] = 0x02; // LONG
    head.writeBigUInt64BE(2n ** 40n + 12345n, 1);
    peer.write(greeting(), ready('PULL'), head);
    await peer.dropped('the peer dropped');
    expect(push.watch.events).toEqual(['connected', 'disconnected']);
    const sub = await bound(new ZmtpSub());
    const pub = await raw(sub.lastEndpoint as string);
    pub.write(greeting(), head);
    await pub.dropped('the peer dropped before READY');
    expect(sub.watch.events).toEqual([`refused: a frame or message past ${64 * 1024 * 1024} bytes`]);
  });

  it('a libzmq handler set up for CURVE, which hangs up at our NULL greeting, is said as refused, not dropped in silence', async () => {
    const push = await bound(new ZmtpPush());
    const keys = curveKeyPair();
    const curved = new Pull({ linger: 0, curveServerKey: keys.publicKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey });
    curved.connect(push.lastEndpoint as string);
    closers.push(() => curved.close());
    await until(() => (push.watch.events.length > 0 ? true : undefined), 'the CURVE peer refused');
    expect(push.watch.events[0]).toMatch(/^refused: it hung up during the handshake.*CURVE/);
    expect(push.watch.events).not.toContain('connected');
  });

  it('a peer that reads our greeting and hangs up without a byte (libzmq set up for CURVE, when ours came first) is said as refused', async () => {
    const push = await bound(new ZmtpPush());
    const peer = await raw(push.lastEndpoint as string);
    await until(() => (peer.received.length >= 64 ? true : undefined), 'our greeting read');
    peer.destroy();
    await until(() => (push.watch.events.length > 0 ? true : undefined), 'the silent peer refused');
    expect(push.watch.events).toEqual([expect.stringMatching(/^refused: it hung up during the handshake without a byte.*CURVE/)]);
  });

  it('drops a PUB peer whose multipart message grows past 64 MiB in frames of 1 MiB, and keeps reading other peers', async () => {
    const sub = await bound(new ZmtpSub());
    const got: Buffer[][] = [];
    sub.onMessage = (parts) => got.push(parts);
    const peer = await raw(sub.lastEndpoint as string);
    peer.write(greeting(), ready('PUB'));
    const head = Buffer.alloc(9);
    head[0] = 0x03; // MORE | LONG
    head.writeBigUInt64BE(1024n * 1024n, 1);
    const body = Buffer.alloc(1024 * 1024, 'z');
    for (let i = 0; i < 70 && !peer.closed; i++) {
      if (!peer.socket.write(Buffer.concat([head, body]))) await peer.drained();
    }
    await peer.dropped('the endless message dropped');
    expect(got).toEqual([]);
    await subscribedPublisher(sub.lastEndpoint as string, got, 'after');
    expect(got[0]?.[0]?.toString()).toBe('after');
  });

  it('thirty peers writing garbage are said as refused in a line or two, with how many, not a line each', async () => {
    const refused: string[] = [];
    const sockets = await openZmtpLinkSockets({ number: 'bbs.1', sendSpec: ANY, recvSpec: ANY }, { connected: () => undefined, disconnected: () => undefined, refused: (why) => void refused.push(why) }, 300);
    closers.push(() => sockets.close(0));
    const peers = await Promise.all(Array.from({ length: 30 }, () => raw(sockets.sendSpec)));
    for (const peer of peers) peer.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    const counted = (): number => refused.reduce((sum, line) => sum + Number(/\((\d+) more peers? refused so within 0.3 s\)$/.exec(line)?.[1] ?? 1), 0);
    await until(() => (counted() === 30 ? true : undefined), 'all thirty refusals said');
    expect(refused[0]).toMatch(/^not a ZMTP 3 peer/);
    expect(refused.length).toBeLessThan(30);
  });

  it('a PULL peer that stops reading is skipped past its high-water mark: the other peer gets the rest, and nothing is lost once it reads again', async () => {
    const { push, peer: stalled } = await pushWithRawPull();
    stalled.socket.pause();
    const got = pullFrom(push.lastEndpoint as string);
    await until(() => (push.watch.events.length === 2 ? true : undefined), 'the reading peer connected');
    const body = Buffer.alloc(10_000, 'r');
    // 60 MB: dealt evenly, the stalled peer would hold 30 MB; it may hold 8 MB queued plus what its kernel buffers take.
    for (let i = 0; i < 6000; i++) await push.send(body);
    await until(() => (got.length >= 3600 ? true : undefined), 'most messages at the reading peer');
    let atStalled = 0;
    const frames = new FrameReader(() => undefined, () => void atStalled++, 1 << 20, () => undefined);
    stalled.socket.removeAllListeners('data').on('data', (chunk: Buffer) => frames.push(chunk));
    frames.push(stalled.received.subarray(64));
    stalled.socket.resume();
    await until(() => (got.length + atStalled === 6000 ? true : undefined), 'every message at one peer or the other');
    expect(atStalled).toBeGreaterThan(0);
  });

  it('a peer refused on the recv spec (SUB) is said to the link too, as one on the send spec is', async () => {
    const refused: string[] = [];
    const sockets = await openZmtpLinkSockets({ number: 'bbs.1', sendSpec: ANY, recvSpec: ANY }, { connected: () => undefined, disconnected: () => undefined, refused: (why) => void refused.push(why) });
    closers.push(() => sockets.close(0));
    const wrong = new ZmqPush({ linger: 0 });
    wrong.connect(sockets.recvSpec);
    closers.push(() => wrong.close());
    await until(() => (refused.length > 0 ? true : undefined), 'the PUSH peer on the SUB refused');
    expect(refused[0]).toBe('a PUSH socket cannot talk to a SUB');
  });
});
