import { describe, expect, it } from 'vitest';
import { PLAIN_TERMINAL, renderReply, terminalCaps } from '../server/render-text.js';

const screen = (msg: string): string => JSON.stringify({ type: 'screen', msg });

describe('rendering replies for a terminal', () => {
  it('gives a CP437 terminal the glyphs CP437 draws at control bytes as one-character look-alikes, never as the control byte', () => {
    const bytes = renderReply(screen('[►◄▲▼→←↑↓↔↕○◘◙•♥☺]'), terminalCaps('ANSI')).bytes;
    expect(bytes.toString('latin1')).toContain('[><^v><^v-|o#o*??]');
    expect([...bytes].filter((byte) => (byte < 0x20 && byte !== 0x0d && byte !== 0x0a && byte !== 0x1b) || byte === 0x7f)).toEqual([]);
  });

  it('keeps a sysop colour for colour terminals and comes back to the door colour after a reset', () => {
    const colour = terminalCaps('xterm-256color');
    const text = renderReply(screen('Plain \x1b[1;31mred\x1b[0m plain again'), colour).bytes.toString('utf8');
    const [door] = /^\x1b\[[0-9;]*m/.exec(text) ?? [''];
    expect(door).not.toBe('');
    expect(text).toContain(`\x1b[0m${door} plain again`);
  });

  it('gives plain terminals plain ASCII with CRLF line ends and no escapes', () => {
    const text = renderReply(screen('Grüße\n\x1b[32mgreen\x1b[0m'), PLAIN_TERMINAL).bytes.toString('latin1');
    expect(text).toBe('Grusse\r\ngreen\r\n');
  });
});
