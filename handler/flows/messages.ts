/** The public board: leaving a message and reading what others left. */
import type { Caller } from '../../db/store.js';
import { ask, call, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { composeBody } from './compose.js';
import { formatDate } from './format.js';
import { storeOrOffer } from './not-saved.js';

/** Menu entry 1: writes a message to the board; one that cannot be stored is shown back and offered again. */
export function* leaveMessage(caller: Caller, limits: Limits): Flow {
  yield* show('leave_msg', { max_lines: limits.maxLines, max_length: limits.maxLineLength });
  const body = yield* composeBody(limits);
  if (body === undefined) {
    yield* show('nothing_posted');
    return;
  }
  // The number shown is the stored row's: a post that was not stored gets none.
  const id = yield* storeOrOffer('message', body, () => call('postMessage', caller.id, body));
  if (id !== undefined) yield* show('posted', { id });
}

/** Menu entry 2: reads the board oldest first, a page at a time. */
export function* readMessages(_caller: Caller, limits: Limits): Flow {
  const count = yield* call('countMessages');
  if (count === 0) {
    yield* show('no_messages');
    return;
  }
  yield* show('read_msg', { count });
  let afterId = 0;
  for (let shown = 0; shown < count; ) {
    const page = yield* call('listMessages', afterId, limits.pageSize);
    if (page.length === 0) break;
    for (const message of page) {
      yield* show('message', {
        id: message.id,
        author: message.author,
        date: formatDate(message.createdAt),
        body: message.body,
      });
      afterId = message.id;
    }
    shown += page.length;
    if (shown < count && !(yield* wantsMore())) return;
  }
  yield* show('end_of_list');
}

/** Asks whether to show another page: Enter (or anything) for more, Q to stop. */
export function* wantsMore(): Flow<boolean> {
  return (yield* ask('more')).trim().toUpperCase() !== 'Q';
}
