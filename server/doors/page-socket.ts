/**
 * One page's WebSocket over its TCP socket, once the handshake is done: whole messages in, frames
 * out, pings answered, the closing handshake either way, and every protocol fault closed with
 * the code RFC 6455 gives it. An idle page costs this object and its frame reader (issue 19: the
 * `ws` library kept a WebSocket, a Receiver and a Sender with a second stream state per caller).
 */
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import { HANG_UP_LINGER_MS } from './refuse-connection.js';
import {
  CLOSE_INVALID_DATA, CLOSE_NORMAL, CLOSE_PROTOCOL_ERROR, CLOSE_TOO_BIG, FrameReader, OP_BINARY, OP_CLOSE,
  OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT, closePayload, encodeFrame, isValidCloseCode, ownCopy, type Frame,
} from './websocket-frames.js';

/** Who hears what the page sends: the door's connection. */
export interface PageSocketOwner {
  /** A whole message: text as its UTF-8 bytes (checked valid), or binary. */
  received(data: Buffer, isBinary: boolean): void;
  /** The TCP connection closed, however it ended. Called once. */
  closed(): void;
  /** The page broke the protocol; the socket is being closed with the code that says how. */
  failed(why: string): void;
}

/**
 * How long a close sent waits for the page's own close before the socket is destroyed: the other
 * doors' grace after a hang-up. A page that ignored the close held its place under
 * --max-per-address 30 s more.
 */
const CLOSE_WAIT_MS = HANG_UP_LINGER_MS;
/** Fragments one message may come in (browsers send a message whole). */
export const MAX_FRAGMENTS = 64;
/** Past this many bytes unread by the page, its pings go unanswered (RFC 6455 5.5.3 allows it). */
const PONG_BACKLOG_BYTES = 64 * 1024;

// The socket's 'error' listener is the front door's (front-door.ts): an error surfaces as its close.
const SOCKETS = new WeakMap<Socket, PageSocket>();

export class PageSocket {
  private owner: PageSocketOwner | undefined;
  private readonly reader: FrameReader;
  private fragments: Buffer[] | undefined;
  /** Frames of the message being gathered, empty ones too. */
  private fragmentFrames = 0;
  private fragmentBytes = 0;
  private fragmentsBinary = false;
  private closeSent = false;
  /** The page's close came, or it broke the protocol: nothing more it sends is read. */
  private doneReading = false;
  private closeTimer: NodeJS.Timeout | undefined;

  /** `head` is what the page sent after its handshake, read with it; `live` holds every open page. */
  constructor(
    private readonly socket: Socket,
    private readonly maxPayload: number,
    head: Buffer,
    private readonly live?: Set<PageSocket>,
  ) {
    this.reader = new FrameReader(maxPayload);
    this.reader.push(head);
    live?.add(this);
  }

  /** Starts reading, telling `owner`; bytes that came with the handshake are read now. Call it at once after the handshake, while the socket is open. */
  listen(owner: PageSocketOwner): void {
    this.owner = owner;
    SOCKETS.set(this.socket, this);
    this.socket.on('data', onData);
    this.socket.on('close', onClose);
    this.read();
  }

  /** Open both ways: no close sent or received, the connection up. */
  get open(): boolean {
    return !this.closeSent && !this.doneReading && !this.socket.destroyed;
  }

