/**
 * The ZAP handler's log of refused peers, bounded whatever a peer does: keys cost nothing to make,
 * so refusals are counted per address (one line a minute at most, with the keys and tries since
 * its last line), and all addresses share a budget of lines a minute, past which one summary line
 * says the rest are only counted.
 */
import type { ErrorCode } from './errors.js';
import type { Logger } from './log.js';

const CURVE_REFUSED: ErrorCode = 'BBS_ERR_CURVE_REFUSED';

/** How the refusal log is bounded; the defaults suit a proxy, a test shortens nothing but the clock. */
export interface RefusalLogLimits {
  /** The window of one line per address, and of the global budget (ms). */
  readonly windowMs: number;
  /** Lines a window across all addresses, before the summary line. */
  readonly linesPerWindow: number;
  /** Addresses remembered; past it the ones not heard from longest are dropped. */
  readonly maxAddresses: number;
  /** Distinct keys counted per address between two lines; past it the count stays at this. */
  readonly maxKeysCounted: number;
}

/** One line a minute per address, ten a minute in all, 1000 addresses remembered. */
export const DEFAULT_REFUSAL_LOG_LIMITS: RefusalLogLimits = { windowMs: 60_000, linesPerWindow: 10, maxAddresses: 1000, maxKeysCounted: 1000 };

interface AddressState {
  loggedAt: number;
  keys: Set<string>;
  tries: number;
}

/** Notes one refusal of `key` (or a mechanism in brackets) from `address`; `why` says what was wrong. */
export type NoteRefusal = (key: string, address: string, why: string) => void;

/** A refusal log writing to `log`, reading the time from `now`. */
export function refusalLog(log: Logger, now: () => number = Date.now, limits: RefusalLogLimits = DEFAULT_REFUSAL_LOG_LIMITS): NoteRefusal {
  // Insertion order is the order of last lines: an address is re-inserted when it logs, so the
  // first entries are the ones quiet longest, and dropping them never clears a live window.
  const addresses = new Map<string, AddressState>();
  let windowStart = Number.NEGATIVE_INFINITY;
  let linesInWindow = 0;
  let unlogged = 0;
  let summarised = false;

  const forgetOld = (at: number): void => {
    for (const [address, state] of addresses) {
      // Quiet past its window with nothing counted since: nothing is lost by forgetting it.
      const spent = state.tries === 0 && at - state.loggedAt >= limits.windowMs;
      if (!spent && addresses.size < limits.maxAddresses) break;
      addresses.delete(address);
    }
  };

  return (key, address, why) => {
    const at = now();
    if (at - windowStart >= limits.windowMs) {
      windowStart = at;
      linesInWindow = 0;
      summarised = false;
    }
    let state = addresses.get(address);
    if (state === undefined) {
      forgetOld(at);
      state = { loggedAt: Number.NEGATIVE_INFINITY, keys: new Set(), tries: 0 };
      addresses.set(address, state);
    }
    if (state.keys.size < limits.maxKeysCounted) state.keys.add(key);
    state.tries++;
    if (at - state.loggedAt < limits.windowMs) return;
    if (linesInWindow >= limits.linesPerWindow) {
      unlogged++;
      if (!summarised) {
        summarised = true;
        log.warn('backend key refusals: too many addresses to log each', { code: CURVE_REFUSED, linesPerMinute: limits.linesPerWindow, windowMs: limits.windowMs });
      }
      return;
    }
    linesInWindow++;
    log.warn('backend key refused', {
      code: CURVE_REFUSED,
      key,
      address,
      why,
      // Since this address's last line: how many keys it tried, and how many times in all.
      keysRefused: state.keys.size,
      triesRefused: state.tries,
      ...(unlogged > 0 ? { refusalsNotLoggedBefore: unlogged } : {}),
    });
    unlogged = 0;
    addresses.delete(address);
    addresses.set(address, { loggedAt: at, keys: new Set(), tries: 0 });
  };
}
