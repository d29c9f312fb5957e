/**
 * The proxy's log of connections it refused or reset (caps, foreign Host, bad JSON-socket frames,
 * pipelining, deadlines, telnet refusals): one limit for all of them (common/refusal-limit.ts),
 * so each kind is logged at most once a minute per address, with how many since the line before,
 * and the proxy writes at most ten such lines a minute in all, then one summary line.
 */
import type { Logger } from '../common/log.js';
import { canonicalAddress } from '../common/remote-address.js';
import { refusalLimit, type RefusalLogLimits } from '../common/refusal-limit.js';

type Fields = Readonly<Record<string, unknown>>;

/** Where the proxy's doors and caps log what they refuse. */
export interface RefusalLog {
  /**
   * One connection from `remote` (an address, or a word like `total`) refused for `msg`: written
   * now at `level` with `fields`, `remote` and `refused` (the count since its last line), or counted.
   */
  refused(level: 'info' | 'warn', msg: string, remote: string | undefined, fields: Fields): void;
}

/** A refusal log writing to `log`, reading the time from `now`. */
export function createRefusalLog(log: Logger, now: () => number = Date.now, limits?: RefusalLogLimits): RefusalLog {
  const limit = refusalLimit(
    (l) => log.warn('refusals: too many to log each; counted until the next minute', { linesPerMinute: l.linesPerWindow, windowMs: l.windowMs }),
    now,
    limits,
  );
  return {
    refused(level, msg, remote, fields) {
      // By the address the caps count (an IPv6 /64 as one), so a home /56 is one key per /64 at most.
      const address = canonicalAddress(remote);
      const counts = limit(`${msg}\u0000${address}`);
      if (counts === undefined) return;
      log[level](msg, {
        ...fields,
        remote: address,
        refused: counts.refused,
        ...(counts.notLoggedBefore > 0 ? { refusalsNotLoggedBefore: counts.notLoggedBefore } : {}),
      });
    },
  };
}
