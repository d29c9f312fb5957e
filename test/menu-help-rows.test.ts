/**
 * The main menu's help on a real 80x24 telnet terminal: the shipped main.help.txt and the prompt
 * after it fit the screen at once (none of it scrolls off), no row wider than 80 columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textColumns } from '../handler/text-wrap.js';
import { MAIN_MENU_KEYS } from './support/main-menu.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

/** The screen text without colour codes and carriage returns. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
}

describe('? at the main menu on an 80x24 terminal', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('shows the help and then only the prompt, together no more than 24 rows of at most 80 columns', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm', undefined, { width: 80, height: 24 });
    try {
      await telnet.signUpToMenu('rows', 'rows-password');
      // From the line the caller typed (its row included) to the prompt waiting under the help.
      const shown = plain(await telnet.type('?', 'Enter shows the menu).'));
      const rows = shown.replace(/^\n/, '').split('\n');
      expect(rows.length).toBeLessThanOrEqual(24);
      expect(rows.filter((row) => textColumns(row) > 80)).toEqual([]);
      expect(shown).toContain('Help for the main menu');
      expect(shown).toContain('N  New messages since you last read there, area by area.');
      expect(shown).toContain('Q  Quit: hang up, rows. Call again soon.');
      expect(shown).toMatch(new RegExp(`Your choice: ${MAIN_MENU_KEYS} \\(Enter shows the menu\\)\\.\\n?> ?$`));
      expect(shown).not.toContain('MAIN MENU');
      // Enter shows the menu again; a key at the short prompt does what it does at the menu.
      expect(plain(await telnet.type('', 'MAIN MENU'))).toContain('1. Leave a message.');
      await telnet.type('?', 'Enter shows the menu).');
      expect(plain(await telnet.type('W', 'MAIN MENU'))).toContain('rows');
    } finally {
      telnet.close();
    }
  });
});
