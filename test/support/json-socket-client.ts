/** A raw TCP JSON-socket caller: writes `@route {json}\0` frames, reads replies either framing. */
import { connect, type Socket } from 'node:net';
import { ReplyReader } from '../../common/reply-reader.js';
import { ReplyQueue, type JsonReply, type Turn } from './reply-queue.js';

export class JsonSocketClient {
  private readonly reader = new ReplyReader();
  private readonly queue = new ReplyQueue();
  readonly errors: string[] = [];

  private constructor(private readonly socket: Socket, private readonly route: string) {
    socket.on('data', (chunk: Buffer) => {
      const { messages, errors } = this.reader.push(chunk);
      this.errors.push(...errors);
      this.queue.push(...(messages as JsonReply[]));
    });
    socket.on('close', () => this.queue.end());
    socket.on('error', (error) => this.errors.push(error.message));
  }

  static open(port: number, route = '@bbs'): Promise<JsonSocketClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new JsonSocketClient(socket, route)));
      socket.once('error', reject);
    });
  }

  /** Writes one line as a `{"type":"msg"}` frame. */
  send(line: string): void {
    this.socket.write(`${this.route} ${JSON.stringify({ type: 'msg', msg: line })}\0`);
  }

  /** Writes bytes as they are. */
  sendRaw(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  untilPrompt(): Promise<Turn> {
    return this.queue.untilPrompt();
  }

  async exchange(line: string): Promise<Turn> {
    this.send(line);
    return this.untilPrompt();
  }

  /** Resolves when the server has closed the connection. */
  closedByServer(): Promise<void> {
    return this.queue.whenClosed();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Writes raw bytes to a port and collects everything until the server closes. */
export function rawExchange(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/** The replies a JSON-socket caller got, decoded from what it received (base64 frames ending in NUL). */
export function jsonReplies(received: string): { type: string; msg: string }[] {
  return received
    .split('\0')
    .filter((frame) => frame !== '')
    .map((frame) => JSON.parse(Buffer.from(frame, 'base64').toString('utf8')) as { type: string; msg: string });
}
