import { describe, expect, it } from 'vitest';
import { ReplyReader } from '../common/reply-reader.js';

const replies = [
  { type: 'screen', msg: 'Welcome to the M2BBS.' },
  { type: 'prompt', msg: "What's your name?", pchar: '> ' },
  { type: 'prompt', msg: 'Ünïcödé {braces} "quotes" \\ and ]brackets[', pchar: '> ', echo: false },
  { type: 'exit', msg: 'ab' },
];
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
const framings = {
  'base64 + NUL (Mongrel2 <= 1.7, m2bbs proxy)': replies.map((r) => `${b64(r)}\0`).join(''),
  'bare glued base64 (Mongrel2 >= 1.8)': replies.map(b64).join(''),
};

describe('ReplyReader', () => {
  for (const [name, wire] of Object.entries(framings)) {
    it(`reads ${name} in one chunk`, () => {
      const out = new ReplyReader().push(wire);
      expect(out).toEqual({ messages: replies, errors: [] });
    });

    it(`reads ${name} split at every byte`, () => {
      for (let cut = 0; cut <= wire.length; cut++) {
        const reader = new ReplyReader();
        const first = reader.push(wire.slice(0, cut));
        const second = reader.push(wire.slice(cut));
        expect([...first.messages, ...second.messages]).toEqual(replies);
        expect([...first.errors, ...second.errors]).toEqual([]);
      }
    });

    it(`reads ${name} one byte at a time`, () => {
      const reader = new ReplyReader();
      const messages: unknown[] = [];
      for (const ch of wire) messages.push(...reader.push(Buffer.from(ch, 'latin1')).messages);
      expect(messages).toEqual(replies);
    });
  }

  it('says plainly when the server answers with an HTTP error instead', () => {
    const out = new ReplyReader().push('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found');
    expect(out.messages).toEqual([]);
    expect(out.errors).toEqual(['server answered with an HTTP error: HTTP/1.1 404 Not Found']);
  });

  it('reports base64 that is not JSON, then keeps reading', () => {
    const reader = new ReplyReader();
    const out = reader.push(`${Buffer.from('hello').toString('base64')}\0${b64(replies[0])}\0`);
    expect(out.errors.length).toBeGreaterThan(0);
    expect(out.messages).toEqual([replies[0]]);
  });
});
