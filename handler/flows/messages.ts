/** The public board: leaving a message in an area and reading an area's messages. */
import type { Caller } from '../../db/store.js';
import { ask, call, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { pickArea } from './area-pick.js';
import { readArea } from './area-reader.js';
import { composeBody } from './compose.js';
import { postOrKeep } from './not-saved.js';
import { mayStore, mayWrite } from './writing-limit.js';

/** Menu entry 1: writes a message in an area; one that cannot be stored is shown back and offered again. */
export function* leaveMessage(caller: Caller, limits: Limits): Flow {
  if (!(yield* mayWrite(caller, limits))) return;
  const area = yield* pickArea('area_post', yield* call('listAreas'), (a) => a.title, limits);
  if (area === undefined) return;
  yield* show('leave_msg', { max_lines: limits.maxLines, max_length: limits.maxLineLength });
  const body = yield* composeBody(limits, [], { callerId: caller.id, what: `a message in ${area.title}` });
  if (body === undefined) {
    yield* show('nothing_posted');
    return;
  }
  if (!(yield* mayStore(caller, limits, body))) return;
  // The number shown is the stored row's: a post that was not stored gets none.
  const id = yield* postOrKeep('message', body, () => call('postToArea', area.id, caller.id, body, null));
  if (id !== undefined) yield* show('posted', { id });
}

/**
 * Menu entry 2: reads an area oldest first, a page at a time, marking what is shown read. With
 * several areas the caller picks one; the end asks (R replies to the last page) on any board.
 */
export function* readMessages(caller: Caller, limits: Limits): Flow {
  const areas = yield* call('newScan', caller.id);
  const several = areas.length > 1;
  const area = yield* pickArea('area_read', areas, (a) => (a.unread > 0 ? `${a.title} (${a.messages}, ${a.unread} new)` : `${a.title} (${a.messages})`), limits);
  if (area === undefined) return;
  if (area.messages === 0) {
    if (several) yield* show('area_empty', { area: area.title });
    else yield* show('no_messages');
    return;
  }
  yield* show('read_msg', { count: area.messages });
  yield* readArea(caller, limits, area, { afterId: 0, count: area.messages });
}

/** Asks whether to show another page: Enter (or anything) for more, Q to stop. */
export function* wantsMore(): Flow<boolean> {
  return (yield* ask('more')).trim().toUpperCase() !== 'Q';
}
