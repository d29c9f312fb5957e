/**
 * The writing limit (--writes-per-hour): a caller stores at most so many messages, replies and
 * mails an hour, so one caller cannot fill the board's disk or bury everyone's mail. It is
 * checked before anything is typed, so nobody writes in vain, and again just before storing (the
 * same caller on another line may have written meanwhile): then the text is shown back.
 */
import type { Caller } from '../../db/store.js';
import { call, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';

/** True when the caller may write now; else they are told when they may, and false. */
export function* mayWrite(caller: Caller, limits: Limits): Flow<boolean> {
  const minutes = yield* call('writingWait', caller.id, limits.writesPerHour);
  if (minutes === 0) return true;
  yield* show('writing_limit', { limit: limits.writesPerHour, minutes });
  return false;
}

/** mayWrite at the moment of storing `body`: a caller past the limit sees their text back. */
export function* mayStore(caller: Caller, limits: Limits, body: string): Flow<boolean> {
  if (yield* mayWrite(caller, limits)) return true;
  yield* show('kept_text', { body });
  return false;
}
