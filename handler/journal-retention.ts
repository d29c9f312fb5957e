/**
 * Keeps the journal from growing for good: conversations nobody will come back to are ended (their
 * proxy died with every backend that held them, so no `@*` disconnect ever came), and ended ones are
 * deleted, with their journals, once a week old (issue 18's sysop replay reads them until then);
 * calls that never logged in (a flood of dial-ins) go after an hour.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { JournalStore, SilentSince } from '../db/journal-store.js';
import type { LineLimits } from './line-limits.js';

/** How long an ended conversation's journal is kept. */
export const KEEP_ENDED_MS = 7 * 24 * 3600_000;
/** How long the journal of an ended call that never logged in is kept. */
export const KEEP_GUESTS_MS = 3600_000;
/** How often a backend tidies; every backend does, and each pass is small. */
export const TIDY_EVERY_MS = 10 * 60_000;
// Conversations deleted in one transaction: one must not hold the write lock for long.
const BATCH = 500;
// Transactions in one pass at most.
const PASSES = 20;

export interface Tidier {
  stop(): void;
}

/** Starts tidying every TIDY_EVERY_MS (first pass at once); `lines` says when a silent caller is surely gone. */
export function keepJournalsTidy(store: JournalStore, lines: LineLimits, log: Logger, now: () => number = Date.now): Tidier {
  const tidy = (): void => {
    try {
      const abandoned = store.closeSilent(silentSince(lines, now()), now());
      let pruned = 0;
      for (let pass = 0; pass < PASSES; pass++) {
        const deleted = store.pruneClosed(now() - KEEP_ENDED_MS, BATCH, now() - KEEP_GUESTS_MS);
        pruned += deleted;
        if (deleted < BATCH) break;
      }
      if (abandoned > 0 || pruned > 0) log.info('journal tidied', { abandoned, pruned });
    } catch (error) {
      log.warn('journal not tidied', { error: describeError(error) });
    }
  };
  tidy();
  const timer = setInterval(tidy, TIDY_EVERY_MS).unref();
  return { stop: () => clearInterval(timer) };
}

// Five minutes past the idle limit that applies (0 is "never hang up": never gone, then).
const GRACE_MS = 5 * 60_000;

/** Before when a conversation's caller, silent since, is surely gone: hung up on by the idle sweep. */
export function silentSince(lines: LineLimits, at: number): SilentSince {
  const limit = (seconds: number): number | undefined => (seconds === 0 ? undefined : at - seconds * 1000 - GRACE_MS);
  return { notLoggedIn: limit(lines.idleBeforeLoginSeconds), loggedIn: limit(lines.idleAfterLoginSeconds) };
}