  /** Bytes written and not yet taken by the page's TCP connection. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** Sends one message (a string as text, a buffer as binary); `sent` is called once it has gone out. Dropped once closing. */
  send(data: string | Buffer, sent?: () => void): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.socket.write(encodeFrame(typeof data === 'string' ? OP_TEXT : OP_BINARY, data), sent);
  }

  /** Starts the closing handshake: the page's own close (or CLOSE_WAIT_MS) ends the connection. */
  close(code: number, reason: string): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.closeSent = true;
    this.socket.write(encodeFrame(OP_CLOSE, closePayload(code, reason)));
    // Their close must be read for the close to finish, held back or not.
    this.socket.resume();
    if (this.doneReading) this.socket.end();
    this.closeTimer = setTimeout(destroy, CLOSE_WAIT_MS, this.socket).unref();
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.socket.destroy();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** @internal the socket's data listener */
  took(piece: Buffer): void {
    if (this.doneReading) return;
    this.reader.push(piece);
    this.read();
  }

  /** @internal the socket's close listener */
  ended(): void {
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    SOCKETS.delete(this.socket);
    this.live?.delete(this);
    const owner = this.owner;
    this.owner = undefined;
    owner?.closed();
  }

  private read(): void {
    while (!this.doneReading && !this.socket.destroyed) {
      const next = this.reader.next();
      if (next === undefined) return;
      if ('code' in next) return this.fail(next.code, next.why);
      this.frame(next);
    }
  }

  private frame({ fin, opcode, payload }: Frame): void {
    if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (this.fragments !== undefined) return this.fail(CLOSE_PROTOCOL_ERROR, 'a new message before the last one ended');
      if (fin) return this.message(payload, opcode === OP_BINARY);
      // Kept across reads: copies of their own, so a byte of a fragment does not hold its whole read.
      this.fragments = payload.length === 0 ? [] : [ownCopy(payload)];
      this.fragmentFrames = 1;
      this.fragmentBytes = payload.length;
      this.fragmentsBinary = opcode === OP_BINARY;
      return;
    }
    if (opcode === OP_CONTINUATION) return this.continuation(fin, payload);
    if (opcode === OP_CLOSE) return this.closeReceived(payload);
    if (opcode === OP_PING && this.socket.writableLength <= PONG_BACKLOG_BYTES && !this.closeSent) {
      this.socket.write(encodeFrame(OP_PONG, payload));
    }
    // A pong (or a ping left unanswered) needs nothing more.
  }

  private continuation(fin: boolean, payload: Buffer): void {
    const fragments = this.fragments;
    if (fragments === undefined) return this.fail(CLOSE_PROTOCOL_ERROR, 'a continuation frame with no message begun');
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > this.maxPayload) return this.fail(CLOSE_TOO_BIG, `message of more than ${this.maxPayload} bytes`);
    if (payload.length > 0) fragments.push(fin ? payload : ownCopy(payload));
    this.fragmentFrames += 1;
    if (!fin && this.fragmentFrames >= MAX_FRAGMENTS) return this.fail(CLOSE_TOO_BIG, `message in more than ${MAX_FRAGMENTS} fragments`);
    if (!fin) return;
    this.fragments = undefined;
    this.message(Buffer.concat(fragments, this.fragmentBytes), this.fragmentsBinary);
  }

  private message(data: Buffer, isBinary: boolean): void {
    if (!isBinary && !isUtf8(data)) return this.fail(CLOSE_INVALID_DATA, 'a text message that is not UTF-8');
    this.owner?.received(data, isBinary);
  }

  // Their close is answered with its own code (RFC 6455 5.5.1), then the connection ends.
  private closeReceived(payload: Buffer): void {
    if (payload.length === 1) return this.fail(CLOSE_PROTOCOL_ERROR, 'a close frame of one byte');
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
    if (code !== undefined && !isValidCloseCode(code)) return this.fail(CLOSE_PROTOCOL_ERROR, `close code ${code}`);
    if (!isUtf8(payload.subarray(2))) return this.fail(CLOSE_INVALID_DATA, 'a close reason that is not UTF-8');
    this.doneReading = true;
    if (this.closeSent) return void this.socket.end();
    this.close(code ?? CLOSE_NORMAL, '');
  }

  private fail(code: number, why: string): void {
    this.doneReading = true;
    this.fragments = undefined;
    this.owner?.failed(why);
    if (this.closeSent) return void this.socket.end();
    this.close(code, why);
  }
}

// The same two listeners for every page (`this` is the socket): no closures per caller.
function onData(this: Socket, piece: Buffer): void {
  SOCKETS.get(this)?.took(piece);
}

function onClose(this: Socket): void {
  SOCKETS.get(this)?.ended();
}

function destroy(socket: Socket): void {
  socket.destroy();
}
