/**
 * A WebSocket client made by hand over TCP, for tests that must send what no library would
 * (frames cut into single bytes, broken rules) and see every frame the proxy sends back.
 */
import { connect, type Socket } from 'node:net';
import { goodUpgrade } from './fuzz-http-inputs.js';
import { wsFrame, type WsFrameSpec } from './fuzz-websocket-inputs.js';

export interface ServerFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

export class RawWebSocket {
  /** Every frame the server has sent, in order. */
  readonly frames: ServerFrame[] = [];
  /** Resolves when the server has closed the TCP connection. */
  readonly closed: Promise<void>;
  private ended = false;
  private pending = Buffer.alloc(0);
  private readonly watchers = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (piece: Buffer) => {
      this.pending = Buffer.concat([this.pending, piece]);
      this.cut();
      for (const watch of [...this.watchers]) watch();
    });
    socket.on('error', () => {});
    // Each write its own segment: a frame written a byte at a time reaches the server so.
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        for (const watch of [...this.watchers]) watch();
        resolve();
      }),
    );
  }

  /** Opens a WebSocket to the front port with a good handshake; resolves once the 101 has come. */
  static open(port: number): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('error', reject);
      let head = Buffer.alloc(0);
      const onHead = (piece: Buffer): void => {
        head = Buffer.concat([head, piece]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHead);
        const status = head.subarray(0, end).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101 ')) return reject(new Error(status));
        const ws = new RawWebSocket(socket);
        socket.unshift(head.subarray(end + 4));
        resolve(ws);
      };
      socket.on('data', onHead);
      socket.write(goodUpgrade());
    });
  }

  /** Sends one frame, laid out as `spec` says (masked and final unless it says otherwise). */
  frame(spec: WsFrameSpec): void {
    this.socket.write(wsFrame(spec));
  }

  /** Sends bytes as they are. */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The text frames' messages, as the page would read them (`{"type","msg"}`). */
  messages(): { type: string; msg: string }[] {
    return this.frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString('utf8')) as { type: string; msg: string });
  }

  /** Resolves with the first frame `match` accepts, waiting for it if need be; rejects if the connection closes first. */
  until(match: (frame: ServerFrame) => boolean): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.frames.find(match);
        if (found === undefined && !this.ended) return;
        this.watchers.delete(check);
        if (found === undefined) reject(new Error(`the server closed the connection first; frames: ${JSON.stringify(this.frames.map((f) => [f.opcode, f.payload.toString()]))}`));
        else resolve(found);
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Resolves once a prompt has come (`count` of them in all); rejects if the connection closes first. */
  untilPrompt(count = 1): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const enough = this.messages().filter((m) => m.type === 'prompt').length >= count;
        if (!enough && !this.ended) return;
        this.watchers.delete(check);
        if (enough) resolve();
        else reject(new Error(`the server closed the connection before prompt ${count}: ${JSON.stringify(this.messages())}`));
      };
      this.watchers.add(check);
      check();
    });
  }

  /** The server's close frame's code and reason, once it comes. */
  async closeFrame(): Promise<{ code: number; reason: string }> {
    const { payload } = await this.until((f) => f.opcode === 8);
    return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
  }

  destroy(): void {
    this.socket.destroy();
  }

  private cut(): void {
    for (;;) {
      if (this.pending.length < 2) return;
      const b1 = this.pending[1]!;
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.pending.length < 4) return;
        length = this.pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.pending.length < 10) return;
        length = Number(this.pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.pending.length < offset + length) return;
      const b0 = this.pending[0]!;
      this.frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: Buffer.from(this.pending.subarray(offset, offset + length)) });
      this.pending = this.pending.subarray(offset + length);
    }
  }
}
