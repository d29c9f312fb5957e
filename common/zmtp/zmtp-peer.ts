/**
 * One peer connected to a bound ZMTP endpoint: greetings exchanged, READY commands exchanged (its
 * socket type checked against the ones ours talks to), then messages both ways. Writes made in one
 * turn of the event loop leave in one system call.
 */
import type { Socket } from 'node:net';
import { FrameReader, GREETING, greetingProblem, NOT_ZMTP3, readyCommand, readyProperties } from './zmtp-frames.js';

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
        if (this.isReady) this.events.message(parts, this);
        else this.refuse('a message before READY');
      },
      MAX_FRAME_BYTES,
      (bytes) => this.refuse(`a frame of ${bytes} bytes`),
    );
    socket.setNoDelay(true);
    this.timer = setTimeout(() => this.refuse('no handshake within 10 s'), HANDSHAKE_MS);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.close());
    socket.write(GREETING);
  }

  get ready(): boolean {
    return this.isReady;
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

  /** Ends the connection once what was written has gone. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    if (this.greeted) return this.reader.push(chunk);
    this.greeting = this.greeting === undefined ? chunk : Buffer.concat([this.greeting, chunk]);
    // The signature's last byte tells a ZMTP 3 peer from an older one before the rest arrives.
    if (this.greeting.length >= 10 && (this.greeting[0] !== 0xff || ((this.greeting[9] as number) & 0x01) !== 0x01)) return this.refuse(NOT_ZMTP3);
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
    if (this.isReady) return; // PING and the like: nothing a NULL, version 3.0 link must answer
    const properties = readyProperties(body);
    if (properties === undefined) return this.refuse('a command other than READY during the handshake');
    const type = properties.get('socket-type') ?? '';
    if (!this.peersAllowed.includes(type)) return this.refuse(`a ${type || 'nameless'} socket cannot talk to a ${this.ours}`);
    clearTimeout(this.timer);
    this.isReady = true;
    this.events.ready(this);
  }

  /** Drops the connection: a peer that never got ready is refused; one that was is gone (close() says so). */
  private refuse(why: string): void {
    if (this.closed) return;
    if (this.isReady) return void this.socket.destroy();
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
  }
}
