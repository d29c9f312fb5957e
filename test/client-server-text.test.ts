import { describe, expect, it } from 'vitest';
import { plainLine, sanitiseServerText, splitColouredLines } from '../client/server-text.js';

const colour = { colour: true };
const mono = { colour: false };

describe('sanitiseServerText', () => {
  it('keeps colour and ends it, or strips it when colour is off', () => {
    expect(sanitiseServerText('\x1b[1;31mred\x1b[0m and \x1b[38;5;208morange', colour)).toBe('\x1b[1;31mred\x1b[0m and \x1b[38;5;208morange\x1b[0m');
    expect(sanitiseServerText('\x1b[1;31mred\x1b[0m', mono)).toBe('red');
    expect(sanitiseServerText('plain', colour)).toBe('plain');
  });

  it('removes cursor movement, screen clears, titles, charsets, DCS and 8-bit CSI', () => {
    const hostile = 'a\x1b[2J\x1b[H\x1b[10;10Hb\x1b]0;owned\x07c\x1b]8;;http://x\x1b\\d\x1bPq#0;2\x1b\\e\x1b(0f\x1b7g\x9b2Jh\x1b[?1049li\x1b[>m';
    expect(sanitiseServerText(hostile, colour)).toBe('abcdefghi');
  });

  it('removes control characters and bidi overrides, keeps tabs and line ends', () => {
    expect(sanitiseServerText('a\x07b\x08c\x00d\x7fe\u202ef\tg\r\nh\ri', colour)).toBe('abcdef\tg\nh\ni');
    expect(sanitiseServerText('cut off \x1b', colour)).toBe('cut off ');
    expect(sanitiseServerText('cut off \x1b[3', colour)).toBe('cut off ');
  });

  it('makes a prompt character one short plain line', () => {
    expect(plainLine('\x1b[32m>\x1b[0m\n', 20)).toBe('> ');
    expect(plainLine('x'.repeat(50), 20)).toHaveLength(20);
  });
});

describe('splitColouredLines', () => {
  it('carries colour across line breaks so each line stands alone', () => {
    expect(splitColouredLines('\x1b[31mone\ntwo\x1b[0m\nthree')).toEqual(['\x1b[31mone\x1b[0m', '\x1b[31mtwo\x1b[0m', 'three']);
  });

  it('keeps only the last few colour changes', () => {
    const lines = splitColouredLines(`${'\x1b[1m'.repeat(1000)}\n${'x\n'.repeat(3)}`);
    expect(Math.max(...lines.slice(1).map((line) => line.length))).toBeLessThan(60);
  });
});
