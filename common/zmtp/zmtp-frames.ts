/**
 * ZMTP 3.0 (rfc.zeromq.org/spec/23) as the bound side of a NULL-mechanism connection speaks it:
 * the 64-byte greeting, the READY command, and message frames (a flags byte, a 1- or 8-byte size,
 * the body). libzmq 4 peers, which every Mongrel2 handler and m2bbs backend link against, speak it.
 */

/** Our greeting: signature, version 3.0, mechanism NULL, not as-server, filler. */
export const GREETING = ((): Buffer => {
  const greeting = Buffer.alloc(64);
  greeting[0] = 0xff;
  greeting[9] = 0x7f;
  greeting[10] = 3;
  greeting[11] = 0;
  greeting.write('NULL', 12, 'latin1');
  return greeting;
})();

const MORE = 0x01;
const LONG = 0x02;
const COMMAND = 0x04;

/** Why a peer is refused whose signature is not ZMTP 3's. */
export const NOT_ZMTP3 = 'not a ZMTP 3 peer (a ZeroMQ library older than 4, or not ZeroMQ at all)';

/** Why a peer is refused whose greeting names a version before 3 (it would wait for a ZMTP 2 answer, never sending the rest). */
export function versionProblem(major: number): string {
  return `ZMTP version ${major} (a ZeroMQ library older than 4): this endpoint speaks ZMTP 3 (libzmq 4 or later)`;
}

/** Why a peer's greeting is refused, or undefined when it is a ZMTP 3 NULL greeting. */
export function greetingProblem(greeting: Buffer): string | undefined {
  if (greeting[0] !== 0xff || ((greeting[9] ?? 0) & 0x01) !== 0x01) return NOT_ZMTP3;
  if ((greeting[10] ?? 0) < 3) return versionProblem(greeting[10] ?? 0);
  const mechanism = greeting.toString('latin1', 12, 32).replace(/\0+$/, '');
  // Named only when it is one ZMTP has: a peer's own bytes are not copied into the log.
  if (mechanism !== 'NULL') return `security mechanism ${['PLAIN', 'CURVE', 'GSSAPI'].includes(mechanism) ? mechanism : 'unknown'}: this endpoint takes NULL (no CURVE configured)`;
  return undefined;
}

/** The PONG command frame answering a PING command's body (its context echoed, as ZMTP 3.1 asks). */
export function pongCommand(pingBody: Buffer): Buffer | undefined {
  if (pingBody[0] !== 4 || pingBody.toString('latin1', 1, 5) !== 'PING' || pingBody.length < 7) return undefined;
  const context = pingBody.subarray(7, 7 + 16);
  return Buffer.concat([Buffer.from([COMMAND, 5 + context.length, 4]), Buffer.from('PONG', 'latin1'), context]);
}

/** A READY command frame naming our socket type. */
export function readyCommand(socketType: string): Buffer {
  const name = 'Socket-Type';
  const body = Buffer.alloc(1 + 5 + 1 + name.length + 4 + socketType.length);
  let at = body.writeUInt8(5, 0);
  at += body.write('READY', at, 'latin1');
  at = body.writeUInt8(name.length, at);
  at += body.write(name, at, 'latin1');
  at = body.writeUInt32BE(socketType.length, at);
  body.write(socketType, at, 'latin1');
  return Buffer.concat([Buffer.from([COMMAND, body.length]), body]);
}

/** The properties of a READY command's body, or undefined when the command is not READY. */
export function readyProperties(body: Buffer): Map<string, string> | undefined {
  const nameLength = body[0] ?? 0;
  if (body.toString('latin1', 1, 1 + nameLength) !== 'READY') return undefined;
  const properties = new Map<string, string>();
  let at = 1 + nameLength;
  while (at < body.length) {
    const keyLength = body[at] ?? 0;
    const key = body.toString('latin1', at + 1, at + 1 + keyLength);
    at += 1 + keyLength;
    if (at + 4 > body.length) return undefined;
    const valueLength = body.readUInt32BE(at);
    at += 4;
    if (at + valueLength > body.length) return undefined;
    properties.set(key.toLowerCase(), body.toString('latin1', at, at + valueLength));
    at += valueLength;
  }
  return properties;
}

