import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, registerAtMenu } from './support/harness.js';
import { MAIN_MENU_KEYS } from './support/main-menu.js';
import { checkScreenFolder, loadScreenSet } from '../handler/screens.js';
import { screenFolder } from './support/screen-folder.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

const GAMES_MENU = `title: GAMES
menu: main
key: G
label: Games.

1. How to play.          -> screen howto
H. Hall of fame.         -> screen fame
Q. Back.                 -> back
`;

describe('? and H at a menu show its help', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('at the main menu ? and H show the shipped main.help.txt, then only the prompt, and the menu works after', async () => {
    const page = await WsCaller.open(bbs.frontPort);
    try {
      await page.untilPrompt();
      for (const line of ['helpme', 'help-pass', 'y', 'help-pass']) await page.exchange(line);
      expect((await page.exchange('')).prompt?.msg).toContain('MAIN MENU');
      for (const ask of ['?', 'h']) {
        const turn = await page.exchange(ask);
        const help = turn.texts.join('\n');
        expect(help).toContain('Help for the main menu');
        expect(help).toContain('Quit: hang up, helpme.');
        expect(help).not.toContain('no choice');
        // Then only the prompt, not the whole menu again.
        expect(turn.prompt?.msg).toBe(`Your choice: ${MAIN_MENU_KEYS} (Enter shows the menu).`);
      }
      const board = await page.exchange('2');
      // The board (one shipped area) is empty: 2 reads it rather than showing the help again.
      expect(board.texts.join('\n')).toContain('No messages on the board yet. Be the first: choose 1 at the menu.');
      expect(board.texts.join('\n')).not.toContain('no choice');
      const quit = await page.exchange('q');
      expect(quit.texts.join('\n') + (quit.prompt?.msg ?? '')).toContain('see ya later, helpme');
    } finally {
      page.ws.close();
    }
  });
});

describe('help for a menu the sysop added', () => {
  it('is made from its entries when there is no NAME.help.txt, is NAME.help.txt when there is, and H stays an entry that has that key', async () => {
    const folder = screenFolder();
    folder.write('games.menu', GAMES_MENU);
    folder.write('howto.txt', 'How to play.\n');
    folder.write('fame.txt', 'The hall of fame is empty.\n');
    const built = await loadScreenSet(folder.dir);
    const h = createHarness({ screens: () => built });
    const c = await registerAtMenu(h, '1', 'gamer', 'password1');
    await c.say('g');
    await c.say('?');
    expect(c.replies.at(-2)?.msg).toBe('Help for GAMES: type the key of an entry and press Enter.\n1. How to play.\nH. Hall of fame.\nQ. Back.\nKeys are not case sensitive. ? or H shows this help again.');
    expect(c.replies.at(-1)?.msg).toBe('Your choice: 1, H or Q (Enter shows the menu).');
    expect((await c.say(''))?.msg).toContain('---(((GAMES))---');
    await c.say('h');
    expect(c.replies.at(-2)?.msg).toBe('The hall of fame is empty.');
    h.close();

    folder.write('games.help.txt', '{{title}} help for {{name}}: pick {{keys}}.\n');
    const withHelp = await loadScreenSet(folder.dir);
    const h2 = createHarness({ screens: () => withHelp });
    const c2 = await registerAtMenu(h2, '2', 'reader', 'password1');
    await c2.say('G');
    await c2.say(' ? ');
    expect(c2.replies.at(-2)?.msg).toBe('GAMES help for reader: pick 1, H or Q.');
    await c2.say('1');
    expect(c2.replies.at(-2)?.msg).toBe('How to play.');
    h2.close();
  });

  it('a help file with a placeholder menus do not fill is a problem screens check reports, and one for no menu a note', async () => {
    const folder = screenFolder();
    folder.write('main.help.txt', 'Help, {{nobody}}.\n');
    await expect(loadScreenSet(folder.dir)).rejects.toThrow(/main\.help\.txt:1: unknown placeholder \{\{nobody\}\}/);
    folder.write('main.help.txt', 'Help, {{name}}.\n');
    folder.write('lobby.help.txt', 'There is no lobby.\n');
    const checked = await checkScreenFolder(folder.dir);
    expect(checked.problems).toEqual([]);
    expect(checked.notes).toContain(`${folder.path('lobby.help.txt')}: not shown anywhere (there is no lobby.menu for it to be the help of)`);
  });
});
