/**
 * One peer connected to a bound ZMTP endpoint: greetings exchanged, READY commands exchanged (its
 * socket type checked against the ones ours talks to), then messages both ways. Writes made in one
 * turn of the event loop leave in one system call.
 */
import type { Socket } from 'node:net';
import { FrameReader, GREETING, greetingProblem, NOT_ZMTP3, pongCommand, readyCommand, readyProperties, versionProblem } from './zmtp-frames.js';

/** What a peer tells the socket that accepted it. */
export interface PeerEvents {
  /** The handshake is done: messages may flow. */
  ready(peer: ZmtpPeer): void;
  /** The handshake failed (`why`); the connection is closed and never counted. */
  refused(peer: ZmtpPeer, why: string): void;
  message(parts: Buffer[], peer: ZmtpPeer): void;
  /** The connection closed after it was ready. */
  gone(peer: ZmtpPeer): void;
}

// Large enough for any request or reply batch; a peer sending more is broken or hostile.
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
// How long a peer may take to greet and say READY.
const HANDSHAKE_MS = 10_000;
// Past this much unsent, a peer is not reading: a PONG would only wait behind the rest.
const MAX_PONG_BACKLOG = 64 * 1024;
// A refusal names only what it can name from this list: the peer's own words would go into the log
// (megabytes of them), and each new word past the refusal throttle, which holds back only repeats.
const SOCKET_TYPES = new Set(['PAIR', 'PUB', 'SUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PULL', 'PUSH', 'XPUB', 'XSUB', 'STREAM', 'SERVER', 'CLIENT', 'RADIO', 'DISH', 'GATHER', 'SCATTER', 'DGRAM', 'PEER', 'CHANNEL']);
const HUNG_UP = 'it hung up during the handshake, after our greeting (NULL security, ZMTP 3.0): a peer set up for CURVE or PLAIN security does (for CURVE, give the proxy --curve-key; or start the handler without security)';
// libzmq reads what is there before it writes its own greeting: when ours came first it can find
// the mismatch and hang up without having sent a byte (seen in CI under load, every reconnect alike).
const HUNG_UP_UNHEARD = 'it hung up during the handshake without a byte, after our greeting (NULL security, ZMTP 3.0): a peer set up for CURVE or PLAIN security can (for CURVE, give the proxy --curve-key; or start the handler without security), as can a program that only probed the endpoint';

export class ZmtpPeer {
  private greeted = false;
  private greeting: Buffer | undefined;
  private isReady = false;
  private closed = false;
  private corked = false;
  private readonly reader: FrameReader;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly socket: Socket,
    /** Our socket type (PUSH, SUB), and the peer types it talks to. */
    private readonly ours: string,
    private readonly peersAllowed: readonly string[],
    private readonly events: PeerEvents,
  ) {
    this.reader = new FrameReader(
      (body) => this.command(body),
      (parts) => {
        if (this.closed) return;
        if (this.isReady) this.events.message(parts, this);
        else this.refuse('a message before READY');
      },
      MAX_FRAME_BYTES,
      () => this.refuse(`a frame or message past ${MAX_FRAME_BYTES} bytes`),
    );
    socket.setNoDelay(true);
    this.timer = setTimeout(() => this.refuse('no handshake within 10 s'), HANDSHAKE_MS);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.close());
    socket.write(GREETING);
  }

  /** Bytes written to this peer that the kernel has not taken yet. */
  get backlog(): number {
    return this.socket.writableLength;
  }

  /** Writes encoded frames; everything written in this turn goes out together. */
  write(bytes: Buffer): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    if (this.greeted) return this.reader.push(chunk);
    this.greeting = this.greeting === undefined ? chunk : Buffer.concat([this.greeting, chunk]);
    // The signature's last byte tells a ZMTP 3 peer from an older one before the rest arrives.
    if (this.greeting.length >= 10 && (this.greeting[0] !== 0xff || ((this.greeting[9] as number) & 0x01) !== 0x01)) return this.refuse(NOT_ZMTP3);
    // A ZMTP 2 peer (libzmq 3) sends 12 to 14 bytes and waits: refused by its version, not by the timer.
    if (this.greeting.length >= 11 && (this.greeting[10] as number) < 3) return this.refuse(versionProblem(this.greeting[10] as number));
    if (this.greeting.length < 64) return;
    const problem = greetingProblem(this.greeting);
    if (problem !== undefined) return this.refuse(problem);
    const rest = this.greeting.subarray(64);
    this.greeting = undefined;
    this.greeted = true;
    this.socket.write(readyCommand(this.ours));
    if (rest.length > 0) this.reader.push(rest);
  }

  private command(body: Buffer): void {
    if (this.closed) return;
    if (this.isReady) {
      // libzmq sends PING whatever version we greeted with, and drops a link whose PINGs go
      // unanswered (ZMQ_HEARTBEAT_IVL, its timeout the interval unless set): answer every one.
      const pong = pongCommand(body);
      // A peer that does not read what it is sent gets no more PONGs: PINGs must not make us hold without bound.
      if (pong !== undefined && this.backlog < MAX_PONG_BACKLOG) this.write(pong);
      return;
    }
    const properties = readyProperties(body);
    if (properties === undefined) return this.refuse('a command other than READY during the handshake');
    const type = properties.get('socket-type') ?? '';
    if (!this.peersAllowed.includes(type)) return this.refuse(`${SOCKET_TYPES.has(type) ? `a ${type}` : type === '' ? 'a nameless' : 'an unknown'} socket cannot talk to a ${this.ours}`);
    clearTimeout(this.timer);
    this.isReady = true;
    this.events.ready(this);
  }

  /** Drops the connection: a peer that never got ready is refused; one that was is gone (close() says so). */
  private refuse(why: string): void {
    if (this.closed) return;
    // What followed in the same bytes (a READY after a message) must not make it ready after all.
    this.reader.stop();
    if (this.isReady) {
      // Gone now, not at the close event a turn later: nothing is dealt to it meanwhile and lost.
      this.socket.destroy();
      return this.close();
    }
    this.closed = true;
    clearTimeout(this.timer);
    this.socket.destroy();
    this.events.refused(this, why);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const wasReady = this.isReady;
    this.isReady = false;
    if (wasReady) this.events.gone(this);
    // libzmq hangs up without a word when our greeting does not suit it (a handler set up for CURVE
    // gets NULL): a ZeroMQ peer leaving mid-handshake is said, or nobody learns why it never came.
    else if (this.greeted || (this.greeting !== undefined && this.greeting.length >= 10)) this.events.refused(this, HUNG_UP);
    else if (this.greeting === undefined) this.events.refused(this, HUNG_UP_UNHEARD);
  }
}
