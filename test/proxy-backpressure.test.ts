import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { encodeReply, isDisconnect, type Mongrel2Request } from '../common/mongrel2-wire.js';
import { NOT_READING } from '../server/output-limit.js';
import type { Proxy } from '../server/proxy.js';
import { ForeignHandler } from './support/foreign-handler.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startProxyWithHandler } from './support/proxy-with-handler.js';
import { until } from './support/process-tree.js';

const MAX_OUTPUT_BYTES = 256 * 1024;
// One screen of 48 KiB: base64 on the JSON socket makes it 64 KiB on the wire.
const SCREEN = JSON.stringify({ type: 'screen', msg: 'x'.repeat(48 * 1024) });
const LARGEST_WRITE = Math.ceil(SCREEN.length / 3) * 4 + 1;

/** A caller who stops reading as soon as the line is up; `told` resumes and reads what was left. */
interface DeafCaller {
  readonly door: string;
  /** Starts reading again and resolves with the last few KB received before the line closed. */
  told(): Promise<string>;
  /** Starts reading again, for good: from now on this is a caller who reads. */
  reads(): void;
  /** Bytes received so far (WebSocket: message bytes), and whether the line has closed. */
  readonly seen: { bytes: number; closed: boolean };
  close(): void;
}

function tail(text: string): string {
  return text.slice(-8192);
}

async function deafJsonSocket(port: number): Promise<DeafCaller> {
  const socket = await open(port);
  socket.pause();
  socket.write('@bbs.10 {"type":"msg","msg":"connect"}\0');
  return deafSocket('json', socket, (text) => text.split('\0').filter(Boolean).map((b64) => Buffer.from(b64, 'base64').toString('utf8')).join('\n'));
}

async function deafTelnet(port: number): Promise<DeafCaller> {
  // Negotiates nothing, like nc: the door dials once its negotiation wait is over.
  const socket = await open(port);
  socket.pause();
  return deafSocket('telnet', socket, (text) => text);
}

