/** The frame codec on its own: every length encoding both ways, and frames read from any cut of the bytes. */
import { describe, expect, it } from 'vitest';
import { FrameReader, closePayload, encodeFrame, type Frame, type FrameError } from '../server/doors/websocket-frames.js';
import { wsFrame } from './support/fuzz-websocket-inputs.js';

function readAll(reader: FrameReader): (Frame | FrameError)[] {
  const out: (Frame | FrameError)[] = [];
  for (let next = reader.next(); next !== undefined; next = reader.next()) {
    out.push(next);
    if ('code' in next) break;
  }
  return out;
}

describe('WebSocket frames', () => {
  for (const length of [0, 125, 126, 65_535, 65_536, 100_000]) {
    it(`reads a client frame of ${length} bytes whole and cut into pieces, and writes one a client can read`, () => {
      const payload = Buffer.alloc(length, 'abc');
      const bytes = Buffer.concat([wsFrame({ opcode: 2, payload }), wsFrame({ opcode: 9, payload: Buffer.from('p') })]);
      for (const cut of [bytes.length, 7, 1]) {
        // The reader unmasks in place: each reading gets bytes of its own.
        const sent = Buffer.from(bytes);
        const reader = new FrameReader(200_000);
        const frames: (Frame | FrameError)[] = [];
        for (let at = 0; at < bytes.length; at += cut) {
          reader.push(sent.subarray(at, at + cut));
          frames.push(...readAll(reader));
        }
        expect(frames.map((f) => ('code' in f ? f : { opcode: f.opcode, fin: f.fin, length: f.payload.length }))).toEqual([
          { opcode: 2, fin: true, length },
          { opcode: 9, fin: true, length: 1 },
        ]);
        expect((frames[0] as Frame).payload.equals(payload)).toBe(true);
      }
      const server = encodeFrame(2, payload);
      const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
      expect(server.length).toBe(header + length);
      expect(server[0]).toBe(0x82);
      expect(server.subarray(header).equals(payload)).toBe(true);
    });
  }

  it('refuses a frame longer than the limit from its header alone', () => {
    const reader = new FrameReader(64 * 1024);
    reader.push(wsFrame({ opcode: 1, payload: Buffer.alloc(0), claimedLength: 70_000n }).subarray(0, 10));
    expect(reader.next()).toEqual({ code: 1009, why: 'frame of 70000 bytes, more than 65536' });
  });

  it('cuts a close reason to fit a control frame without splitting a character', () => {
    const payload = closePayload(1000, '\u00e9'.repeat(100));
    expect(payload.length).toBeLessThanOrEqual(125);
    expect(payload.readUInt16BE(0)).toBe(1000);
    expect(payload.subarray(2).toString('utf8')).toBe('\u00e9'.repeat(61));
  });
});
