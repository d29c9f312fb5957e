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

/** How often at most a line about to be refused looks for stale sessions (one read per session held). */
const MOVED_ON_PRUNE_MS = 1000;

export interface MovedOnPrunerOptions {
  readonly sessions: () => Iterable<Session>;
  readonly journal: Journal | undefined;
  readonly log: Logger;
  readonly now: () => number;
  /** Drops a stale session without a word (its caller is served elsewhere). */
  readonly drop: (session: Session) => void;
}

/**
 * Returns a prune for when every line is taken: it drops the sessions whose calls went on in
 * another process, at most once every MOVED_ON_PRUNE_MS, so a flood of dial-ins at full capacity
 * costs one read per held session a second, not per dial-in.
 */
export function createMovedOnPruner(options: MovedOnPrunerOptions): () => void {
  let last = -Infinity;
  return () => {
    const at = options.now();
    if (at - last < MOVED_ON_PRUNE_MS) return;
    last = at;
    for (const held of [...options.sessions()]) if (movedOn(held, options.journal, options.log)) options.drop(held);
  };
}
