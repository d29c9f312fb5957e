/**
 * RFC 6455 frames as a server reads and writes them: a reader that takes a client's bytes in
 * whatever pieces TCP delivers and hands back whole, unmasked frames, and the encoder for the
 * server's own (unmasked) frames. No extensions are negotiated, so any RSV bit is an error.
 */

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** Close codes (RFC 6455 7.4.1) the server sends. */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_INVALID_DATA = 1007;
export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;

export interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** A frame the server must refuse: the close code to answer with, and why (for the log). */
export interface FrameError {
  readonly code: number;
  readonly why: string;
}

/**
 * Collects a client's bytes and cuts them into frames. Once a frame's header is read, the rest
 * of it is copied into one buffer as it comes, grown by doubling: a client sending a byte at a
 * time costs no Buffer per byte and little more copying than one sending the frame whole. What
 * is held between reads is in buffers of its own, at most twice what came, within one frame of
 * `maxPayload` bytes: never a view keeping a whole 64 KiB read alive for its last few bytes.
 */
export class FrameReader {
  /**
   * Bytes not in a frame yet: the rest of the read being cut (a view into it), or, between reads,
   * a header not yet whole (13 bytes at most, a copy of its own).
   */
  private pending: Buffer | undefined;
  /** A frame whose header was read, being filled: `filled` of its `frameLength` bytes have come. */
  private partial: Buffer | undefined;
  private filled = 0;
  private frameLength = 0;

  constructor(private readonly maxPayload: number) {}

  /** Takes `piece` as the reader's own: a frame within one piece is unmasked in place there. */
  push(piece: Buffer): void {
    let rest = piece;
    if (this.partial !== undefined) {
      const wanted = Math.min(rest.length, this.frameLength - this.filled);
      this.room(this.filled + wanted);
      this.filled += rest.copy(this.partial, this.filled, 0, wanted);
      rest = rest.subarray(wanted);
    }
    if (rest.length === 0) return;
    // Joined only behind a header cut by a read: a few bytes, and the read after them.
    this.pending = this.pending === undefined ? rest : Buffer.concat([this.pending, rest]);
  }

  /** The next whole frame, undefined until its last byte has come, or what is wrong with it. */
  next(): Frame | FrameError | undefined {
    const next = this.cut();
    if (next === undefined && this.pending !== undefined) this.pending = ownCopy(this.pending);
    return next;
  }

  /** Grows the frame being filled to hold `bytes`, doubling: never more than twice what came. */
  private room(bytes: number): void {
    const partial = this.partial!;
    if (bytes <= partial.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.min(this.frameLength, Math.max(bytes, partial.length * 2)));
    partial.copy(grown, 0, 0, this.filled);
    this.partial = grown;
  }

  private cut(): Frame | FrameError | undefined {
    if (this.partial !== undefined) {
      if (this.filled < this.frameLength) return undefined;
      const bytes = this.partial;
      this.partial = undefined;
      return unmasked(bytes);
    }
    const head = this.pending;
    if (head === undefined || head.length < 2) return undefined;
    const b0 = head[0]!;
    const b1 = head[1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return { code: CLOSE_PROTOCOL_ERROR, why: 'reserved bits set without an extension' };
    if (!isKnownOpcode(opcode)) return { code: CLOSE_PROTOCOL_ERROR, why: `unknown opcode ${opcode}` };
    const control = opcode >= OP_CLOSE;
    let length = b1 & 0x7f;
    if (control && !fin) return { code: CLOSE_PROTOCOL_ERROR, why: 'fragmented control frame' };
    if (control && length > 125) return { code: CLOSE_PROTOCOL_ERROR, why: 'control frame longer than 125 bytes' };
    if ((b1 & 0x80) === 0) return { code: CLOSE_PROTOCOL_ERROR, why: 'unmasked frame from a client' };
    const offset = headerLength(b1);
    if (head.length < offset) return undefined;
    if (length === 126) length = head.readUInt16BE(2);
    else if (length === 127) {
      const high = head.readUInt32BE(2);
      if ((high & 0x80000000) !== 0) return { code: CLOSE_PROTOCOL_ERROR, why: 'frame length with its top bit set' };
      if (high > 0) return { code: CLOSE_TOO_BIG, why: `frame of more than 2^32 bytes, more than ${this.maxPayload}` };
      length = head.readUInt32BE(6);
    }
    if (length > this.maxPayload) return { code: CLOSE_TOO_BIG, why: `frame of ${length} bytes, more than ${this.maxPayload}` };
    const frameLength = offset + 4 + length;
    if (head.length >= frameLength) {
      this.pending = head.length === frameLength ? undefined : head.subarray(frameLength);
      return unmasked(head.subarray(0, frameLength));
    }
    // Not all here: what has come goes into one buffer, grown as the rest comes (a header
    // claiming 64 KiB must not make the door set 64 KiB aside for a client that sends no more).
    this.frameLength = frameLength;
    this.filled = head.length;
    this.partial = ownCopy(head);
    this.pending = undefined;
    return undefined;
  }
}

/** A frame's header length before its mask, from its second byte. */
function headerLength(b1: number): number {
  const length = b1 & 0x7f;
  return length === 126 ? 4 : length === 127 ? 10 : 2;
}

/** The frame whose bytes (checked, whole) are `bytes`, its payload unmasked in place. */
function unmasked(bytes: Buffer): Frame {
  const offset = headerLength(bytes[1]!);
  const payload = bytes.subarray(offset + 4);
  unmask(payload, bytes, offset);
  return { fin: (bytes[0]! & 0x80) !== 0, opcode: bytes[0]! & 0x0f, payload };
}

/** `bytes` in a buffer of its own: not a view of a larger read, nor a slice of Node's shared 8 KB pool, kept alive with it. */
export function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

function isKnownOpcode(opcode: number): boolean {
  return opcode <= OP_BINARY || (opcode >= OP_CLOSE && opcode <= OP_PONG);
}

// The mask is the 4 bytes at `at` in `frame`; the payload is unmasked in place.
function unmask(payload: Buffer, frame: Buffer, at: number): void {
  const mask = frame.subarray(at, at + 4);
  for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i & 3]!;
}

/** A close code a peer may send (RFC 6455 7.4; 1005 and 1006 are never sent, 1004 is reserved). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** One server frame (never masked, always final) carrying `data`: a string goes as its UTF-8. */
export function encodeFrame(opcode: number, data: string | Buffer): Buffer {
  const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (typeof data === 'string') frame.write(data, header, 'utf8');
  else data.copy(frame, header);
  return frame;
}

/** A close frame's payload: the code, then the reason cut to fit a control frame's 125 bytes. */
export function closePayload(code: number, reason: string): Buffer {
  let text = Buffer.from(reason);
  if (text.length > 123) text = Buffer.from(text.subarray(0, 123).toString('utf8').replace(/\uFFFD$/u, ''));
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}
