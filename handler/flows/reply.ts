/** Replying to a message while reading: the message quoted, trimmed as the caller likes, then written on. */
import type { AreaMessage } from '../../db/areas-store.js';
import type { Caller } from '../../db/store.js';
import { ask, call, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { composeBody } from './compose.js';
import { postOrKeep } from './not-saved.js';
import { keptLines, numberedLines, quoteLines } from './quote.js';
import { mayStore, mayWrite } from './writing-limit.js';

/** Writes a reply to `target` in its area; it is stored with what it replies to. */
export function* replyTo(caller: Caller, limits: Limits, target: AreaMessage): Flow {
  if (!(yield* mayWrite(caller, limits))) return;
  // One line at least is left for the reply itself.
  const quote = quoteLines(target.body, limits.maxLineLength, limits.maxLines - 1);
  const kept = yield* chooseQuote(quote, target, limits);
  yield* show('reply_compose', { id: target.id, author: target.author, max_lines: limits.maxLines, max_length: limits.maxLineLength });
  if (kept.length > 0) yield* show('reply_kept', { quote: numberedLines(kept) });
  const body = yield* composeBody(limits, kept, { callerId: caller.id, what: `a reply to #${target.id} by ${target.author}` });
  // A quote with nothing written after it says nothing: it is not posted.
  if (body === undefined || body.split('\n').length <= kept.length) {
    yield* show('nothing_posted');
    return;
  }
  if (!(yield* mayStore(caller, limits, body))) return;
  const id = yield* postOrKeep('reply', body, () => call('postToArea', target.areaId, caller.id, body, target.id));
  if (id !== undefined) yield* show('reply_posted', { id, reply_to: target.id, author: target.author });
}

function* chooseQuote(quote: readonly string[], target: AreaMessage, limits: Limits): Flow<string[]> {
  if (quote.length === 0) return [];
  for (let tries = 0; tries < limits.maxTries; tries++) {
    const answer = yield* ask('reply_quote', { id: target.id, author: target.author, quote: numberedLines(quote), lines: quote.length });
    const kept = keptLines(quote, answer);
    if (kept !== undefined) return kept;
    yield* show('reply_quote_bad', { choice: answer.trim(), lines: quote.length });
  }
  return [...quote];
}
