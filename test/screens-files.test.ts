import { describe, expect, it } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { chooseItem, MENU_ACTIONS } from '../handler/menu.js';
import { checkScreenFolder, loadScreens, loadScreenSet, sortedProblems } from '../handler/screens.js';
import { entryLine, MAIN_MENU, MAIN_MENU_ENTRIES, MAIN_MENU_KEYS } from './support/main-menu.js';
import { RULES_TXT, screenFolder } from './support/screen-folder.js';

const ESC = '\x1b';

async function problemsIn(dir: string): Promise<string[]> {
  const result = await checkScreenFolder(dir);
  expect(result.set).toBeUndefined();
  return sortedProblems(result.problems);
}

describe('screen files with a header', () => {
  it('put a screen on a menu: the entry goes where the * line is, in hotkey order', async () => {
    const folder = screenFolder();
    folder.write('rules.txt', RULES_TXT);
    folder.write('about.txt', '---\nmenu: main\nkey: a\nlabel: About {cyan}this{/} board.\n---\nRun by the sysop since 2026.\n');
    const set = await loadScreenSet(folder.dir);
    const main = set.menu('main');
    expect(main?.entries.split('\n')).toEqual([...MAIN_MENU_ENTRIES.slice(0, -1), '5. The rules of this board.', `A. About ${ESC}[36mthis${ESC}[0m board.`, 'Q. Quit the BBS.']);
    expect(main?.keys).toBe(MAIN_MENU_KEYS.replace(' or Q', ', 5, A or Q'));
    expect(main && chooseItem(main, ' a ')).toMatchObject({ key: 'A', target: { kind: 'screen', screen: 'about', uses: [] } });
    expect(main && chooseItem(main, '5')).toMatchObject({ target: { kind: 'screen', screen: 'rules', uses: ['name'] } });
    // The header is not part of the text; the colour markup became ANSI colour, reset at the end.
    expect(set.render('rules', { name: 'zed' })).toBe(
      `${ESC}[33m${ESC}[1mTHE RULES OF THIS BOARD${ESC}[0m\n1. Be kind, zed. Everyone here was new once.\n2. No spam, no ads, no chain letters.\n3. The sysop's word is final.`,
    );
  });

  it('renders colour markup once: what callers typed is never coloured, and colour never runs on', () => {
    const folder = screenFolder();
    folder.write('message.txt', '{green}--- #{{id}} from {bold}{{author}}{/}\n{{body}}');
    folder.write('posted.txt', '{red}Posted as {{id}}.');
    const set = loadScreens(folder.dir);
    expect(set.render('message', { id: 1, author: 'zed', date: '', body: '{red}not red{/} {{author}}' })).toBe(
      `${ESC}[32m--- #1 from ${ESC}[1mzed${ESC}[0m\n{red}not red{/} {{author}}`,
    );
    expect(set.render('posted', { id: 2 })).toBe(`${ESC}[31mPosted as 2.${ESC}[0m`);
    // Braces that are not a colour word stay as they are.
    expect(set.render('bad_message', undefined)).toContain('{"type":"msg","msg":"a line"}');
  });

  it('keep screens without a header working as they are, and a folder without main.menu gets the built-in menu', async () => {
    const folder = screenFolder();
    folder.remove('main.menu');
    folder.write('menu.txt', '---(((MAIN MENU))---\n1. Leave a message.\n2. Read messages left.\n3. Send to someone else.\n4. Read messages to you.\nQ. Quit the BBS.\n');
    folder.write('menu_error.txt', 'There\'s no choice "{{choice}}" on this menu. Pick 1, 2, 3, 4 or Q.\n');
    const result = await checkScreenFolder(folder.dir);
    expect(result.problems).toEqual([]);
    expect(result.notes).toContain(`${folder.path('main.menu')}: not there, so the built-in main menu is used`);
    const set = result.set;
    // The built-in menu has every entry the shipped main.menu has (a folder from before menus gets chat, paging and the rest too).
    expect(set?.menu('main')?.keys).toBe(MAIN_MENU_KEYS);
    expect(set?.menu('main')?.entries.split('\n')).toEqual([...MAIN_MENU_ENTRIES]);
    expect(set?.render('menu', { name: 'zed', title: 'x', entries: 'y', keys: 'z' })).toBe(
      '---(((MAIN MENU))---\n1. Leave a message.\n2. Read messages left.\n3. Send to someone else.\n4. Read messages to you.\nQ. Quit the BBS.',
    );
  });

  it('ship a folder that checks out, and the shipped main menu shows every entry of main.menu in order', async () => {
    const result = await checkScreenFolder(SHIPPED_SCREENS);
    expect(result.problems).toEqual([]);
    const set = result.set;
    expect(set?.flowNames).toEqual(['guess', 'oneliners']);
    const main = set?.menu('main');
    const drawn = set?.render(main?.screen ?? '', { name: 'zed', title: main?.title ?? '', entries: main?.entries ?? '', keys: main?.keys ?? '' });
    expect(drawn).toBe(MAIN_MENU);
    // With its prompt under it the menu fits a 24-row terminal (a line after the MOTD too), no line wider than 80 columns.
    const rows = (drawn ?? '').split('\n');
    expect(rows.length + 1 + 1).toBeLessThanOrEqual(24);
    expect(rows.filter((row) => row.length > 80)).toEqual([]);
    expect(set?.render('menu_error', { choice: '7', keys: main?.keys ?? '' })).toBe(`There's no choice "7" on this menu. Pick ${MAIN_MENU_KEYS}, or ? for help.`);
  });
});

