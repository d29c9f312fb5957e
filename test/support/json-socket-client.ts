/**
 * A raw TCP JSON-socket caller: writes `@route {json}\0` frames, reads replies either framing.
 * Behind a real Mongrel2 with several handlers it may number its inputs (`"seq":N` in the body)
 * and send its unanswered ones again, oldest first, after a silence, for exactly-once across a
 * handler killed with the input in flight (or a line a handler dropped waiting for the one before
 * it); prompts then say which input they answer, and older ones are skipped.
 */
import { connect, type Socket } from 'node:net';
import { ReplyReader } from '../../common/reply-reader.js';
import { ReplyQueue, type JsonReply, type Turn } from './reply-queue.js';

export interface JsonSocketOptions {
  /** Number each input in the body (`"seq":N`, from 1) and wait for the prompt that answers it. */
  readonly numbered?: boolean;
  /** With `numbered`: send every unanswered input again, oldest first, after this long without a word from the BBS. */
  readonly resendAfterMs?: number;
  /** Calls from this loopback address (any 127.x.y.z on Linux), as another caller's machine. */
  readonly localAddress?: string;
}

export class JsonSocketClient {
  private readonly reader = new ReplyReader();
  private readonly queue = new ReplyQueue();
  readonly errors: string[] = [];
  private seq = 0;
  // Inputs sent and not yet answered by a prompt, by number.
  private readonly unanswered = new Map<number, string>();
  private silence: NodeJS.Timeout | undefined;
  /** How many times an input was sent again after a silence. */
  resent = 0;
  /** Every message received, in order, whether or not a turn has read it (events come between prompts). */
  readonly heard: JsonReply[] = [];
  private readonly hearing = new Set<() => void>();

  private constructor(private readonly socket: Socket, private readonly route: string, private readonly options: JsonSocketOptions) {
    socket.on('data', (chunk: Buffer) => {
      const { messages, errors } = this.reader.push(chunk);
      this.errors.push(...errors);
      this.queue.push(...(messages as JsonReply[]));
      this.heard.push(...(messages as JsonReply[]));
      for (const wake of this.hearing) wake();
      if (this.silence === undefined) return;
      // Answered: nothing to send again; anything else heard starts the silence afresh.
      for (const m of messages as { type?: string; seq?: number }[]) {
        if (m.type === 'prompt') for (const seq of this.unanswered.keys()) if (seq <= (m.seq ?? 0)) this.unanswered.delete(seq);
      }
      if (this.unanswered.size === 0) this.quiet();
      else this.listen();
    });
    socket.on('close', () => {
      this.quiet();
      this.queue.end();
      for (const wake of this.hearing) wake();
    });
    socket.on('error', (error) => this.errors.push(error.message));
  }

  static open(port: number, route = '@bbs', options: JsonSocketOptions = {}): Promise<JsonSocketClient> {
    return new Promise((resolve, reject) => {
      const { localAddress } = options;
      const socket = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new JsonSocketClient(socket, route, options)));
      socket.once('error', reject);
    });
  }

  /** Writes one line as a `{"type":"msg"}` frame (numbered with `numbered`). */
  send(line: string): void {
    if (this.options.numbered !== true) {
      this.socket.write(`${this.route} ${JSON.stringify({ type: 'msg', msg: line })}\0`);
      return;
    }
    this.seq++;
    const frame = `${this.route} ${JSON.stringify({ type: 'msg', msg: line, seq: this.seq })}\0`;
    this.unanswered.set(this.seq, frame);
    this.socket.write(frame);
    this.listen();
  }

  private listen(): void {
    clearTimeout(this.silence);
    const ms = this.options.resendAfterMs;
    if (ms === undefined || this.unanswered.size === 0) return;
    this.silence = setTimeout(() => {
      if (this.socket.destroyed || this.unanswered.size === 0) return;
      this.resent++;
      // In the order they were typed (a Map keeps it): each runs only after the one before it.
      for (const frame of this.unanswered.values()) this.socket.write(frame);
      this.listen();
    }, ms);
  }

  private quiet(): void {
    clearTimeout(this.silence);
    this.silence = undefined;
  }

  /** Writes bytes as they are. */
  sendRaw(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Replies up to the next prompt; numbered, up to the prompt that answers the last input (an older one, shown again by a handler that took the call over, is skipped). */
  async untilPrompt(): Promise<Turn> {
    if (this.options.numbered !== true) return this.queue.untilPrompt();
    const texts: string[] = [];
    for (;;) {
      const turn = await this.queue.untilPrompt();
      const ack = (turn.prompt as { seq?: number } | undefined)?.seq;
      if (turn.prompt !== undefined && ack !== undefined && ack < this.seq) {
        texts.push(...turn.texts.slice(0, -1));
        continue;
      }
      return { ...turn, texts: [...texts, ...turn.texts] };
    }
  }

  async exchange(line: string): Promise<Turn> {
    this.send(line);
    return this.untilPrompt();
  }

  /** Resolves with the first message from index `from` of `heard` on that `match` accepts; rejects if the line closes first. */
  hears(match: (reply: JsonReply) => boolean, from = 0): Promise<JsonReply> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.heard.slice(from).find(match);
        if (found !== undefined || this.queue.closed) this.hearing.delete(check);
        if (found !== undefined) resolve(found);
        else if (this.queue.closed) reject(new Error(`line closed before the message awaited; heard:\n${this.heard.map((r) => `${r.type}: ${r.msg}`).join('\n')}`));
      };
      this.hearing.add(check);
      check();
    });
  }

  /** Resolves when the server has closed the connection. */
  closedByServer(): Promise<void> {
    return this.queue.whenClosed();
  }

  destroy(): void {
    this.quiet();
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
