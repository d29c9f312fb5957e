/**
 * Keeps the journal from growing for good: conversations nobody will come back to are ended (their
 * proxy died with every backend that held them, so no `@*` disconnect ever came), and ended ones are
 * deleted, with their journals, once a week old (issue 18's sysop replay reads them until then).
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { JournalStore } from '../db/journal-store.js';
import type { LineLimits } from './line-limits.js';

/** How long an ended conversation's journal is kept. */
export const KEEP_ENDED_MS = 7 * 24 * 3600_000;
/** How often a backend tidies; every backend does, and each pass is small. */
export const TIDY_EVERY_MS = 10 * 60_000;
// Rows deleted in one pass at most: a pass must not hold the write lock for long.
const BATCH = 500;

export interface Tidier {
  stop(): void;
}

/** Starts tidying every TIDY_EVERY_MS (first pass at once); `lines` says when a silent caller is surely gone. */
export function keepJournalsTidy(store: JournalStore, lines: LineLimits, log: Logger, now: () => number = Date.now): Tidier {
  const idleSeconds = Math.max(lines.idleBeforeLoginSeconds, lines.idleAfterLoginSeconds);
  const tidy = (): void => {
    try {
      // A caller silent past every idle limit has been hung up on by whoever held the call.
      const abandoned = idleSeconds === 0 ? 0 : store.closeSilent(now() - idleSeconds * 1000 - 5 * 60_000, now());
      const pruned = store.pruneClosed(now() - KEEP_ENDED_MS, BATCH);
      if (abandoned > 0 || pruned > 0) log.info('journal tidied', { abandoned, pruned });
    } catch (error) {
      log.warn('journal not tidied', { error: describeError(error) });
    }
  };
  tidy();
  const timer = setInterval(tidy, TIDY_EVERY_MS).unref();
  return { stop: () => clearInterval(timer) };
}