describe('a broken screens folder', () => {
  it('reports every problem at once, each with its file and line', async () => {
    const folder = screenFolder();
    folder.write('rules.txt', '---\nmenu: main\nkey: 5\nlabel: The rules.\ncolour: red\n---\n{blink}Rules{/} for {{nmae}}.\n');
    folder.write('dup.txt', '---\nmenu: main\nkey: 2\nlabel: Also two.\n---\nSecond two.\n');
    folder.write('open.txt', '---\nmenu: main\nkey: 7\nlabel: Never closed.\n');
    folder.write('half.txt', '---\nmenu: main\nlabel: No key.\n---\nText.\n');
    folder.write('elsewhere.txt', '---\nmenu: lobby\nkey: L\nlabel: On a menu that is not there.\n---\nText.\n');
    folder.write('games.menu', 'title: GAMES\nmenu: main\nkey: G\nlabel: Games.\n\n1. Lost.      -> screen nowhere\n2. Gone.      -> menu attic\n3. Missing.   -> flow chess\n4. Dance.     -> dance\n5 no dot      -> back\nQ. Back.      -> back\n');
    folder.write('menu.txt', '---((({{title}}))---\n{{entries}}\n{{calls}}\n');
    const problems = await problemsIn(folder.dir);
    const at = (file: string, line: number | undefined, text: string): string => `${folder.path(file)}${line === undefined ? '' : `:${line}`}: ${text}`;
    expect(problems).toEqual([
      at('dup.txt', 3, `hotkey 2 is already taken on menu main (${folder.path('main.menu')}:${entryLine(folder.path('main.menu'), '2')})`),
      at('elsewhere.txt', 3, 'menu: there is no menu lobby (no lobby.menu) to put this on'),
      at('games.menu', 6, 'entry 1 points nowhere: there is no nowhere.txt'),
      at('games.menu', 7, 'entry 2 points nowhere: there is no attic.menu'),
      at('games.menu', 8, 'entry 3 points nowhere: there is no flows/chess.ts'),
      at('games.menu', 9, `entry 4 leads to "dance": expected screen NAME, menu NAME, flow NAME, or one of ${MENU_ACTIONS.join(', ')}`),
      at('games.menu', 10, 'expected an entry "KEY. Label -> what it does", a setting (title: screen: menu: key: label:), a * line or a # comment; got "5 no dot      -> back"'),
      at('half.txt', 2, 'no key: (an entry on a menu needs menu:, key: and label:)'),
      at('menu.txt', 3, 'unknown placeholder {{calls}} (this screen offers: name, title, entries, keys)'),
      at('open.txt', 1, 'the header starts with --- but no line --- ends it'),
      at('rules.txt', 5, 'unknown field "colour:" (fields: menu, key, label)'),
      at('rules.txt', 7, 'unknown colour {blink} (colours: bold, red, green, yellow, blue, magenta, cyan, white, and {/} for plain)'),
      at('rules.txt', 7, 'unknown placeholder {{nmae}} (this screen offers: name, calls, last_call, now, messages, new_mail)'),
    ]);
  });

  it('names a flow module that does not load or does not export a flow, and a flow screen with no file', async () => {
    const folder = screenFolder();
    folder.write('flows/broken.ts', "export const screens = { broken: [] } as const;\n\nexport default function* broken( {\n");
    folder.write('flows/thrower.ts', "export const screens = {} as const;\nthrow new Error('the module threw');\n");
    folder.write('flows/plain.ts', "export const screens = { plain_screen: ['x'] } as const;\nexport const other = 1;\n");
    folder.write('flows/lonely.ts', "export const screens = {\n  lonely_screen: ['x'],\n} as const;\nexport default function* lonely() {}\n");
    folder.write('main.menu', 'title: MAIN MENU\n1. Broken. -> flow broken\nQ. Quit. -> quit\n');
    const problems = await problemsIn(folder.dir);
    expect(problems).toEqual([
      `${folder.path('flows/broken.ts')}:4: cannot be loaded: Expected identifier but found end of file`,
      `${folder.path('flows/lonely.ts')}:2: screen lonely_screen has no file lonely_screen.txt`,
      `${folder.path('flows/plain.ts')}: expected \`export default function* NAME(kit) { ... }\`, the flow itself`,
      // The line of a throw is known when the folder is in a "type": "module" package, as the shipped one is.
      expect.stringMatching(/\/flows\/thrower\.ts(:2)?: cannot be loaded: the module threw$/),
      `${folder.path('main.menu')}:2: entry 1 points nowhere: flows/broken did not load`,
    ]);
  });

  it('names a flow module that never finishes loading (a top-level await that never settles) instead of waiting for it', async () => {
    const folder = screenFolder();
    // An ES module package, as the shipped folder is: there a flow may await at its top level.
    folder.write('package.json', '{ "type": "module" }\n');
    folder.write('flows/stuck.ts', "export const screens = {} as const;\nawait new Promise(() => {});\nexport default function* stuck() {}\n");
    const problems = await problemsIn(folder.dir);
    expect(problems).toContain(`${folder.path('flows/stuck.ts')}: cannot be loaded: it did not finish loading within 5 s (a top-level await that never settles?)`);
  });

  it('stops a backend from starting with one coded error that lists them all', () => {
    const folder = screenFolder();
    folder.remove('bye.txt');
    folder.write('posted.txt', 'Posted as {{number}}.\n');
    folder.write('main.menu', '1. One. -> leave_message\n1. Again. -> read_messages\n');
    let caught: unknown;
    try {
      loadScreens(folder.dir);
    } catch (error) {
      caught = error;
    }
    expect(isBbsError(caught, 'BBS_ERR_SCREEN')).toBe(true);
    expect((caught as Error).message.split('\n')).toEqual([
      `screens in ${folder.dir} cannot be used:`,
      `  ${folder.path('main.menu')}:2: hotkey 1 is already taken on menu main (${folder.path('main.menu')}:1)`,
      `  ${folder.path('posted.txt')}:1: unknown placeholder {{number}} (this screen offers: id)`,
    ]);
  });
});