async function deafWebSocket(port: number): Promise<DeafCaller> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?route=@bbs.10`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.pause();
  let last = '';
  const seen = { bytes: 0, closed: false };
  ws.on('message', (data) => {
    const text = data.toString();
    seen.bytes += text.length;
    last = tail(`${last}\n${text}`);
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  void closed.then(() => (seen.closed = true));
  return {
    door: 'websocket',
    seen,
    reads: () => ws.resume(),
    async told() {
      ws.resume();
      await closed;
      return last;
    },
    close: () => ws.terminate(),
  };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function deafSocket(door: string, socket: Socket, decode: (text: string) => string): DeafCaller {
  let last = '';
  const seen = { bytes: 0, closed: false };
  socket.on('data', (chunk: Buffer) => {
    seen.bytes += chunk.length;
    last = tail(last + chunk.toString('latin1'));
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => (seen.closed = true));
  return {
    door,
    seen,
    reads: () => socket.resume(),
    async told() {
      socket.resume();
      await closed;
      // Only whole frames are decoded: the tail may start in the middle of one.
      return decode(door === 'json' ? last.slice(last.indexOf('\0') + 1) : last);
    },
    close: () => socket.destroy(),
  };
}

// A proxy per door, so each door's peak is its own: the counters last as long as their proxy.
for (const [door, dial] of [
  ['json', deafJsonSocket],
  ['telnet', deafTelnet],
  ['websocket', deafWebSocket],
] as const) {
  describe(`a caller who never reads what the BBS sends, on the ${door} door`, () => {
    let proxy: Proxy;
    let handler: ForeignHandler;
    let witness: JsonSocketClient;
    let witnessRequest: Mongrel2Request;

    beforeAll(async () => {
      ({ proxy, handler } = await startProxyWithHandler({ maxOutputBytes: MAX_OUTPUT_BYTES }));
      // Another caller, who reads: they must keep working while the other is flooded and closed.
      witness = await JsonSocketClient.open(proxy.front.port, '@bbs.10');
      witness.send('connect');
      witnessRequest = await handler.next((r) => !isDisconnect(r) && r.headers.DOOR === 'json');
    });
    afterAll(async () => {
      witness.destroy();
      handler.close();
      await proxy.close();
    });

    /** Screens for the deaf caller, a batch at a time, each batch followed by a prompt to the witness. */
    async function flood(connId: string, uuid: string): Promise<number> {
      const before = proxy.output.overflowed;
      for (let batch = 1; batch <= 100; batch++) {
        for (let i = 0; i < 8; i++) await handler.reply(encodeReply(uuid, [connId], SCREEN));
        await handler.reply(encodeReply(uuid, [witnessRequest.connId], JSON.stringify({ type: 'prompt', msg: `tick ${batch}`, pchar: '> ' })));
        // Replies reach the proxy in order: once the witness has this one, the batch before it was handled.
        expect((await witness.untilPrompt()).prompt?.msg).toBe(`tick ${batch}`);
        if (proxy.output.overflowed > before) return batch;
      }
      throw new Error('the proxy never closed the caller who does not read');
    }

    it('a caller who reads gets one reply larger than the whole cap, and stays on the line', async () => {
      const before = proxy.output.overflowed;
      const reader = await dial(door === 'telnet' ? proxy.telnet.port : proxy.front.port);
      onTestFinished(() => reader.close());
      reader.reads();
      const request = await handler.next((r) => !isDisconnect(r) && r.headers.DOOR === door);
      const page = JSON.stringify({ type: 'screen', msg: 'p'.repeat(2 * MAX_OUTPUT_BYTES) });
      await handler.reply(encodeReply(request.uuid, [request.connId], page));
      await until(() => (reader.seen.bytes >= 2 * MAX_OUTPUT_BYTES || reader.seen.closed ? true : undefined), 'the large reply to arrive');
      expect(reader.seen.closed).toBe(false);
      expect(proxy.output.overflowed).toBe(before);
    });

    it(`is told and closed once a bounded buffer is full, and the backend hears they left`, async () => {
      const before = proxy.output.overflowed;
      const deaf = await dial(door === 'telnet' ? proxy.telnet.port : proxy.front.port);
      onTestFinished(() => deaf.close());
      const request = await handler.next((r) => !isDisconnect(r) && r.headers.DOOR === door);
      await flood(request.connId, request.uuid);

      expect(proxy.output.overflowed).toBe(before + 1);
      // What the proxy held for any one caller never went much past the cap: one reply at most.
      expect(proxy.output.peakBytes).toBeGreaterThan(MAX_OUTPUT_BYTES);
      expect(proxy.output.peakBytes).toBeLessThanOrEqual(MAX_OUTPUT_BYTES + LARGEST_WRITE);
      expect((await handler.next((r) => isDisconnect(r) && r.connId === request.connId)).connId).toBe(request.connId);
      expect(await deaf.told()).toContain(NOT_READING);

      // The other caller is still served, both ways.
      await handler.reply(encodeReply(witnessRequest.uuid, [witnessRequest.connId], JSON.stringify({ type: 'prompt', msg: 'still here?', pchar: '> ' })));
      expect((await witness.untilPrompt()).prompt?.msg).toBe('still here?');
      witness.send(`after ${door}`);
      const line = await handler.next((r) => r.connId === witnessRequest.connId && r.body.includes(`after ${door}`));
      expect(JSON.parse(line.body.toString())).toEqual({ type: 'msg', msg: `after ${door}` });
    });
  });
}

describe('a caller who reads, behind a cap smaller than one reply', () => {
  it('gets the whole reply and stays on the line: only output left unread counts against the cap', async () => {
    const cap = 16 * 1024;
    const { proxy, handler, close } = await startProxyWithHandler({ maxOutputBytes: cap });
    onTestFinished(close);
    const reader = await JsonSocketClient.open(proxy.front.port, '@bbs.10');
    onTestFinished(() => reader.destroy());
    reader.send('connect');
    const request = await handler.next((r) => !isDisconnect(r));
    // A page of the board is one reply: here 30 KB, written in one go (the door's own batching
    // holds up to 64 KiB), and nearly twice the cap.
    const page = 'p'.repeat(30 * 1024);
    await handler.reply(encodeReply(request.uuid, [request.connId], JSON.stringify({ type: 'prompt', msg: page, pchar: '> ' })));
    expect((await reader.untilPrompt()).prompt?.msg).toBe(page);
    expect(proxy.output.overflowed).toBe(0);
  });
});