/** The wire bytes of one message: each part a frame, MORE on all but the last. */
export function encodeMessage(parts: Buffer | readonly Buffer[]): Buffer {
  const list = Buffer.isBuffer(parts) ? [parts] : parts;
  let size = 0;
  for (const part of list) size += part.length + (part.length > 255 ? 9 : 2);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const part = list[i] as Buffer;
    const more = i < list.length - 1 ? MORE : 0;
    if (part.length > 255) {
      out[at] = more | LONG;
      out.writeBigUInt64BE(BigInt(part.length), at + 1);
      at += 9;
    } else {
      out[at] = more;
      out[at + 1] = part.length;
      at += 2;
    }
    at += part.copy(out, at);
  }
  return out;
}

/** Cuts a peer's bytes, after its greeting, into commands and messages; frames may be split anywhere. */
export class FrameReader {
  // Chunks of a frame not yet whole, joined once when it is: joining at every chunk would copy a
  // large frame again for each of its chunks (quadratic in its size).
  private chunks: Buffer[] = [];
  private held = 0;
  /** Bytes needed before the held chunks can make progress. */
  private needed = 0;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private stopped = false;

  constructor(
    private readonly onCommand: (body: Buffer) => void,
    private readonly onMessage: (parts: Buffer[]) => void,
    /** Frames, or messages of many frames, larger than this end the connection (what a peer can make us hold is bounded). */
    private readonly maxFrameBytes: number,
    private readonly onTooLarge: (bytes: bigint) => void,
  ) {}

  /** Reads nothing more: the connection is being dropped, and what followed in its bytes is not acted on. */
  stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.parts = [];
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.held += chunk.length;
    if (this.held < this.needed) return;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.held);
    this.chunks = [];
    this.held = 0;
    this.needed = 0;
    const at = this.frames(data);
    if (at < data.length && !this.stopped) {
      // Copied so that a small rest does not pin the whole chunk it came in.
      this.chunks.push(Buffer.from(data.subarray(at)));
      this.held = data.length - at;
    }
  }

  /** Acts on each whole frame of `data`; returns where the first incomplete one starts. */
  private frames(data: Buffer): number {
    let at = 0;
    while (!this.stopped) {
      if (at + 2 > data.length) {
        this.needed = at + 2 - data.length;
        break;
      }
      const flags = data[at] as number;
      let size: number;
      let head: number;
      if ((flags & LONG) !== 0) {
        if (at + 9 > data.length) {
          this.needed = at + 9 - data.length;
          break;
        }
        const big = data.readBigUInt64BE(at + 1);
        if (big + BigInt(this.partsBytes) > BigInt(this.maxFrameBytes)) {
          this.stop();
          this.onTooLarge(big + BigInt(this.partsBytes));
          break;
        }
        size = Number(big);
        head = 9;
      } else {
        size = data[at + 1] as number;
        head = 2;
      }
      if (at + head + size > data.length) {
        this.needed = at + head + size - data.length;
        break;
      }
      const body = data.subarray(at + head, at + head + size);
      at += head + size;
      if ((flags & COMMAND) !== 0) {
        this.onCommand(body);
        continue;
      }
      this.parts.push(body);
      this.partsBytes += size;
      if ((flags & MORE) === 0) {
        const message = this.parts;
        this.parts = [];
        this.partsBytes = 0;
        this.onMessage(message);
      } else if (this.partsBytes > this.maxFrameBytes) {
        this.stop();
        this.onTooLarge(BigInt(this.partsBytes));
        break;
      }
    }
    // The rest is held with `needed` counted from its own start.
    if (this.needed > 0) this.needed += data.length - at;
    return at;
  }
}
