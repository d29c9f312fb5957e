/** The whole conversation, from the welcome banner to goodbye. */
import type { Caller } from '../../db/store.js';
import { ask, call, hangUp, identify, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { formatDate } from './format.js';
import { logIn } from './login.js';
import { readMail, sendMail } from './mail.js';
import { leaveMessage, readMessages } from './messages.js';
import { saysNo } from './names.js';

/** A main-menu entry: a flow run with the caller and the limits, then back to the menu. */
export type MenuEntry = (caller: Caller, limits: Limits) => Flow;

/** The main menu's choices; Q (quit) is handled by the menu itself. */
export const MAIN_MENU = {
  '1': leaveMessage,
  '2': readMessages,
  '3': sendMail,
  '4': readMail,
} satisfies Record<string, MenuEntry>;

/** One caller's whole call. */
export function* bbs(limits: Limits): Flow {
  const caller = yield* logIn(limits);
  if (caller === undefined) return;
  yield* identify(caller.name);
  const motd = yield* ask('motd', {
    name: caller.name,
    calls: caller.calls,
    last_call: caller.lastCallAt === null ? 'never' : formatDate(caller.lastCallAt),
    new_mail: yield* call('countUnreadMail', caller.id),
    messages: yield* call('countMessages'),
  });
  if (saysNo(motd)) {
    yield* hangUp('bye', { name: caller.name });
    return;
  }
  yield* mainMenu(caller, limits);
}

function* mainMenu(caller: Caller, limits: Limits): Flow {
  for (;;) {
    const choice = (yield* ask('menu', { name: caller.name })).trim().toUpperCase();
    if (choice === 'Q') {
      yield* hangUp('bye', { name: caller.name });
      return;
    }
    if (choice === '') continue;
    const entry: MenuEntry | undefined = MAIN_MENU[choice as keyof typeof MAIN_MENU];
    if (entry === undefined) yield* show('menu_error', { choice });
    else yield* entry(caller, limits);
  }
}
