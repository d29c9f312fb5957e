/**
 * Walking the menus: each display fetches the menu in force (an effect, so a conversation stays
 * a function of what it was resumed with), shows it, and does what the chosen entry says.
 */
import type { Caller } from '../../db/store.js';
import { activity, ask, askScreen, call, checkpoint, currentMenu, flowModule, now, show, showScreen, type Flow, type Vars } from '../effects.js';
import type { Limits } from '../limits.js';
import type { ScreenVars } from '../screen-catalog.js';
import { asksForHelp, chooseItem, type Menu, type MenuAction, type MenuItem, type TEXT_PLACEHOLDERS } from '../menu.js';
import { makeKit } from '../screen-flow.js';
import { sysopText } from '../sysop-text.js';
import { formatDate } from './format.js';
import { readMail, sendMail } from './mail.js';
import { chat } from './chat.js';
import { leaveMessage, readMessages } from './messages.js';
import { answerPage, doNotDisturb, ignorePage, page } from './paging.js';
import { newScan } from './new-scan.js';
import { changePassword } from './password.js';
import { lastCallers, whosOnline } from './who.js';

/** A built-in menu action: a flow run with the caller and the limits, then back to the menu. */
export type MenuEntry = (caller: Caller, limits: Limits) => Flow;

/** The built-in actions menu files name (`quit` and `back` are the menu's own). */
export const ACTIONS = {
  leave_message: leaveMessage,
  read_messages: readMessages,
  new_scan: newScan,
  send_mail: sendMail,
  read_mail: readMail,
  chat,
  page,
  answer_page: answerPage,
  ignore_page: ignorePage,
  do_not_disturb: doNotDisturb,
  change_password: changePassword,
  whos_online: whosOnline,
  last_callers: lastCallers,
} satisfies Record<Exclude<MenuAction, 'quit' | 'back'>, MenuEntry>;

// What who's online says a caller is doing in each built-in action (chat and paging say their own).
const DOING: Partial<Record<MenuAction, string>> = {
  leave_message: 'writing a message',
  read_messages: 'reading the board',
  new_scan: 'reading the board',
  send_mail: 'writing mail',
  read_mail: 'reading mail',
  whos_online: "looking at who's online",
  last_callers: 'looking at last callers',
  change_password: 'changing their password',
};

/** How a menu was left: the caller quit, went back, or chose a menu it was opened from. */
export type MenuExit = { readonly to: 'quit' } | { readonly to: 'back' } | { readonly to: 'menu'; readonly menu: string };

const QUIT: MenuExit = Object.freeze({ to: 'quit' });
const BACK: MenuExit = Object.freeze({ to: 'back' });
// The menu's help was shown: ask again with the prompt only.
const HELPED = 'helped';
const NONE_OPEN: readonly string[] = Object.freeze([]);

// What a text screen shown from a menu may use; only the placeholders a screen uses are filled.
const FILL = {
  *name(caller) {
    return caller.name;
  },
  *calls(caller) {
    return caller.calls;
  },
  *last_call(caller) {
    return caller.lastCallAt === null ? 'never' : formatDate(caller.lastCallAt);
  },
  *now() {
    return formatDate(yield* now());
  },
  *messages() {
    return yield* call('countMessages');
  },
  *new_mail(caller) {
    return yield* call('countUnreadMail', caller.id);
  },
} satisfies Record<(typeof TEXT_PLACEHOLDERS)[number], (caller: Caller) => Flow<string | number>>;

/**
 * Runs the menu called `name` until the caller leaves it; `open` lists the menus it was opened
 * from. A conversation rebuilt from a checkpoint goes straight to where it was: inside a menu
 * opened from this one (`into`: the path to it), and at the prompt after the help when `helpedAtStart`
 * (at the end of the path, or here when there is none).
 */
