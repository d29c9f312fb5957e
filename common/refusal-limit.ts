/**
 * The one rule for how often refusals are logged, whatever refuses (the ZAP handler, the proxy's
 * caps and doors): a line per key (an address) a window at most, carrying the refusals since its
 * last line, and a budget of lines a window across all keys, past which one summary line says
 * the rest are only counted and the next line written carries how many were not. A flood from one
 * address or from a whole /56 then costs a bounded number of lines.
 */

/** How the log is bounded; the defaults suit a proxy, a test moves nothing but the clock. */
export interface RefusalLogLimits {
  /** The window of one line per key, and of the global budget (ms). */
  readonly windowMs: number;
  /** Lines a window across all keys, before the summary line. */
  readonly linesPerWindow: number;
  /** Keys remembered; past it the ones not heard from longest are dropped. */
  readonly maxAddresses: number;
  /** Distinct details (keys tried, say) counted per key between two lines; past it the count stays. */
  readonly maxKeysCounted: number;
}

/** One line a minute per address, ten a minute in all, 1000 addresses remembered. */
export const DEFAULT_REFUSAL_LOG_LIMITS: RefusalLogLimits = { windowMs: 60_000, linesPerWindow: 10, maxAddresses: 1000, maxKeysCounted: 1000 };

/** What a line may say: counted since the key's last line, this refusal included. */
export interface RefusalCounts {
  /** Refusals under the key. */
  readonly refused: number;
  /** Distinct details among them. */
  readonly distinct: number;
  /** Refusals of any key not logged (past the budget) since the last line written. */
  readonly notLoggedBefore: number;
}

/** Notes one refusal under `key` (with an optional detail to count distinct); returns counts when a line is due now. */
export type RefusalLimit = (key: string, detail?: string) => RefusalCounts | undefined;

interface KeyState {
  loggedAt: number;
  details: Set<string>;
  tries: number;
}

/** A limit reading the time from `now`; `summary` writes the one line when the budget runs out. */
export function refusalLimit(summary: (limits: RefusalLogLimits) => void, now: () => number = Date.now, limits: RefusalLogLimits = DEFAULT_REFUSAL_LOG_LIMITS): RefusalLimit {
  // Insertion order is the order of last lines: a key is re-inserted when it logs, so the first
  // entries are the ones quiet longest, and dropping them never clears a live window.
  const keys = new Map<string, KeyState>();
  let windowStart = Number.NEGATIVE_INFINITY;
  let linesInWindow = 0;
  let unlogged = 0;
  let summarised = false;

  const forgetOld = (at: number): void => {
    for (const [key, state] of keys) {
      // Quiet past its window with nothing counted since: nothing is lost by forgetting it.
      const spent = state.tries === 0 && at - state.loggedAt >= limits.windowMs;
      if (!spent && keys.size < limits.maxAddresses) break;
      keys.delete(key);
    }
  };

  return (key, detail) => {
    const at = now();
    if (at - windowStart >= limits.windowMs) {
      windowStart = at;
      linesInWindow = 0;
      summarised = false;
    }
    let state = keys.get(key);
    if (state === undefined) {
      forgetOld(at);
      state = { loggedAt: Number.NEGATIVE_INFINITY, details: new Set(), tries: 0 };
      keys.set(key, state);
    }
    if (detail !== undefined && state.details.size < limits.maxKeysCounted) state.details.add(detail);
    state.tries++;
    if (at - state.loggedAt < limits.windowMs) return undefined;
    if (linesInWindow >= limits.linesPerWindow) {
      unlogged++;
      if (!summarised) {
        summarised = true;
        summary(limits);
      }
      return undefined;
    }
    linesInWindow++;
    const counts = { refused: state.tries, distinct: state.details.size, notLoggedBefore: unlogged };
    unlogged = 0;
    keys.delete(key);
    keys.set(key, { loggedAt: at, details: new Set(), tries: 0 });
    return counts;
  };
}
