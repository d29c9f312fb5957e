/** A WebSocket caller as the page is one: JSON text frames each way. */
import WebSocket from 'ws';
import type { JsonReply, Turn } from './json-socket-client.js';

export class WsCaller {
  private readonly queue: JsonReply[] = [];
  private wake: (() => void) | undefined;
  closeCode: number | undefined;
  closeReason = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.queue.push(JSON.parse(data.toString()) as JsonReply);
      this.poke();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.poke();
    });
  }

  static open(port: number, path = '/ws', headers: Record<string, string> = {}): Promise<WsCaller> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
      const caller = new WsCaller(ws);
      ws.once('open', () => resolve(caller));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  private poke(): void {
    this.wake?.();
    this.wake = undefined;
  }

  /** Replies up to the next prompt, or until the socket closes. */
  async untilPrompt(): Promise<Turn> {
    const texts: string[] = [];
    for (;;) {
      const reply = this.queue.shift();
      if (reply !== undefined) {
        texts.push(reply.msg);
        if (reply.type === 'prompt') return { texts, prompt: reply, closed: false };
        continue;
      }
      if (this.closeCode !== undefined) return { texts, prompt: undefined, closed: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async exchange(line: string): Promise<Turn> {
    this.ws.send(JSON.stringify({ type: 'msg', msg: line }));
    return this.untilPrompt();
  }
}
