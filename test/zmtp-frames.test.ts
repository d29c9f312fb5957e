import { describe, expect, it } from 'vitest';
import { encodeMessage, FrameReader, pongCommand } from '../common/zmtp/zmtp-frames.js';

// The frame reader is a pure feed(bytes): tested whole, byte by byte, and cut at every kind of place.
function reader(maxBytes = 1 << 20): { feed: (chunk: Buffer) => void; messages: string[][]; commands: string[]; tooLarge: bigint[] } {
  const messages: string[][] = [];
  const commands: string[] = [];
  const tooLarge: bigint[] = [];
  const frames = new FrameReader(
    (body) => void commands.push(body.toString('latin1')),
    (parts) => void messages.push(parts.map((p) => p.toString('latin1'))),
    maxBytes,
    (bytes) => void tooLarge.push(bytes),
  );
  return { feed: (chunk) => frames.push(chunk), messages, commands, tooLarge };
}

const MESSAGES: string[][] = [['one'], ['a', '', 'b'.repeat(300)], ['c'.repeat(255), 'd'.repeat(256)], ['e'.repeat(70_000)], ['']];
const WIRE = Buffer.concat([Buffer.from([0x04, 5, 4, ...Buffer.from('PING')]), ...MESSAGES.map((m) => encodeMessage(m.map((p) => Buffer.from(p, 'latin1'))))]);

describe('ZMTP frame reader', () => {
  it('reads the same commands and messages whole, byte by byte, and in chunks of every size from 2 to 1,000', () => {
    const whole = reader();
    whole.feed(WIRE);
    expect(whole.messages).toEqual(MESSAGES);
    expect(whole.commands).toEqual(['\x04PING']);
    const byByte = reader();
    for (let at = 0; at < WIRE.length; at++) byByte.feed(WIRE.subarray(at, at + 1));
    expect(byByte.messages).toEqual(MESSAGES);
    for (let size = 2; size <= 1000; size += 37) {
      const chunked = reader();
      for (let at = 0; at < WIRE.length; at += size) chunked.feed(WIRE.subarray(at, at + size));
      expect(chunked.messages).toEqual(MESSAGES);
    }
  });

  it('stops at a frame announcing 2^63 bytes, or a message whose parts add up past the limit, and reads nothing after', () => {
    const huge = reader();
    const head = Buffer.alloc(9);
    head[0] = 0x02;
    head.writeBigUInt64BE(1n << 63n, 1);
    huge.feed(Buffer.concat([head, encodeMessage(Buffer.from('after'))]));
    expect(huge.tooLarge).toEqual([1n << 63n]);
    expect(huge.messages).toEqual([]);

    const endless = reader(1000);
    const part = encodeMessage([Buffer.alloc(300), Buffer.alloc(0)]).subarray(0, 9 + 300); // one MORE frame of 300 bytes
    for (let i = 0; i < 5; i++) endless.feed(part);
    endless.feed(encodeMessage(Buffer.from('after')));
    expect(endless.tooLarge).toEqual([1200n]);
    expect(endless.messages).toEqual([]);
  });

  it('answers a PING with a PONG carrying its context, and nothing else', () => {
    const ping = Buffer.concat([Buffer.from([4]), Buffer.from('PING'), Buffer.from([0, 10]), Buffer.from('context')]);
    expect(pongCommand(ping)).toEqual(Buffer.concat([Buffer.from([0x04, 12, 4]), Buffer.from('PONGcontext')]));
    expect(pongCommand(Buffer.concat([Buffer.from([4]), Buffer.from('PONG'), Buffer.from([0, 10])]))).toBeUndefined();
  });
});
