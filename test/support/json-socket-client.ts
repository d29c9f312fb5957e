/** A raw TCP JSON-socket caller: writes `@route {json}\0` frames, reads replies either framing. */
import { connect, type Socket } from 'node:net';
import { ReplyReader } from '../../common/reply-reader.js';

export type JsonReply = { readonly type: string; readonly msg: string; readonly pchar?: string; readonly echo?: boolean };

export interface Turn {
  readonly texts: string[];
  readonly prompt: JsonReply | undefined;
  readonly closed: boolean;
}

export class JsonSocketClient {
  private readonly reader = new ReplyReader();
  private readonly queue: JsonReply[] = [];
  readonly errors: string[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket, private readonly route: string) {
    socket.on('data', (chunk: Buffer) => {
      const { messages, errors } = this.reader.push(chunk);
      this.queue.push(...(messages as JsonReply[]));
      this.errors.push(...errors);
      this.poke();
    });
    socket.on('close', () => {
      this.ended = true;
      this.poke();
    });
    socket.on('error', (error) => this.errors.push(error.message));
  }

  static open(port: number, route = '@bbs'): Promise<JsonSocketClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new JsonSocketClient(socket, route)));
      socket.once('error', reject);
    });
  }

  private poke(): void {
    this.wake?.();
    this.wake = undefined;
  }

  /** Writes one line as a `{"type":"msg"}` frame. */
  send(line: string): void {
    this.socket.write(`${this.route} ${JSON.stringify({ type: 'msg', msg: line })}\0`);
  }

  /** Writes bytes as they are. */
  sendRaw(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Collects replies up to and including the next prompt, or until the server closes. */
  async untilPrompt(): Promise<Turn> {
    const texts: string[] = [];
    for (;;) {
      const reply = this.queue.shift();
      if (reply !== undefined) {
        texts.push(reply.msg);
        if (reply.type === 'prompt') return { texts, prompt: reply, closed: false };
        continue;
      }
      if (this.ended) return { texts, prompt: undefined, closed: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async exchange(line: string): Promise<Turn> {
    this.send(line);
    return this.untilPrompt();
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
