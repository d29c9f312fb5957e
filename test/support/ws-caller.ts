/** A WebSocket caller as the page is one: JSON text frames each way. */
import WebSocket from 'ws';
import { ReplyQueue, type JsonReply, type Turn } from './reply-queue.js';

export class WsCaller {
  private readonly queue = new ReplyQueue();
  closeCode: number | undefined;
  closeReason = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.queue.push(JSON.parse(data.toString()) as JsonReply);
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.queue.end();
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

  untilPrompt(): Promise<Turn> {
    return this.queue.untilPrompt();
  }

  async exchange(line: string): Promise<Turn> {
    this.ws.send(JSON.stringify({ type: 'msg', msg: line }));
    return this.untilPrompt();
  }
}
