/** Rules for caller names: which are well formed and which are kept back. */
import type { Limits } from '../limits.js';

const NAME_CHARS = /^[A-Za-z0-9_-]+$/;

/** Names nobody may register, compared without regard to case. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'sysop', 'all', 'new', 'admin', 'administrator', 'root', 'system', 'operator', 'guest',
  'everyone', 'nobody', 'anonymous', 'bbs', 'm2bbs', 'mongrel2', 'moderator', 'staff',
]);

export type NameVerdict = 'ok' | 'malformed' | 'reserved';

/** Says whether `name` may be used to log in or register. */
export function checkName(name: string, limits: Limits): NameVerdict {
  if (name.length < limits.minNameLength || name.length > limits.maxNameLength || !NAME_CHARS.test(name)) {
    return 'malformed';
  }
  return RESERVED_NAMES.has(name.toLowerCase()) ? 'reserved' : 'ok';
}

/** True for the answers that mean no to a (Y/n) question; anything else, Enter included, is yes. */
export function saysNo(answer: string): boolean {
  const word = answer.trim().toLowerCase();
  return word === 'n' || word === 'no';
}

/**
 * True only for the answers that plainly mean yes (Enter, y, yes): for a question where yes
 * repeats something, so that a stray `q` or menu choice does not.
 */
export function saysYes(answer: string): boolean {
  const word = answer.trim().toLowerCase();
  return word === '' || word === 'y' || word === 'yes';
}
