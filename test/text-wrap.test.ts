import { describe, expect, it } from 'vitest';
import { clampColumns } from '../common/terminal-columns.js';
import { textColumns, wrapText } from '../handler/text-wrap.js';

describe('word wrap to the caller width', () => {
  it('breaks at spaces, keeps lines that fit as they are, and breaks a word only when it is longer than a line', () => {
    expect(wrapText('short line\n  kept   as typed', 20)).toBe('short line\n  kept   as typed');
    expect(wrapText(`${' '.repeat(30)}\n>${' '.repeat(30)}`, 20)).toBe('\n>');
    expect(wrapText('the quick brown fox jumps over the lazy dog', 20)).toBe('the quick brown fox\njumps over the lazy\ndog');
    const long = wrapText('see https://example.com/a/very/long/path/that/goes/on ok', 20);
    expect(long.split('\n').every((line) => textColumns(line) <= 20)).toBe(true);
    expect(long.replace(/\n/g, '')).toBe('see https://example.com/a/very/long/path/that/goes/on ok');
  });

  it('counts colour codes as no width, wide characters as two, and keeps an indent on continuation lines', () => {
    expect(wrapText('\x1b[33myellow\x1b[0m words that fill up a line', 20)).toBe('\x1b[33myellow\x1b[0m words that\nfill up a line');
    expect(textColumns('日本語')).toBe(6);
    expect(wrapText('日本語 日本語 日本語 日本語', 20)).toBe('日本語 日本語 日本語\n日本語');
    expect(wrapText('  - a list item that goes on for quite a while', 20)).toBe('  - a list item that\n  goes on for quite\n  a while');
    expect(wrapText('> > a quoted line that goes on for a while', 20)).toBe('> > a quoted line\n> > that goes on for\n> > a while');
  });

  it('shows a line of only quote marks whole, and never makes a line wider than the caller, however deep the indent', () => {
    const marks = '>'.repeat(100);
    const wrapped = wrapText(marks, 40);
    expect(wrapped.replace(/\n/g, '')).toBe(marks);
    expect(wrapped.split('\n').map(textColumns)).toEqual([40, 40, 20]);
    const deep = `${' '.repeat(50)}${'x'.repeat(50)}`;
    const lines = wrapText(deep, 40).split('\n');
    expect(Math.max(...lines.map(textColumns))).toBeLessThanOrEqual(40);
    expect(lines.join('').replace(/ /g, '')).toBe('x'.repeat(50));
    // An indent under half the line is still one: a word that does not fit after it gets less indent, not a break.
    expect(wrapText(`${' '.repeat(19)}${'y'.repeat(30)}`, 40)).toBe(`${' '.repeat(10)}${'y'.repeat(30)}`);
  });

  it('clamps a width to 20..250 and ignores what is not a positive integer', () => {
    expect(clampColumns(40)).toBe(40);
    expect(clampColumns('60')).toBe(60);
    expect(clampColumns(5)).toBe(20);
    expect(clampColumns(10_000)).toBe(250);
    for (const bad of [0, -3, 4.5, 'wide', '', null, undefined, {}, '1e3']) expect(clampColumns(bad)).toBeUndefined();
  });
});
