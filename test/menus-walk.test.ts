import { describe, expect, it } from 'vitest';
import type { Caller } from '../db/store.js';
import { TEST_LIMITS, createHarness, registerAtMenu } from './support/harness.js';
import type { Effect } from '../handler/effects.js';
import { runMenu } from '../handler/flows/menus.js';
import { buildMenu, type Menu } from '../handler/menu.js';
import { loadScreenSet, type ScreenSet } from '../handler/screens.js';
import { sysopText, sysopTextOf } from '../handler/sysop-text.js';
import { mainMenu } from './support/main-menu.js';
import { RULES_TXT, screenFolder } from './support/screen-folder.js';

/** The `{{entries}}` a menu's ask fills in, as the sysop's text (undefined when not an ask, or not marked as the sysop's). */
function entriesAsked(effect: unknown): string | undefined {
  const ask = effect as Effect;
  return ask.kind === 'ask' ? sysopTextOf(ask.vars?.['entries']) : undefined;
}

const GAMES_MENU = `title: GAMES
menu: main
key: G
label: Games.

1. Guess the number.     -> flow guess
2. How to play.          -> screen howto
M. The main menu.        -> menu main
Q. Back.                 -> back
`;

const menuText = (c: { replies: readonly { msg: string }[] }): string => c.replies.at(-1)?.msg ?? '';

describe('menus from files', () => {
  it('opens a submenu that a menu file puts on the main menu, runs its entries, and goes back', async () => {
    const folder = screenFolder();
    folder.write('games.menu', GAMES_MENU);
    folder.write('howto.txt', 'Type a number, {{name}}; this is call {{calls}}, last one {{last_call}}.\n');
    const set = await loadScreenSet(folder.dir);
    const h = createHarness({ screens: () => set, services: (base) => ({ ...base, random: () => 0.42 }) });
    const c = await registerAtMenu(h, '1', 'zed', 'password1');
    expect(menuText(c)).toBe(mainMenu('G. Games.'));
    await c.say('g');
    expect(menuText(c)).toBe('---(((GAMES))---\n1. Guess the number.\n2. How to play.\nM. The main menu.\nQ. Back.');
    await c.say('2');
    expect(c.replies.at(-2)?.msg).toBe('Type a number, zed; this is call 1, last one never.');
    expect(menuText(c)).toContain('---(((GAMES))---');
    expect((await c.say('1'))?.msg).toContain("I'm thinking of a number from 1 to 100. You have 7 tries. Your guess?");
    expect((await c.say('50'))?.msg).toBe('Lower! Tries left: 6. Your guess?');
    expect((await c.say('forty'))?.msg).toBe('That is not a number. Tries left: 5. Your guess?');
    await c.say('43');
    expect(c.replies.at(-2)?.msg).toBe('\x1b[32m\x1b[1mYes, 43!\x1b[0m You got it in 3.');
    expect(menuText(c)).toContain('---(((GAMES))---');
    await c.say('7');
    expect(c.replies.at(-2)?.msg).toBe('There\'s no choice "7" on this menu. Pick 1, 2, M or Q, or ? for help.');
    await c.say('q');
    expect(menuText(c)).toContain('---(((MAIN MENU))---');
    expect(await c.say('Q')).toBeUndefined();
    expect(c.replies.at(-1)).toEqual({ type: 'exit', msg: 'Alright, see ya later, zed.' });
    h.close();
  });

  it('returns to a menu that is already open instead of opening it again', async () => {
    const folder = screenFolder();
    folder.write('games.menu', GAMES_MENU);
    folder.write('howto.txt', 'How to play.\n');
    folder.write('main.menu', 'title: MAIN MENU\n*\nB. Back. -> back\n');
    const set = await loadScreenSet(folder.dir);
    const h = createHarness({ screens: () => set });
    const c = await registerAtMenu(h, '2', 'amy', 'password1');
    for (let round = 0; round < 3; round++) {
      await c.say('G');
      expect(menuText(c)).toContain('GAMES');
      await c.say('M');
      expect(menuText(c)).toContain('MAIN MENU');
    }
    // Had main been opened inside games, back would lead to games; it is the first menu, so the call ends.
    expect(await c.say('B')).toBeUndefined();
    expect(c.replies.at(-1)?.type).toBe('exit');
    h.close();
  });

  it('lets the operator reorder, rename and remove main-menu entries', async () => {
    const folder = screenFolder();
    folder.write('main.menu', 'title: THE BOARD\n\nR. Read your mail.   -> read_mail\nX. Log off.          -> quit\nW. Write to the board. -> leave_message\n');
    const set = await loadScreenSet(folder.dir);
    const h = createHarness({ screens: () => set });
    const c = await registerAtMenu(h, '3', 'bea', 'password1');
    expect(menuText(c)).toBe('---(((THE BOARD))---\nR. Read your mail.\nX. Log off.\nW. Write to the board.');
    await c.say('1');
    expect(c.replies.at(-2)?.msg).toBe('There\'s no choice "1" on this menu. Pick R, X or W, or ? for help.');
    await c.say('r');
    expect(c.replies.at(-2)?.msg).toBe('No messages for you.');
    expect(await c.say('x')).toBeUndefined();
    h.close();
  });

  it('fills the placeholders a screen on a menu uses, through services, and no others', async () => {
    const folder = screenFolder();
    folder.write('stats.txt', '---\nmenu: main\nkey: 9\nlabel: Stats.\n---\n{{name}}: {{messages}} messages, {{new_mail}} new mail, at {{now}}.\n');
    const set = await loadScreenSet(folder.dir);
    let counted = 0;
    const h = createHarness({
      screens: () => set,
      clock: () => Date.UTC(2026, 10, 22, 9, 30),
      services: (base) => ({ ...base, countMessages: () => (counted++, base.countMessages()) }),
    });
    const c = await registerAtMenu(h, '4', 'cy', 'password1');
    const before = counted;
    await c.say('9');
    expect(c.replies.at(-2)?.msg).toBe('cy: 0 messages, 0 new mail, at 2026-11-22 09:30 UTC.');
    expect(counted).toBe(before + 1);
    await c.say('');
    expect(counted).toBe(before + 1);
    h.close();
  });
});

