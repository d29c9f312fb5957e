import { describe, expect, it } from 'vitest';
import { eventAboveInputLine } from '../server/doors/input-line-redraw.js';
import { PLAIN_TERMINAL, terminalCaps } from '../server/render-text.js';

const EVENT = Buffer.from('<zed> hi\r\n');
const xterm = terminalCaps('xterm-256color');

describe('an event above the line being typed (telnet)', () => {
  it('at no prompt with nothing typed, is just the event', () => {
    expect(eventAboveInputLine(EVENT, { prompt: Buffer.alloc(0), typed: '' }, xterm, 80).toString()).toBe('<zed> hi\r\n');
  });

  it('on an ANSI terminal erases the line in place and draws prompt and typing again', () => {
    const prompt = Buffer.from('\x1b[1;32m> \x1b[0m');
    expect(eventAboveInputLine(EVENT, { prompt, typed: 'half' }, xterm, 80).toString()).toBe('\r\x1b[J<zed> hi\r\n\x1b[1;32m> \x1b[0mhalf');
  });

  it('goes up every row a long line wrapped onto (colour codes take no width)', () => {
    const prompt = Buffer.from('\x1b[1;32m> \x1b[0m');
    // 2 + 38 = 40 characters on a 20-column terminal: two rows, the cursor on the second.
    const out = eventAboveInputLine(EVENT, { prompt, typed: 'x'.repeat(38) }, xterm, 20).toString();
    expect(out.startsWith('\r\x1b[1A\x1b[J<zed> hi\r\n')).toBe(true);
    expect(eventAboveInputLine(EVENT, { prompt, typed: 'x'.repeat(39) }, xterm, 20).toString().startsWith('\r\x1b[2A\x1b[J')).toBe(true);
  });

  it('counts a wide character (CJK, emoji) as two columns when going up the rows it wrapped onto', () => {
    const prompt = Buffer.from('\x1b[1;32m> \x1b[0m');
    // 2 + 2 x 10 = 22 columns on a 20-column terminal: two rows, though only 12 characters.
    expect(eventAboveInputLine(EVENT, { prompt, typed: '漢'.repeat(10) }, xterm, 20).toString().startsWith('\r\x1b[1A\x1b[J')).toBe(true);
    expect(eventAboveInputLine(EVENT, { prompt, typed: '🙂'.repeat(9) }, xterm, 20).toString().startsWith('\r\x1b[J')).toBe(true);
  });

  it('on an ANSI terminal that echoes the typing itself (it refused WILL ECHO), erases nothing: the event goes on the next line', () => {
    const prompt = Buffer.from('\x1b[1;32m> \x1b[0m');
    const out = eventAboveInputLine(EVENT, { prompt, typed: '', terminalEchoes: true }, xterm, 80).toString();
    expect(out).toBe('\r\n<zed> hi\r\n\x1b[1;32m> \x1b[0m');
    expect(out).not.toContain('\x1b[J');
  });

  it('on a plain terminal puts the event on the next line, then the input line again, with no escape', () => {
    const out = eventAboveInputLine(EVENT, { prompt: Buffer.from('> '), typed: 'half' }, PLAIN_TERMINAL, 80).toString();
    expect(out).toBe('\r\n<zed> hi\r\n> half');
  });
});
