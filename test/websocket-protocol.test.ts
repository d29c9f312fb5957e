/**
 * The WebSocket door's own RFC 6455 framing, against a real proxy and backend: what browsers and
 * libraries may send (frames in pieces, fragments, pings between them, a close) is understood,
 * and each broken rule closes the line with the code that says which.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rawExchange } from './support/json-socket-client.js';
import { wsFrame, type WsFrameSpec } from './support/fuzz-websocket-inputs.js';
import { RawWebSocket } from './support/raw-websocket.js';
import { until } from './support/process-tree.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

const line = (msg: string): Buffer => Buffer.from(JSON.stringify({ type: 'msg', msg }));
const closeBody = (code: number, reason = ''): Buffer => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);

describe('the WebSocket door speaking RFC 6455 itself', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs.close();
  });

  async function atNamePrompt(): Promise<RawWebSocket> {
    const ws = await RawWebSocket.open(bbs.frontPort);
    await ws.untilPrompt(1);
    return ws;
  }

  it('reads a frame that comes one byte at a time, and a message in fragments with a ping between them', async () => {
    const ws = await atNamePrompt();
    for (const byte of wsFrame({ opcode: 1, payload: line('bytewise') })) {
      ws.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await ws.untilPrompt(2);
    expect(ws.messages().at(-1)).toMatchObject({ type: 'prompt' });

    // A second caller signs up as "José": the é's two bytes are split between two fragments.
    const other = await atNamePrompt();
    const json = line('Jos\u00e9');
    const split = json.indexOf(0xc3) + 1;
    other.frame({ opcode: 1, fin: false, payload: json.subarray(0, 5) });
    other.frame({ opcode: 9, payload: Buffer.from('are you there') });
    other.frame({ opcode: 0, fin: false, payload: json.subarray(5, split) });
    other.frame({ opcode: 0, fin: true, payload: json.subarray(split) });
    const pong = await other.until((f) => f.opcode === 10);
    expect(pong.payload.toString()).toBe('are you there');
    await other.untilPrompt(2);
    ws.destroy();
    other.destroy();
  });

  it('cuts a page the BBS hung up on that ignores its close after the same short grace as the other doors, and it stops counting', async () => {
    const ws = await atNamePrompt();
    for (let n = 0; n < 3; n++) ws.frame({ opcode: 1, payload: line('!') });
    // Told, then sent a close: the page never answers it, and the connection is cut all the same.
    await ws.until((f) => f.opcode === 8);
    await ws.closed;
    expect(ws.messages().map((m) => m.msg).join('\n')).toContain('too many');
    // Within the 3 s grace (it was 30 s), well inside this wait.
    await until(() => (bbs.proxy.caps.open === 0 ? true : undefined), 'the page to stop counting', 10_000);
  });

  it('takes a message in 64 fragments, the most it allows', async () => {
    const ws = await atNamePrompt();
    const json = line('sixty-four');
    ws.frame({ opcode: 1, fin: false, payload: json.subarray(0, 1) });
    for (let i = 0; i < 62; i += 1) ws.frame({ opcode: 0, fin: false, payload: Buffer.alloc(0) });
    ws.frame({ opcode: 0, fin: true, payload: json.subarray(1) });
    await ws.untilPrompt(2);
    ws.destroy();
  });

  const broken: [string, WsFrameSpec[], number][] = [
    ['an unmasked frame', [{ opcode: 1, masked: false, payload: line('x') }], 1002],
    ['a reserved bit', [{ opcode: 1, rsv: 4, payload: line('x') }], 1002],
    ['an unknown opcode', [{ opcode: 3, payload: Buffer.from('x') }], 1002],
    ['a fragmented ping', [{ opcode: 9, fin: false, payload: Buffer.from('x') }], 1002],
    ['a continuation with no message begun', [{ opcode: 0, payload: Buffer.from('x') }], 1002],
    ['a new message inside a fragmented one', [{ opcode: 1, fin: false, payload: Buffer.from('{') }, { opcode: 1, payload: line('x') }], 1002],
    ['text that is not UTF-8', [{ opcode: 1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }], 1007],
    ['a frame claiming 2^40 bytes (no payload sent)', [{ opcode: 1, payload: Buffer.alloc(0), claimedLength: 2n ** 40n }], 1009],
    ['a message in 65 fragments (empty ones count too)', [{ opcode: 1, fin: false, payload: Buffer.from('{') }, ...Array.from({ length: 64 }, () => ({ opcode: 0, fin: false, payload: Buffer.alloc(0) }))], 1009],
    ['a message of more than 64 KiB in two fragments', [{ opcode: 1, fin: false, payload: Buffer.alloc(40_000, 0x20) }, { opcode: 0, fin: true, payload: Buffer.alloc(30_000, 0x20) }], 1009],
    ['a close of one byte', [{ opcode: 8, payload: Buffer.from([3]) }], 1002],
    ['a close with code 1005 (never sent on the wire)', [{ opcode: 8, payload: closeBody(1005) }], 1002],
  ];
  for (const [what, frames, code] of broken) {
    it(`closes a page that sends ${what} with ${code}, and ends the connection`, async () => {
      const ws = await atNamePrompt();
      for (const frame of frames) ws.frame(frame);
      expect((await ws.closeFrame()).code).toBe(code);
      await ws.closed;
    });
  }

  it('answers a close with its own code and ends the connection', async () => {
    const ws = await atNamePrompt();
    ws.frame({ opcode: 8, payload: closeBody(4000, 'bye now') });
    expect((await ws.closeFrame()).code).toBe(4000);
    await ws.closed;
  });

  it('refuses a handshake of another version or with a bad key, and takes a good one after', async () => {
    const upgrade = (headers: string): string => `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`;
    const oldVersion = await rawExchange(bbs.frontPort, upgrade('Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'));
    expect(oldVersion).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
    expect(oldVersion).toContain('sec-websocket-version: 13\r\n');
    expect(await rawExchange(bbs.frontPort, upgrade('Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n'))).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*Sec-WebSocket-Key/);
    const caller = await WsCaller.open(bbs.frontPort);
    expect((await caller.untilPrompt()).texts[0]).toBe('ATDT @bbs.10 ... CONNECT');
    caller.ws.close();
  });

  it('takes the first subprotocol a client offers, as browsers require of a server that answers', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${bbs.frontPort}/ws`, ['bbs', 'chat']);
    await new Promise((opened, failed) => {
      ws.once('open', opened);
      ws.once('error', failed);
    });
    expect(ws.protocol).toBe('bbs');
    ws.close();
    expect(await rawExchange(bbs.frontPort, 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: a b\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 Bad Request\r\n[^]*Invalid Sec-WebSocket-Protocol/,
    );
  });
});
