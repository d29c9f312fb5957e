/**
 * Reading an area a page at a time: each page marks what it shows read (in the commit that
 * journals it), and at the prompt after a page the caller may reply to a message (`R`, `R 12`).
 */
import type { Area, AreaMessage } from '../../db/areas-store.js';
import type { Caller } from '../../db/store.js';
import { ask, call, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { bodyShown, formatDate } from './format.js';
import { asksHelp } from './prompt-help.js';
import { replyTo } from './reply.js';

/** Where reading an area starts. */
export interface ReadFrom {
  /** Messages after this id are shown. */
  readonly afterId: number;
  /** How many there are to show (read when reading began: later posts wait for the next read). */
  readonly count: number;
}

/**
 * Reads `area` from `from`; false when the caller typed Q to stop. The end always asks (even on a
 * board of one area), so the last page's messages can be replied to like every other page's.
 */
export function* readArea(caller: Caller, limits: Limits, area: Area, from: ReadFrom): Flow<boolean> {
  let afterId = from.afterId;
  let page: AreaMessage[] = [];
  for (let shown = 0; shown < from.count; ) {
    page = yield* call('readArea', caller.id, area.id, afterId, limits.pageSize);
    if (page.length === 0) break;
    for (const message of page) {
      yield* showMessage(message);
      afterId = message.id;
    }
    shown += page.length;
    if (shown < from.count && !(yield* atPrompt(caller, limits, page, 'read_more', area))) return false;
  }
  return yield* atPrompt(caller, limits, page, 'read_end', area);
}

/** Shows one message, with what it replies to. */
export function* showMessage(message: AreaMessage): Flow {
  const shown = { id: message.id, author: message.author, date: formatDate(message.createdAt), body: bodyShown(message.body) };
  if (message.replyTo === null) yield* show('message', shown);
  else yield* show('message_reply', { ...shown, reply_to: message.replyTo, reply_author: message.replyToAuthor ?? '?' });
}

// Asks until the caller goes on (true) or stops with Q (false); R replies and asks again, ? explains.
function* atPrompt(caller: Caller, limits: Limits, page: readonly AreaMessage[], screen: 'read_more' | 'read_end', area: Area): Flow<boolean> {
  for (;;) {
    const answer = (screen === 'read_more' ? yield* ask('read_more') : yield* ask('read_end', { area: area.title })).trim();
    if (asksHelp(answer)) {
      if (screen === 'read_more') yield* show('read_more_help');
      else yield* show('read_end_help', { area: area.title });
      continue;
    }
    const reply = /^r\s*#?\s*(\d*)$/i.exec(answer);
    if (reply === null) {
      if (answer.toUpperCase() === 'Q') return false;
      // Mid-area anything goes on (a blind reader's keys); at the end a stray answer would leave the area unsaid.
      if (screen === 'read_more' || answer === '') return true;
      yield* show('read_unclear', { answer });
      continue;
    }
    const digits = reply[1] ?? '';
    const wanted = digits === '' ? page.at(-1)?.id : Number(digits);
    // A number no message can have (0, or past what an id can be) is simply not there: named as typed, not as 1e+23.
    const target = wanted === undefined || !Number.isSafeInteger(wanted) || wanted < 1 ? undefined : (page.find((m) => m.id === wanted) ?? (yield* call('getMessage', wanted)));
    if (target === undefined) yield* show('no_such_message', { id: digits === '' ? (wanted ?? '') : digits.replace(/^0+(?=\d)/, '') });
    else yield* replyTo(caller, limits, target);
  }
}
