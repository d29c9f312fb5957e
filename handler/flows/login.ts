/** Logging in, and registering a caller whose name is new. */
import { isBbsError } from '../../common/errors.js';
import type { Caller } from '../../db/store.js';
import { isWriteFailure } from '../../db/write-failure.js';
import { ask, askSecret, askYesNo, call, hangUp, show, sleep, startOver, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { checkName, saysNo, saysYes } from './names.js';
import { tellNotSaved } from './not-saved.js';
import { agreePassword, mustChangePassword } from './password.js';

/** Welcomes a caller and returns who they are, or undefined when the call has to end. */
export function* logIn(limits: Limits): Flow<Caller | undefined> {
  yield* show('welcome');
  for (let attempt = 0; attempt < limits.maxTries; attempt++) {
    // Back at the name prompt nothing before matters: a journal replays from here, never through a
    // sign-up that went wrong (its passwords, never journaled, would not replay the same).
    yield* startOver();
    // A caller from an address the sysop banned is refused before they can type a thing. After
    // the checkpoint, not before the welcome: a call replayed from here must make it again.
    const banned = yield* call('banOf', '');
    if (banned !== undefined) {
      yield* hangUp('banned', { reason: banned.reason });
      return undefined;
    }
    const name = (yield* ask('name')).trim();
    if (name === '') {
      attempt--;
      continue;
    }
    const verdict = checkName(name, limits);
    if (verdict !== 'ok') {
      if (verdict === 'reserved') yield* show('reserved_name', { name });
      else yield* show('bad_name', { min: limits.minNameLength, max: limits.maxNameLength });
      continue;
    }
    // A locked name says so before any password is asked: nothing is learnt about one. A banned
    // name (or address, banned since the call began) cannot log in nor sign up, nor can a deleted caller's.
    const lock = yield* call('loginLock', name);
    if (lock !== undefined) {
      // A deleted account's name is taken for good: said before any password (a sign-up offered
      // for it, its password asked twice, would only end refused).
      if ('closed' in lock) {
        yield* show('name_taken', { name });
        continue;
      }
      if ('banned' in lock) {
        yield* hangUp('banned', { reason: lock.reason });
        return undefined;
      }
      if (lock.on === 'address') {
        yield* hangUp('address_locked', { minutes: lock.minutes });
        return undefined;
      }
      yield* show('name_locked', { name, minutes: lock.minutes });
      continue;
    }
    const password = yield* askSecret('password');
    const known = yield* call('findCaller', name);
    if (known !== undefined) {
      const result = yield* call('logIn', known.name, password);
      if (result.ok) {
        if (result.endedOtherLine) yield* show('other_line_ended');
        if (result.mustChangePassword === true && !(yield* mustChangePassword(result.caller, limits))) return undefined;
        return result.caller;
      }
      if ('banned' in result) {
        yield* hangUp('banned', { reason: result.banned.reason });
        return undefined;
      }
      yield* sleep(badPasswordDelay(limits.badPasswordDelayMs, result.failures));
      yield* hangUp('bad_pass');
      return undefined;
    }
    // A new name: the password is hashed at once, in the step that read it, so no password is left
    // pending across prompts (a move or a hop between handlers then replays the sign-up, its hash
    // journaled, without asking again), and only its hash goes on to the repeat and the sign-up.
    const typed = yield* call('hashNewPassword', password, limits.minPasswordLength, limits.maxPasswordLength);
    if (!(yield* wantsToSignUp(name, limits))) continue;
    const agreed = yield* agreePassword(typed, limits);
    if (agreed === undefined) {
      yield* hangUp('too_many_tries');
      return undefined;
    }
    try {
      const caller = yield* call('registerHashed', name, agreed);
      yield* show('welcome_newbie', { name: caller.name });
      return caller;
    } catch (err) {
      // A sign-up the board could not store: say so plainly, and back to the name prompt, where
      // a caller who has a name can still log in.
      if (isWriteFailure(err)) {
        yield* tellNotSaved(err.code, 'sign-up');
        yield* show('signup_later');
        continue;
      }
      if (!isBbsError(err, 'BBS_ERR_NAME_TAKEN')) throw err;
      yield* show('name_taken', { name });
    }
  }
  yield* hangUp('too_many_tries');
  return undefined;
}

/** The longest pause before `bad_pass`, unless the configured first pause is longer. */
export const MAX_BAD_PASSWORD_DELAY_MS = 30_000;

/** The pause before `bad_pass`: the configured one, doubled for each earlier recent failure of the name, capped. */
export function badPasswordDelay(firstMs: number, failures: number): number {
  return Math.min(firstMs * 2 ** Math.min(Math.max(failures - 1, 0), 20), Math.max(MAX_BAD_PASSWORD_DELAY_MS, firstMs));
}

/**
 * Asks whether to sign up as `name` until the answer is plainly yes (Enter, y) or no: a stray
 * answer (the password typed again, a menu choice) asks again rather than creating an account.
 */
function* wantsToSignUp(name: string, limits: Limits): Flow<boolean> {
  for (let asked = 0; asked < limits.maxTries; asked++) {
    const answer = yield* askYesNo('new_user', { name });
    if (saysYes(answer)) return true;
    if (saysNo(answer)) return false;
    // Often the password again, typed a prompt early: said what this question takes.
    if (asked + 1 < limits.maxTries) yield* show('new_user_unclear', { name });
  }
  return false;
}