export function* runMenu(name: string, caller: Caller, limits: Limits, open: readonly string[] = NONE_OPEN, into: readonly string[] = NONE_OPEN, helpedAtStart = false): Flow<MenuExit> {
  // Kept small on purpose: this frame is what every caller at a menu holds while suspended.
  let helped = into.length === 0 && helpedAtStart;
  if (into.length > 0) {
    // Left to a block of its own, so a caller suspended at a menu holds no copy of the path.
    const exit = yield* runMenu(into[0] as string, caller, limits, [...open, name], into.slice(1), helpedAtStart);
    if (exit.to !== 'back' && !(exit.to === 'menu' && exit.menu === name)) return exit;
  }
  for (;;) {
    // At every menu a durable conversation needs nothing from before: replay starts here, at the
    // short prompt after the help too, with the menus it was opened from (so a caller typing at a
    // menu, or asking for help again and again, keeps a bounded journal: KEPT_HISTORY_ROWS in
    // db/journal-store.ts).
    yield* checkpoint(caller, name, undefined, helped, open);
    const shown = yield* currentMenu(name);
    if (shown === undefined) return BACK;
    yield* activity(open.length === 0 && name === 'main' ? 'at the main menu' : `at the ${name} menu`);
    // After the help only a prompt, not the whole menu again: help and prompt fit a 24-row terminal.
    const answer: string = helped ? yield* ask<'menu_after_help'>('menu_after_help', menuVars(shown, caller)) : yield* askScreen(shown.screen, menuVars(shown, caller));
    const exit: MenuExit | typeof HELPED | undefined = yield* answerMenu(name, answer, caller, limits, open);
    helped = exit === HELPED;
    if (exit !== undefined && exit !== HELPED) return exit;
  }
}

// Undefined: show the menu again; HELPED: its help was shown.
function* answerMenu(name: string, answer: string, caller: Caller, limits: Limits, open: readonly string[]): Flow<MenuExit | typeof HELPED | undefined> {
  const choice = answer.trim().toUpperCase();
  if (choice === '') return undefined;
  // The answer counts against the menu in force now: a reload may have changed it meanwhile.
  const menu = yield* currentMenu(name);
  if (menu === undefined) return BACK;
  if (asksForHelp(menu, choice)) {
    yield* showHelp(menu, caller);
    return HELPED;
  }
  const item = chooseItem(menu, choice);
  if (item === undefined) {
    yield* show('menu_error', { choice, keys: menu.keys });
    return undefined;
  }
  const exit = yield* choose(item, name, caller, limits, open);
  return exit !== undefined && exit.to === 'menu' && exit.menu === name ? undefined : exit;
}

// The sysop's NAME.help.txt, else a help made from the menu's own entries; a short prompt follows.
function* showHelp(menu: Menu, caller: Caller): Flow {
  const vars = menuVars(menu, caller);
  if (menu.help !== undefined) yield* showScreen(menu.help, vars);
  else yield* show('menu_help', vars);
}

/** What a menu's screen and its help are filled with: the menu's own words as the sysop's (colour kept), the caller's name filtered like any caller text. */
export function menuVars(menu: Menu, caller: Caller): ScreenVars<'menu_help'> {
  return { name: caller.name, title: sysopText(menu.title), entries: sysopText(menu.entries), keys: menu.keys };
}

// Undefined: stay on this menu.
function* choose(item: MenuItem, here: string, caller: Caller, limits: Limits, open: readonly string[]): Flow<MenuExit | undefined> {
  const { target } = item;
  switch (target.kind) {
    case 'action':
      if (target.action === 'quit') return QUIT;
      if (target.action === 'back') return BACK;
      yield* activity(DOING[target.action] ?? `at the ${here} menu`);
      yield* ACTIONS[target.action](caller, limits);
      return undefined;
    case 'screen':
      yield* showScreen(target.screen, yield* textVars(target.uses, caller));
      return undefined;
    case 'flow': {
      // Fetched in the same turn as the menu it was chosen from, so from the same screens version;
      // undefined could only mean the module vanished, and the menu is shown again.
      const run = yield* flowModule(target.flow);
      if (run === undefined) return undefined;
      yield* activity(`in ${target.flow}`);
      yield* run(makeKit(caller, limits));
      return undefined;
    }
    case 'menu': {
      if (target.menu === here) return undefined;
      // A menu already open is returned to, not opened again: menus that lead to each other
      // cannot pile up generators.
      if (open.includes(target.menu)) return { to: 'menu', menu: target.menu };
      const exit = yield* runMenu(target.menu, caller, limits, [...open, here]);
      return exit.to === 'back' ? undefined : exit;
    }
  }
}

function* textVars(uses: readonly string[], caller: Caller): Flow<Vars> {
  const vars: Record<string, string | number> = {};
  for (const key of uses) {
    const fill = (FILL as Readonly<Record<string, (caller: Caller) => Flow<string | number>>>)[key];
    if (fill !== undefined) vars[key] = yield* fill(caller);
  }
  return vars;
}
