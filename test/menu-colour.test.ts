/**
 * A sysop's colour in a menu's title and entry labels reaches callers as colour (the values are
 * marked as the sysop's, handler/sysop-text.ts), while caller text filled into the same screen is
 * still made display-safe, and nothing a caller sends or a row holds can pass as the sysop's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { menuVars } from '../handler/flows/menus.js';
import { loadScreens } from '../handler/screens.js';
import { sysopText } from '../handler/sysop-text.js';
import { screenFolder, type ScreenFolder } from './support/screen-folder.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs } from './support/test-bbs.js';

/** The shipped screens with a coloured main menu title and first label, and no main.help.txt (the help is made from the entries). */
function colouredMenu(): ScreenFolder {
  const folder = screenFolder();
  const menu = readFileSync(folder.path('main.menu'), 'utf8')
    .replace('title: MAIN MENU', 'title: {bold}MAIN MENU{/}')
    .replace('1. Leave a message.', '1. {yellow}Leave a message.{/}');
  expect(menu).toContain('{yellow}Leave');
  folder.write('main.menu', menu);
  folder.remove('main.help.txt');
  return folder;
}

describe("a menu's sysop colour", () => {
  it('reaches an ANSI telnet caller as colour, in the menu and in the help made from its entries', async () => {
    const folder = colouredMenu();
    const bbs = await startTestBbs({ telnetNegotiationMs: 300, handlerArgs: ['--screens', folder.dir] });
    const ansi = await TelnetCaller.open(bbs.telnetPort, 'ANSI');
    try {
      await ansi.signUpToMenu('painter', 'painter-pw');
      const from = ansi.text.length;
      await ansi.type('?', /Leave a message[^]*Enter shows the menu/);
      const shown = ansi.text;
      expect(shown).toContain('\x1b[1mMAIN MENU\x1b[0m');
      expect(shown.slice(from)).toContain('\x1b[33mLeave a message.\x1b[0m');
      // The escape codes' text never shows without their ESC (what displaySafe would leave of them).
      expect(shown).not.toMatch(/[^\x1b]\[1mMAIN MENU/);
      expect(shown).not.toMatch(/[^\x1b]\[33mLeave/);
      await ansi.type('Q', 'see ya');
    } finally {
      ansi.close();
      await bbs.close();
    }
  }, 60_000);

  it("keeps its colour in the menu's screen while the caller's name there is still made display-safe", () => {
    const folder = colouredMenu();
    folder.write('menu.txt', '---((({{title}})))--- for {{name}}\n{{entries}}\n');
    const screens = loadScreens(folder.dir);
    const menu = screens.menu('main');
    if (menu === undefined) throw new Error('no main menu');
    const caller = { id: 1, name: 'mal\x1b[2J\u202elory', createdAt: 0, lastCallAt: null, calls: 1 };
    const shown = screens.render('menu', menuVars(menu, caller));
    expect(shown).toContain('(((\x1b[1mMAIN MENU\x1b[0m)))');
    expect(shown).toContain('1. \x1b[33mLeave a message.\x1b[0m');
    expect(shown).toContain('for mal[2Jlory');
  });

  it('cannot be forged: text that looks like the mark, or a marked value copied through JSON, is filtered', () => {
    const screens = loadScreens(colouredMenu().dir);
    const marked = sysopText('\x1b[31mred\x1b[0m');
    const copied = JSON.parse(JSON.stringify({ title: marked })) as { title: string };
    const cloned = structuredClone({ title: marked }) as unknown as { title: string };
    expect(screens.render('menu', { title: marked, entries: '' })).toContain('\x1b[31mred');
    for (const title of [copied.title, cloned.title, '\x1b[31mred\x1b[0m']) expect(screens.render('menu', { title, entries: '' })).not.toContain('\x1b');
  });
});
