/**
 * Behind a real Mongrel2, several handler processes on one send_spec get a caller's lines in
 * turn: a session held here is stale once another process has claimed its conversation since.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Journal } from './journal.js';
import type { Session } from './session.js';

/** True when another process has claimed `session`'s Mongrel2-named conversation since (one indexed read). */
export function movedOn(session: Session, journal: Journal | undefined, log: Logger): boolean {
  const id = session.conversation;
  // The proxy's calls move only through the proxy, which tells the old backend (DETACH).
  if (journal === undefined || id === undefined || session.ended || !id.startsWith('m2/')) return false;
  try {
    return !journal.store.holds(id, session.epoch);
  } catch (error) {
    log.error('conversation owner not read', { conversation: id, error: describeError(error) });
    return false;
  }
}
