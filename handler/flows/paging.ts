/**
 * Paging: a caller asks for another by name and waits for them in a private room; the paged caller
 * sees the page at once (an event, wherever they are) and joins with J or ignores it with X, which
 * the pager is told. D turns do-not-disturb on and off.
 */
import type { Caller } from '../../db/store.js';
import { ask, call, now, publish, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { PAGE_MINUTES } from '../chat-services.js';
import { chatIn } from './chat.js';

/** How long a page waits for its answer: J and X find only pages this recent (one window with the services' crossing check). */
export { PAGE_MINUTES };

/** Pages a caller may make in a minute. */
export const PAGES_PER_MINUTE = 3;
/** The bus topic of the pages and notices for the caller called `name`. */
export function pageTopic(name: string): string {
  return `page/${name.toLowerCase()}/`;
}

/** Menu entry P: pages a caller, then waits for them in a private room until they come or the pager says /quit. */
export function* page(caller: Caller, limits: Limits): Flow {
  const name = (yield* ask('page_who')).trim();
  if (name === '') return;
  const outcome = yield* call('pageCaller', caller.id, name, PAGES_PER_MINUTE);
  if (!outcome.paged) {
    switch (outcome.why) {
      case 'unknown':
        return yield* show('page_unknown', { name });
      case 'self':
        return yield* show('page_self');
      case 'offline':
        return yield* show('page_offline', { name: outcome.to });
      case 'dnd':
        return yield* show('page_dnd', { name: outcome.to });
      case 'too_often':
        return yield* show('page_too_often', { max: PAGES_PER_MINUTE });
    }
  }
  if (outcome.crossed === true) {
    // They are paging this caller too: joining their room (as J would) beats two rooms each waiting for the other.
    yield* show('page_crossed', { name: outcome.to });
    return yield* chatIn(outcome.room, caller, limits, { backlog: false });
  }
  yield* publish(pageTopic(outcome.to), { kind: 'page', from: caller.name, to: outcome.to, page: outcome.id, room: outcome.room, at: new Date(yield* now()).toISOString() });
  yield* show('page_sent', { name: outcome.to });
  // Gave up (or talked and left): the page is withdrawn as the pager leaves the room.
  yield* chatIn(outcome.room, caller, limits, { backlog: false, page: outcome.id });
}

/** Menu entry J: joins the caller who paged last (and is not answered yet) in their private room. */
export function* answerPage(caller: Caller, limits: Limits): Flow {
  const waiting = yield* call('answerPage', caller.id, PAGE_MINUTES, 'joined');
  if (waiting === undefined) return yield* show('page_none');
  if (waiting.withdrawn) return yield* show('page_withdrawn', { from: waiting.from });
  yield* show('page_joining', { from: waiting.from });
  yield* chatIn(waiting.room, caller, limits, { backlog: false });
}

/** Menu entry X: ignores the last page; its pager is told. */
export function* ignorePage(caller: Caller): Flow {
  const waiting = yield* call('answerPage', caller.id, PAGE_MINUTES, 'ignored');
  if (waiting === undefined) return yield* show('page_none');
  if (waiting.withdrawn) return yield* show('page_withdrawn', { from: waiting.from });
  yield* publish(pageTopic(waiting.from), { kind: 'notice', from: caller.name, to: waiting.from, page: waiting.id, at: new Date(yield* now()).toISOString() });
  yield* show('page_ignoring', { from: waiting.from });
}

/** Menu entry D: do-not-disturb on or off. */
export function* doNotDisturb(caller: Caller): Flow {
  if (yield* call('toggleDnd', caller.id)) yield* show('dnd_on');
  else yield* show('dnd_off');
}
