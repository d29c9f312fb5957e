/** Rules for caller names: which are well formed and which are kept back. */
import { yesNoAnswer } from '../effects.js';
import type { Limits } from '../limits.js';

const NAME_CHARS = /^[A-Za-z0-9_-]+$/;

/** Names nobody may register, compared without regard to case. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'sysop', 'all', 'new', 'admin', 'administrator', 'root', 'system', 'operator', 'guest',
  'everyone', 'nobody', 'anonymous', 'bbs', 'm2bbs', 'mongrel2', 'moderator', 'staff',
  // Who's online shows a call not yet logged in as "logging in": no caller may read like one.
  'logging_in', 'loggingin', 'logging', 'login',
]);

// `logging-in`, `Logging_In`, `sys_op`: a reserved name with separators between its letters is still that name.
const folded = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');
const RESERVED_FOLDED: ReadonlySet<string> = new Set([...RESERVED_NAMES].map(folded));

export type NameVerdict = 'ok' | 'malformed' | 'reserved';

/** Says whether `name` may be used to log in or register. */
export function checkName(name: string, limits: Limits): NameVerdict {
  if (name.length < limits.minNameLength || name.length > limits.maxNameLength || !NAME_CHARS.test(name)) {
    return 'malformed';
  }
  return RESERVED_NAMES.has(name.toLowerCase()) || RESERVED_FOLDED.has(folded(name)) ? 'reserved' : 'ok';
}

/** True for the answers that mean no to a (Y/n) question; anything else, Enter included, is yes. */
export function saysNo(answer: string): boolean {
  return yesNoAnswer(answer) === 'n';
}

/**
 * True only for the answers that plainly mean yes (Enter, y, yes): for a question where yes
 * repeats something, so that a stray `q` or menu choice does not.
 */
export function saysYes(answer: string): boolean {
  const meaning = yesNoAnswer(answer);
  return meaning === '' || meaning === 'y';
}
