/** The whole conversation, from the welcome banner to goodbye. */
import { askYesNo, call, checkpoint, hangUp, identify, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { formatDate } from './format.js';
import type { FlowStart } from '../replay.js';
import { logIn } from './login.js';
import { newSummary } from './new-scan.js';
import { inRoom } from './chat.js';
import { runMenu } from './menus.js';
import { saysNo } from './names.js';
import { onlineAtLogin } from './who.js';

/**
 * One caller's whole call; from a checkpoint (a durable conversation rebuilt after its backend
 * died), the rest of it: from just after logging in, or from the top of a menu.
 */
export function* bbs(limits: Limits, start?: FlowStart): Flow {
  const caller = start?.caller ?? (yield* logIn(limits));
  if (caller === undefined) return;
  yield* identify(caller.name);
  if (start?.menu === undefined && start?.room === undefined) {
    // Replay needs nothing from before here: logging in is never replayed (its password is not kept).
    yield* checkpoint(caller);
    const motd = yield* askYesNo('motd', {
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
    yield* onlineAtLogin();
    // What the caller was writing when their last call ended under them, shown once.
    const draft = yield* call('takeDraft', caller.id);
    if (draft !== undefined) yield* show('draft_kept', { what: draft.what, date: formatDate(draft.keptAt), body: draft.body });
    // What is new in the areas since the caller last read them; nothing is said when nothing is.
    const news = yield* newSummary(caller);
    if (news !== undefined) yield* show('new_summary', { summary: news });
  }
  // Rebuilt in a chat room: rooms are entered from the main menu, which /quit goes back to.
  if (start?.room !== undefined) yield* inRoom(caller, limits, start.room);
  // Rebuilt in a menu opened from others: the outermost runs, and opens the path back to it.
  const [outermost = 'main', ...inner] = [...(start?.open ?? []), start?.menu ?? 'main'];
  yield* runMenu(outermost, caller, limits, undefined, inner, start?.helped === true);
  // Quit, or back from the main menu, ends the call.
  yield* hangUp('bye', { name: caller.name });
}
