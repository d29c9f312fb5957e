/**
 * Choosing a password after sign-up: a caller changing theirs from the main menu (their old one
 * first), and one who logged in with a one-time password (m2bbs sysop reset-password), who must
 * choose one before the menu. Each typed password is hashed or checked in the step that read it,
 * as at sign-up, so none is left pending across prompts nor ever journaled.
 */
import type { Caller } from '../../db/store.js';
import { isWriteFailure } from '../../db/write-failure.js';
import { askSecret, call, hangUp, show, sleep, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import type { NewPassword } from '../services.js';
import { tellNotSaved } from './not-saved.js';

/** Has a caller type a password twice (the first already hashed, asked again with `screen`); its hash, or undefined after too many mistakes. */
export function* agreePassword(first: NewPassword, limits: Limits, screen: 'password' | 'new_password' = 'password'): Flow<string | undefined> {
  let typed = first;
  for (let mistakes = 0; ; ) {
    if ('problem' in typed) {
      if (typed.problem === 'short') yield* show('pass_too_short', { min: limits.minPasswordLength });
      else yield* show('pass_too_long', { max: limits.maxPasswordLength });
    } else {
      // The repeat is checked against the hash in the step that read it: it is never left pending either.
      const again = yield* askSecret('repeat_pass');
      if (yield* call('samePassword', again, typed.hash)) return typed.hash;
      yield* show('pass_mismatch', { tries_left: Math.max(limits.maxTries - mistakes - 1, 0) });
    }
    mistakes++;
    if (mistakes >= limits.maxTries) return undefined;
    typed = yield* askNew(limits, screen);
  }
}

function* askNew(limits: Limits, screen: 'password' | 'new_password'): Flow<NewPassword> {
  return yield* call('hashNewPassword', yield* askSecret(screen), limits.minPasswordLength, limits.maxPasswordLength);
}

/** A new password typed twice, hashed; undefined after too many mistakes. */
function* chooseNew(limits: Limits): Flow<string | undefined> {
  return yield* agreePassword(yield* askNew(limits, 'new_password'), limits, 'new_password');
}

// True when stored; a write the board could not make is said plainly.
function* store(caller: Caller, hash: string): Flow<boolean> {
  try {
    yield* call('setPassword', caller.id, hash);
    return true;
  } catch (err) {
    if (!isWriteFailure(err)) throw err;
    yield* tellNotSaved(err.code, 'new password');
    return false;
  }
}

/**
 * A caller who logged in with a one-time password chooses a new one before going on; false when
 * the call has to end (too many mistakes, or the new one not stored: the one-time one is used up).
 */
export function* mustChangePassword(caller: Caller, limits: Limits): Flow<boolean> {
  yield* show('must_change_password', { name: caller.name });
  const hash = yield* chooseNew(limits);
  if (hash === undefined) {
    yield* hangUp('too_many_tries');
    return false;
  }
  if (!(yield* store(caller, hash))) {
    yield* hangUp('password_not_changed');
    return false;
  }
  yield* show('password_changed');
  return true;
}

/** The main menu's entry: the caller's password now, then the new one twice. */
export function* changePassword(caller: Caller, limits: Limits): Flow {
  const old = yield* askSecret('old_password');
  if (!(yield* call('checkPassword', caller.name, old))) {
    // As slow as a wrong password at login: a caller's open line is no faster way to guess it.
    yield* sleep(limits.badPasswordDelayMs);
    yield* show('wrong_old_password');
    return;
  }
  const hash = yield* chooseNew(limits);
  if (hash === undefined || !(yield* store(caller, hash))) {
    yield* show('password_not_changed');
    return;
  }
  yield* show('password_changed');
}
