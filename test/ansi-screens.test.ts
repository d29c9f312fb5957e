import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { loadScreens } from '../handler/screens.js';
import { screenFolder } from './support/screen-folder.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs } from './support/test-bbs.js';

// The shipped sample, as a sysop copies it: on the main menu under B.
const BOX_TOP_CP437 = Buffer.from([0xc9, ...Array<number>(30).fill(0xcd), 0xbb]);
const SHADES_CP437 = Buffer.from([0xb0, 0xb1, 0xb2, 0xdb, 0x20, ...Buffer.from('M2BBS'), 0x20, 0xdb, 0xb2, 0xb1, 0xb0]);
const BOX_TOP = `╔${'═'.repeat(30)}╗`;

async function toMenu(caller: TelnetCaller, name: string): Promise<void> {
  await caller.waitFor("What's your name?");
  await caller.type(name, 'password?');
  await caller.type(`${name}-pw`, '(Y/n)');
  await caller.type('y', 'to be sure.');
  await caller.type(`${name}-pw`, 'continue?');
  await caller.type('', 'MAIN MENU');
}

describe('ANSI art screens (NAME.ans, CP437 with colour)', () => {
  it('reach a telnet caller whose terminal is ANSI as CP437 bytes, and a UTF-8 caller as the same characters in UTF-8, drawn as they are at any width', async () => {
    const folder = screenFolder();
    copyFileSync(join(SHIPPED_SCREENS, 'examples', 'banner.ans'), folder.path('banner.ans'));
    const menu = readFileSync(folder.path('main.menu'), 'utf8').replace('\n*\n', '\nB. Our banner. -> screen banner\n*\n');
    folder.write('main.menu', menu);
    const bbs = await startTestBbs({ telnetNegotiationMs: 300, handlerArgs: ['--screens', folder.dir] });
    const ansi = await TelnetCaller.open(bbs.telnetPort, 'ANSI');
    const utf8 = await TelnetCaller.open(bbs.telnetPort, 'xterm', undefined, { width: 30, height: 24 });
    try {
      await toMenu(ansi, 'artsy');
      const before = ansi.bytes.length;
      await ansi.type('b', 'MAIN MENU');
      const shown = ansi.bytes.subarray(before);
      expect(shown.includes(BOX_TOP_CP437)).toBe(true);
      expect(shown.includes(SHADES_CP437)).toBe(true);
      expect(shown.includes(Buffer.from('\x1b[1;33m'))).toBe(true);
      expect(shown.toString('latin1')).toContain('artsy');
      // Not a byte of UTF-8: a CP437 terminal would draw each as a wrong character.
      expect(shown.includes(Buffer.from('═'))).toBe(false);
      // What it types is CP437 too: é (0x82) is read as é, and shown back (echo, the menu's answer) as CP437.
      const typedAt = ansi.bytes.length;
      // (The menu's answer wraps at 80 columns; its last word is on a line of its own.)
      const answered = ansi.waitFor('help.', ansi.text.length);
      ansi.sendRaw(Buffer.from([0x7a, 0x82, 0x0d, 0x0a]));
      await answered;
      const reply = ansi.bytes.subarray(typedAt);
      expect(reply.includes(Buffer.from([0x7a, 0x82]))).toBe(true);
      expect(reply.includes(Buffer.from('"Z\x90"', 'latin1'))).toBe(true);
      expect(ansi.closed).toBe(false);

      await toMenu(utf8, 'unicode');
      const seen = await utf8.type('b', 'MAIN MENU');
      expect(seen).toContain(BOX_TOP);
      expect(seen).toContain('░▒▓█ M2BBS █▓▒░');
      expect(seen).toContain('unicode');
      expect(seen).not.toContain('\uFFFD');
    } finally {
      ansi.close();
      utf8.close();
      await bbs.close();
    }
  });

  it('shows cursor forward (ESC[nC, as art editors save runs of spaces) as that many spaces, ESC[C as one', () => {
    const folder = screenFolder();
    writeFileSync(folder.path('art.ans'), Buffer.from('\x1b[1;33m\xdb\x1b[5C\xdb\x1b[C\xb0\x1b[0C|\r\n\x1b[0m', 'latin1'));
    const shown = loadScreens(folder.dir).render('art', undefined, 20);
    expect(shown).toBe('\x1b[1;33m█     █ ░ |\n\x1b[0m');
  });
});
