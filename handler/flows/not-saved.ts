/**
 * What a caller is told when the board could not store what they wrote: plainly that it was NOT
 * saved and why, their own words shown back so they are not lost, and a chance to try again.
 */
import type { WriteFailureCode } from '../../db/write-failure.js';
import { isWriteFailure } from '../../db/write-failure.js';
import { askYesNo, show, type Flow } from '../effects.js';
import { saysYes } from './names.js';

const REASON_SCREENS = {
  BBS_ERR_DB_FULL: 'not_saved_full',
  BBS_ERR_DB_WRITE: 'not_saved_unwritable',
  BBS_ERR_DB_GONE: 'not_saved_gone',
} as const satisfies Record<WriteFailureCode, string>;

/** Says that the caller's `what` ("message", "sign-up") was not saved, and why. */
export function* tellNotSaved(code: WriteFailureCode, what: string): Flow {
  yield* show(REASON_SCREENS[code], { what });
}

/**
 * Runs `write` until it is stored, or the caller gives up: each time it is not stored, the caller
 * is told why, sees `body` again and is asked whether to try again. Returns what `write` returned,
 * or undefined when nothing was stored. A file gone is not offered again: only a restart helps.
 * Only a plain yes tries again: a caller who types `q` (or a line meant for the menu) wants out.
 */
export function* storeOrOffer<T>(what: string, body: string, write: () => Flow<T>): Flow<T | undefined> {
  for (;;) {
    try {
      return yield* write();
    } catch (err) {
      if (!isWriteFailure(err)) throw err;
      yield* tellNotSaved(err.code, what);
      yield* show('kept_text', { body });
      if (err.code === 'BBS_ERR_DB_GONE' || !saysYes(yield* askYesNo('try_again'))) {
        yield* show('not_saved_dropped');
        return undefined;
      }
    }
  }
}

/**
 * Posts `body` with `post` as storeOrOffer does; a post refused because its area was archived (the
 * sysop took it out while the caller wrote; `post` gives undefined) is said plainly, with the text
 * shown back. Returns the message's id, or undefined when nothing was stored.
 */
export function* postOrKeep(what: string, body: string, post: () => Flow<number | undefined>): Flow<number | undefined> {
  const result = yield* storeOrOffer(what, body, function* () {
    return (yield* post()) ?? AREA_CLOSED;
  });
  if (result !== AREA_CLOSED) return result;
  yield* show('area_closed', { what });
  yield* show('kept_text', { body });
  return undefined;
}

// What postOrKeep's write gives for an archived area, apart from "not stored" (undefined).
const AREA_CLOSED = 'area closed';
