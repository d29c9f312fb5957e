/** The whole conversation, from the welcome banner to goodbye. */
import { ask, call, hangUp, identify, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { formatDate } from './format.js';
import { logIn } from './login.js';
import { runMenu } from './menus.js';
import { saysNo } from './names.js';

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
  // Quit, or back from the main menu, ends the call.
  yield* runMenu('main', caller, limits);
  yield* hangUp('bye', { name: caller.name });
}
