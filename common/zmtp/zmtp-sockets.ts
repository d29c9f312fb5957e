/**
 * The two bound sockets of Mongrel2's side of the handler protocol, in Node without libzmq: PUSH
 * (requests out, round robin over the connected PULL peers, held while none is) and SUB (replies in
 * from PUB peers, subscribed to everything). Each message is one system call's share of a write
 * made once per event-loop turn, with no I/O thread between the caller's bytes and the kernel.
 */
import type { Socket } from 'node:net';
import { encodeMessage } from './zmtp-frames.js';
import { listenOn, zmtpAddress, type BoundEndpoint } from './zmtp-endpoint.js';
import { ZmtpPeer, type PeerEvents } from './zmtp-peer.js';

/** What a bound socket tells its owner about its peers. */
export interface PeerWatch {
  connected(): void;
  /** A peer refused at its handshake (never counted as connected). */
  refused(why: string): void;
  disconnected(): void;
}

// A peer holding this much unsent is skipped, as libzmq skips a pipe at its high-water mark.
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
const RESOLVED = Promise.resolve();

abstract class BoundSocket {
  /** The peers whose handshake is done, in the order they connected. */
  protected peers: ZmtpPeer[] = [];
  private bound: BoundEndpoint | undefined;
  /** Every connection accepted and not yet closed, handshake done or not. */
  private readonly sockets = new Set<Socket>();
  private closing = false;
  watch: PeerWatch | undefined;

  protected constructor(
    private readonly ours: string,
    private readonly theirs: readonly string[],
  ) {}

  get lastEndpoint(): string | undefined {
    return this.bound?.endpoint;
  }

  /** Listens on `endpoint` (tcp:// on an address, or ipc://; see zmtpAddress); throws for one it does not bind. */
  async bind(endpoint: string): Promise<void> {
    const address = zmtpAddress(endpoint);
    if (address === undefined) throw Object.assign(new Error(`ZMTP in Node does not bind ${endpoint}`), { address: endpoint });
    this.bound = await listenOn(endpoint, address, (socket) => this.accept(socket));
  }

  /** Stops listening and drops every connection; `flushMs` > 0 lets what was written to peers go out first (bounded). */
  async close(flushMs = 0): Promise<void> {
    // Connections mid-handshake that we drop did not hang up on us: not a refusal to report.
    this.closing = true;
    const peers = this.peers;
    this.peers = [];
    // The server's close completes once every connection has: it is awaited after they are dropped.
    const stopped = this.bound?.close();
    if (flushMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(peers.map((peer) => flushed(peer))), new Promise((done) => (timer = setTimeout(done, flushMs)))]);
      clearTimeout(timer);
    }
    for (const socket of this.sockets) socket.destroy();
    await stopped;
  }

  protected abstract message(parts: Buffer[], peer: ZmtpPeer): void;

  protected joined(peer: ZmtpPeer): void {
    this.peers = [...this.peers, peer];
    this.watch?.connected();
  }

  protected left(peer: ZmtpPeer): void {
    if (!this.peers.includes(peer)) return;
    this.peers = this.peers.filter((p) => p !== peer);
    this.watch?.disconnected();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const events: PeerEvents = {
      ready: (peer) => this.joined(peer),
      refused: (_peer, why) => (this.closing ? undefined : this.watch?.refused(why)),
      message: (parts, peer) => this.message(parts, peer),
      gone: (peer) => this.left(peer),
    };
    new ZmtpPeer(socket, this.ours, this.theirs, events);
  }
}

function flushed(peer: ZmtpPeer): Promise<void> {
  if (peer.backlog === 0) return RESOLVED;
  return new Promise((done) => {
    peer.socket.once('drain', () => done());
    peer.socket.once('close', () => done());
  });
}

/** PUSH: each message to the next connected peer in turn. */
export class ZmtpPush extends BoundSocket {
  private next = 0;
  private waiting: (() => void)[] = [];

  constructor() {
    super('PUSH', ['PULL']);
  }

  /** Sends a message (its parts as one ZeroMQ multipart message); resolves once a peer has it, which waits while none is connected. */
  send(message: Buffer | Buffer[]): Promise<void> {
    if (this.trySend(message)) return RESOLVED;
    return new Promise<void>((done) => this.waiting.push(done)).then(() => this.send(message));
  }

  /** Sends at once to the next peer that can take it; false when none can (nothing is sent). */
  trySend(message: Buffer | Buffer[]): boolean {
    const peer = this.pick();
    if (peer === undefined) return false;
    peer.write(encodeMessage(message));
    return true;
  }

  protected override joined(peer: ZmtpPeer): void {
    super.joined(peer);
    peer.socket.on('drain', () => this.wake());
    this.wake();
  }

  protected message(): void {
    // A PULL peer sends nothing; what it might is dropped.
  }

  private wake(): void {
    for (const done of this.waiting.splice(0)) done();
  }

  private pick(): ZmtpPeer | undefined {
    const peers = this.peers;
    if (peers.length === 1) return (peers[0] as ZmtpPeer).backlog < HIGH_WATER_BYTES ? peers[0] : undefined;
    for (let tried = 0; tried < peers.length; tried++) {
      const peer = peers[(this.next + tried) % peers.length] as ZmtpPeer;
      if (peer.backlog < HIGH_WATER_BYTES) {
        this.next = (this.next + tried + 1) % peers.length;
        return peer;
      }
    }
    return undefined;
  }
}

/** SUB: every message of every PUB peer, subscribed to all. */
export class ZmtpSub extends BoundSocket {
  onMessage: ((parts: Buffer[]) => void) | undefined;

  constructor() {
    super('SUB', ['PUB', 'XPUB']);
  }

  protected override joined(peer: ZmtpPeer): void {
    // ZMTP 3.0's subscription: a message whose first byte is 1, then the prefix (none: everything).
    peer.write(encodeMessage(Buffer.from([1])));
    super.joined(peer);
  }

  protected message(parts: Buffer[]): void {
    this.onMessage?.(parts);
  }
}
