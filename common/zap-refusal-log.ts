/**
 * The ZAP handler's log of refused peers, bounded whatever a peer does: keys cost nothing to make,
 * so refusals are counted per address with the keys tried, under the limit every refusal log
 * shares (refusal-limit.ts: a line a minute per address, a budget of lines a minute in all).
 */
import type { ErrorCode } from './errors.js';
import type { Logger } from './log.js';
import { refusalLimit, type RefusalLogLimits } from './refusal-limit.js';

export { DEFAULT_REFUSAL_LOG_LIMITS, type RefusalLogLimits } from './refusal-limit.js';

const CURVE_REFUSED: ErrorCode = 'BBS_ERR_CURVE_REFUSED';

/** Notes one refusal of `key` (or a mechanism in brackets) from `address`; `why` says what was wrong. */
export type NoteRefusal = (key: string, address: string, why: string) => void;

/** A refusal log writing to `log`, reading the time from `now`. */
export function refusalLog(log: Logger, now: () => number = Date.now, limits?: RefusalLogLimits): NoteRefusal {
  const limit = refusalLimit(
    (l) => log.warn('backend key refusals: too many addresses to log each', { code: CURVE_REFUSED, linesPerMinute: l.linesPerWindow, windowMs: l.windowMs }),
    now,
    limits,
  );
  return (key, address, why) => {
    const counts = limit(address, key);
    if (counts === undefined) return;
    log.warn('backend key refused', {
      code: CURVE_REFUSED,
      key,
      address,
      why,
      // Since this address's last line: how many keys it tried, and how many times in all.
      keysRefused: counts.distinct,
      triesRefused: counts.refused,
      ...(counts.notLoggedBefore > 0 ? { refusalsNotLoggedBefore: counts.notLoggedBefore } : {}),
    });
  };
}
