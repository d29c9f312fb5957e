/**
 * Keeps the journal from growing for good: conversations nobody will come back to are ended (their
 * proxy died with every backend that held them, so no `@*` disconnect ever came), and ended ones are
 * deleted, with their journals, once a week old (issue 18's sysop replay reads them until then),
 * or sooner, oldest first, when the journals outgrow their budget (--journal-keep-size); calls
 * that never logged in (a flood of dial-ins) go after an hour.
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

/** How often the database's size is looked at (cheap), to keep the journals within their budget. */
export const BUDGET_LOOK_EVERY_MS = 10_000;
// Growth of the database in use past which the journals are measured again (a walk of their pages).
const MEASURE_AFTER_GROWTH = 32 * 1024 * 1024;
// Ended conversations deleted in one transaction when over budget, and transactions in one look at most.
const BUDGET_BATCH = 50;
const BUDGET_PASSES = 40;

/**
 * Starts tidying every TIDY_EVERY_MS (first pass at once); `lines` says when a silent caller is
 * surely gone. With `keepBytes` (not 0), the journals are kept within that many bytes: past it,
 * the conversations that ended longest ago go first, whatever their age. A week of a busy
 * board's journals is large, and one address calling 30 times a minute, each call journaling as
 * much as a call may, added 500 MB a minute.
 */
export function keepJournalsTidy(store: JournalStore, lines: LineLimits, log: Logger, now: () => number = Date.now, keepBytes = 0): Tidier {
  let measuredAt = Number.NEGATIVE_INFINITY;
  let usedWhenMeasured = 0;
  const keepWithinBudget = (): void => {
    try {
      const used = store.usedBytes();
      if (used - usedWhenMeasured < MEASURE_AFTER_GROWTH && now() - measuredAt < TIDY_EVERY_MS) return;
      measuredAt = now();
      usedWhenMeasured = used;
      const over = store.journalBytes() - keepBytes;
      if (over <= 0) return;
      // Freed pages go to the free list: the database in use shrinks by about what is deleted.
      let pruned = 0;
      for (let pass = 0; pass < BUDGET_PASSES && store.usedBytes() > used - over; pass++) {
        const deleted = store.pruneOldestClosed(BUDGET_BATCH);
        pruned += deleted;
        if (deleted < BUDGET_BATCH) break;
      }
      usedWhenMeasured = store.usedBytes();
      log.info('journals over their budget: the oldest ended calls deleted', { pruned, overBytes: over, keepBytes });
    } catch (error) {
      log.warn('journal not tidied', { error: describeError(error) });
    }
  };
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
  const budget = keepBytes > 0 ? setInterval(keepWithinBudget, BUDGET_LOOK_EVERY_MS).unref() : undefined;
  if (keepBytes > 0) keepWithinBudget();
  return {
    stop: () => {
      clearInterval(timer);
      clearInterval(budget);
    },
  };
}

// Five minutes past the idle limit that applies (0 is "never hang up": never gone, then).
const GRACE_MS = 5 * 60_000;

/** Before when a conversation's caller, silent since, is surely gone: hung up on by the idle sweep. */
export function silentSince(lines: LineLimits, at: number): SilentSince {
  const limit = (seconds: number): number | undefined => (seconds === 0 ? undefined : at - seconds * 1000 - GRACE_MS);
  return { notLoggedIn: limit(lines.idleBeforeLoginSeconds), loggedIn: limit(lines.idleAfterLoginSeconds) };
}
