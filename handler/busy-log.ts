/**
 * The `busy` log line, at most once a minute per call: a handed-off caller waiting for a free
 * line is offered here again and again (every few hundred ms), and a line each time would bury
 * the log. Repeats in between go to debug, and the next info line says how many there were.
 */
import type { Logger } from '../common/log.js';
import type { Mongrel2Request } from '../common/mongrel2-wire.js';

/** How long one call's `busy` lines are folded into one. */
const BUSY_LOG_EVERY_MS = 60_000;

// Calls remembered at most: past it the oldest are forgotten (their next busy logs again).
const MAX_KEYS = 4096;

export interface BusyLog {
  /** Logs that `request` was refused busy, at info when this call's last info line was a minute ago or more. */
  refused(request: Mongrel2Request, fields: Record<string, unknown>): void;
}

/** Creates the folding `busy` log for one engine. */
export function createBusyLog(log: Logger, now: () => number): BusyLog {
  const last = new Map<string, { at: number; since: number }>();
  return {
    refused(request, fields) {
      // The proxy names a call (SESSION) whatever connection it tries it on; behind Mongrel2 a
      // connection is a caller.
      const session = request.headers.SESSION;
      const key = typeof session === 'string' ? session : `${request.uuid} ${request.connId}`;
      const at = now();
      const seen = last.get(key);
      if (seen !== undefined && at - seen.at < BUSY_LOG_EVERY_MS) {
        seen.since++;
        log.debug('busy', { conn: request.connId, ...fields });
        return;
      }
      last.delete(key);
      if (last.size >= MAX_KEYS) last.delete(last.keys().next().value as string);
      last.set(key, { at, since: 0 });
      log.info('busy', { conn: request.connId, path: request.path, ...fields, ...(seen === undefined || seen.since === 0 ? {} : { repeats: seen.since }) });
    },
  };
}