describe('a menu flow stepped by hand', () => {
  const caller: Caller = { id: 1, name: 'zed', createdAt: 0, lastCallAt: null, calls: 1 };
  const item = (key: string, label: string, screen: string) => ({ key, label, target: { kind: 'screen', screen, uses: [] } as const });

  it('asks for the menu in force with an effect at every display and again for the answer', () => {
    const before: Menu = buildMenu('main', 'MAIN MENU', 'menu', [item('5', 'Rules.', 'rules'), { key: 'Q', label: 'Quit.', target: { kind: 'action', action: 'quit' } }]);
    const after: Menu = buildMenu('main', 'MAIN MENU', 'menu', [item('5', 'New rules.', 'new_rules'), { key: 'Q', label: 'Quit.', target: { kind: 'action', action: 'quit' } }]);
    const flow = runMenu('main', caller, TEST_LIMITS);
    // The top menu is where a durable conversation's replay can start: a checkpoint each display.
    expect(flow.next().value).toEqual({ kind: 'checkpoint', caller, menu: 'main' });
    expect(flow.next().value).toEqual({ kind: 'menu', name: 'main' });
    // Who's online is told where the caller is (not journaled: a side channel).
    expect(flow.next(before).value).toEqual({ kind: 'activity', doing: 'at the main menu' });
    expect(flow.next().value).toEqual({
      kind: 'ask',
      screen: 'menu',
      // The menu's own words are the sysop's: filled in with their colour (handler/sysop-text.ts).
      vars: { name: 'zed', title: sysopText('MAIN MENU'), entries: sysopText('5. Rules.\nQ. Quit.'), keys: '5 or Q' },
      pchar: '> ',
      echo: true,
    });
    expect(flow.next('5').value).toEqual({ kind: 'menu', name: 'main' });
    // A reload between the display and the answer: the answer counts against the new version.
    expect(flow.next(after).value).toEqual({ kind: 'show', screen: 'new_rules', vars: {}, final: false });
    expect(flow.next().value).toEqual({ kind: 'checkpoint', caller, menu: 'main' });
    expect(flow.next().value).toEqual({ kind: 'menu', name: 'main' });
    expect(flow.next(after).value).toEqual({ kind: 'activity', doing: 'at the main menu' });
    expect(entriesAsked(flow.next().value)).toBe('5. New rules.\nQ. Quit.');
    flow.next('q');
    expect(flow.next(after)).toEqual({ done: true, value: { to: 'quit' } });
  });

  it('fetches a flow entry\'s code with its own effect, by name, only when the entry is run', () => {
    const games: Menu = buildMenu('games', 'GAMES', 'menu', [{ key: '1', label: 'Guess.', target: { kind: 'flow', flow: 'guess' } }], 'v1');
    // The menu is plain data: it survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(games))).toEqual(games);
    function* guess(): Generator<Effect, void, unknown> {
      yield { kind: 'show', screen: 'guess_won', vars: undefined, final: false };
    }
    const flow = runMenu('games', caller, TEST_LIMITS, ['main']);
    // Each time round, where a takeover can rebuild the call: this menu, opened from main.
    const checkpoint = { kind: 'checkpoint', caller, menu: 'games', room: undefined, open: ['main'] };
    expect(flow.next().value).toEqual(checkpoint);
    expect(flow.next().value).toEqual({ kind: 'menu', name: 'games' });
    expect(flow.next(games).value).toEqual({ kind: 'activity', doing: 'at the games menu' });
    expect(entriesAsked(flow.next().value)).toBe('1. Guess.');
    expect(flow.next('1').value).toEqual({ kind: 'menu', name: 'games' });
    expect(flow.next(games).value).toEqual({ kind: 'flow', name: 'guess' });
    expect(flow.next(guess).value).toEqual({ kind: 'activity', doing: 'in guess' });
    expect(flow.next().value).toEqual({ kind: 'show', screen: 'guess_won', vars: undefined, final: false });
    expect(flow.next().value).toEqual(checkpoint);
    expect(flow.next().value).toEqual({ kind: 'menu', name: 'games' });
    // A flow gone by the time it runs: the menu is shown again.
    flow.next(games);
    flow.next();
    flow.next('1');
    expect(flow.next(games).value).toEqual({ kind: 'flow', name: 'guess' });
    expect(flow.next(undefined).value).toEqual(checkpoint);
    expect(flow.next().value).toEqual({ kind: 'menu', name: 'games' });
  });

  it('goes back when a reload removed the menu the caller is on', () => {
    const flow = runMenu('games', caller, TEST_LIMITS, ['main']);
    expect(flow.next().value).toMatchObject({ kind: 'checkpoint', menu: 'games', open: ['main'] });
    expect(flow.next().value).toEqual({ kind: 'menu', name: 'games' });
    expect(flow.next(undefined)).toEqual({ done: true, value: { to: 'back' } });
  });
});

describe('screens swapped while a caller is connected', () => {
  it('shows the new menu at the next display and the old one until then', async () => {
    const folder = screenFolder();
    let current: ScreenSet = await loadScreenSet(folder.dir);
    const h = createHarness({ screens: () => current });
    const c = await registerAtMenu(h, '5', 'dee', 'password1');
    expect(menuText(c)).not.toContain('5. The rules');
    folder.write('rules.txt', RULES_TXT);
    current = await loadScreenSet(folder.dir);
    await c.say('');
    expect(menuText(c)).toBe(mainMenu('5. The rules of this board.'));
    await c.say('5');
    expect(c.replies.at(-2)?.msg).toContain('1. Be kind, dee.');
    h.close();
  });
});
