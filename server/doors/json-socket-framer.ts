/**
 * Cuts a JSON-socket byte stream into `@route {json}\0` frames, as Mongrel2 reads them; says
 * exactly what is wrong with a stream that is not one.
 */
import { isUtf8 } from 'node:buffer';

export interface JsonFrame {
  readonly route: string;
  readonly body: Buffer;
}

export interface FrameError {
  readonly status: 400 | 404;
  readonly reason: string;
}

export interface FramerOutput {
  readonly frames: JsonFrame[];
  /** Set when the stream is unusable; the frames before it are still good. */
  readonly error: FrameError | undefined;
}

const ROUTE = /^@[A-Za-z0-9._/-]{1,64}$/;
const EMPTY = Buffer.alloc(0);

export class JsonSocketFramer {
  private pending: Buffer = EMPTY;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes and returns every complete frame, or the first problem. */
  push(chunk: Buffer): FramerOutput {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: JsonFrame[] = [];
    let start = 0;
    for (;;) {
      const end = this.pending.indexOf(0, start);
      if (end < 0) break;
      const parsed = parseFrame(this.pending.subarray(start, end));
      if ('status' in parsed) return { frames, error: parsed };
      frames.push(parsed);
      start = end + 1;
    }
    // Most chunks end with a whole frame: an idle caller then keeps no buffer of its own.
    this.pending = start === this.pending.length ? EMPTY : Buffer.from(this.pending.subarray(start));
    if (this.pending.length > this.maxFrameBytes) {
      return { frames, error: { status: 400, reason: `frame longer than ${this.maxFrameBytes} bytes without its closing NUL` } };
    }
    return { frames, error: undefined };
  }
}

function parseFrame(raw: Buffer): JsonFrame | FrameError {
  // Whitespace between frames (a client that writes "\n" after each NUL) is forgiven.
  let from = 0;
  while (from < raw.length && (raw[from] === 0x0a || raw[from] === 0x0d || raw[from] === 0x20)) from++;
  const frame = raw.subarray(from);
  if (frame[0] !== 0x40) return { status: 400, reason: 'a frame must start with @route' };
  const space = frame.indexOf(0x20);
  if (space < 0) return { status: 400, reason: 'a frame is "@route {json}": the space after the route is missing' };
  const route = frame.subarray(0, space).toString('latin1');
  if (!ROUTE.test(route)) return { status: 404, reason: `no such route ${JSON.stringify(route.slice(0, 64))}` };
  const body = frame.subarray(space + 1);
  if (body[0] !== 0x7b || body[body.length - 1] !== 0x7d) return { status: 400, reason: 'the body must be a JSON object, {...}' };
  if (!isUtf8(body)) return { status: 400, reason: 'the body is not valid UTF-8' };
  return { route, body: Buffer.from(body) };
}

/** The plain HTTP answer Mongrel2 gives a JSON-socket client it cannot serve. */
export function httpError(status: 400 | 404): string {
  const text = status === 404 ? 'Not Found' : 'Bad Request';
  return `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${text.length}\r\nServer: m2bbs\r\n\r\n${text}`;
}
