import { describe, expect, it } from 'vitest';
import { neutraliseCallerText } from '../common/caller-text.js';
import { displaySafe } from '../common/display-safe.js';
import { fillPlaceholders } from '../handler/screen-markup.js';
import { INJECTION_LINE, assertHarmless, assertSurvives } from './support/injection-payloads.js';

describe('displaySafe', () => {
  it('drops controls, escapes, C1 and BiDi controls, keeping newlines, tabs and the printable rest', () => {
    expect(displaySafe('a\x1b[2Jb\x07c\rd\u009b1;1He\u202ef\u2066g\u200fh\u200bi\ufeffj\x7fk')).toBe('a[2Jbcd1;1Hefghijk');
    expect(displaySafe('line one\n\tline two')).toBe('line one\n\tline two');
    expect(displaySafe('Grüße ☎ 日本 <b>&amp;</b>')).toBe('Grüße ☎ 日本 <b>&amp;</b>');
    // Stacked accents ("Zalgo") are cut to four a character; real scripts' clusters stay whole.
    expect(displaySafe(`x${'\u0301'.repeat(20)}y`)).toBe(`x${'\u0301'.repeat(4)}y`);
    for (const word of ['Tiếng Việt', 'नमस्ते', 'ཀྲྀཾ', 'e\u0301\u0302\u0323a']) expect(displaySafe(word)).toBe(word);
    const safe = displaySafe(INJECTION_LINE);
    assertHarmless(safe);
    assertSurvives(safe);
  });

  it('is what a screen fills every placeholder with, and input is cleaned the same way', () => {
    const screen = '\x1b[33m--- from {{from}}\x1b[0m\n{{body}}';
    const shown = fillPlaceholders(screen, { from: 'mal\u202eory', body: `${INJECTION_LINE}\nsecond line` });
    // The sysop's own colour stays; nothing of the caller's does.
    expect(shown.startsWith('\x1b[33m--- from malory\x1b[0m\n')).toBe(true);
    assertHarmless(shown.slice(shown.indexOf('\n')));
    assertSurvives(shown);
    expect(shown.endsWith('\nsecond line')).toBe(true);
    expect(neutraliseCallerText('\ta\x1b]0;t\x07b\u202e')).toBe(' a]0;tb');
  });
});
