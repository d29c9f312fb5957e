import { describe, expect, it } from 'vitest';
import { JsonSocketFramer, httpError } from '../server/doors/json-socket-framer.js';

const frame = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('JsonSocketFramer', () => {
  it('cuts pipelined frames and keeps a partial one for the next chunk, at every split', () => {
    const wire = frame('@bbs {"type":"msg","msg":"connect"}\0@bbs.10 {"type":"msg","msg":"Grüße"}\0');
    for (let cut = 0; cut <= wire.length; cut++) {
      const framer = new JsonSocketFramer(1024);
      const a = framer.push(wire.subarray(0, cut));
      const b = framer.push(wire.subarray(cut));
      expect([...a.frames, ...b.frames].map((f) => [f.route, f.body.toString('utf8')])).toEqual([
        ['@bbs', '{"type":"msg","msg":"connect"}'],
        ['@bbs.10', '{"type":"msg","msg":"Grüße"}'],
      ]);
      expect(a.error ?? b.error).toBeUndefined();
    }
  });

  it.each([
    ['no space after the route', '@bbs{"a":1}\0', 400, 'space after the route is missing'],
    ['a body that is not an object', '@bbs [1,2]\0', 400, 'must be a JSON object'],
    ['a route with odd characters', '@bb$ {"a":1}\0', 404, 'no such route'],
    ['a frame without @', 'bbs {"a":1}\0', 400, 'must start with @route'],
  ])('refuses %s', (_name, text, status, reason) => {
    const { frames, error } = new JsonSocketFramer(1024).push(frame(text));
    expect(frames).toEqual([]);
    expect(error).toEqual({ status, reason: expect.stringContaining(reason) });
  });

  it('refuses invalid UTF-8 and a frame that never ends', () => {
    const bad = Buffer.concat([frame('@bbs {"msg":"'), Buffer.from([0xff, 0xfe]), frame('"}\0')]);
    expect(new JsonSocketFramer(1024).push(bad).error).toEqual({ status: 400, reason: 'the body is not valid UTF-8' });
    const framer = new JsonSocketFramer(16);
    expect(framer.push(frame('@bbs {"msg":"')).error).toBeUndefined();
    expect(framer.push(frame('xxxxxxxxxxxxxxxxxx')).error?.reason).toBe('frame longer than 16 bytes without its closing NUL');
  });

  it('answers as Mongrel2 does', () => {
    expect(httpError(404)).toBe('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 9\r\nServer: m2bbs\r\n\r\nNot Found');
  });
});
