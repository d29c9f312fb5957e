/**
 * Numbered inputs behind a real Mongrel2 run in order across handlers. Mongrel2 deals a caller's
 * lines round robin, so input N+1 may reach this process before input N is read anywhere (it is
 * on its way to another handler, or queued there). Such a line is neither claimed nor run here:
 * it waits, a short while and a few per call, until its predecessor is read (here, or in the
 * journal by another process), then runs; past that it is dropped, and the client, hearing
 * nothing, sends its oldest unanswered input again.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Mongrel2Request } from '../common/mongrel2-wire.js';

/** How long a line waits for its predecessor to be read. */
const LINE_ORDER_WAIT_MS = 2000;
/** How many lines of one call wait at once; more are dropped at once. */
const LINE_ORDER_MAX_WAITING = 16;
// How often waiting lines look at the journal again (one indexed read per call waiting).
const RECHECK_MS = 10;

export interface LineOrderOptions {
  readonly log: Logger;
  readonly now: () => number;
  /** The last input read for `request`'s call, as far as anyone knows (this process or the journal); undefined when no open conversation has it. */
  readonly readUpTo: (request: Mongrel2Request, seq: number) => number | undefined;
  /** Runs a line whose predecessor is read now (the engine's receive). */
  readonly run: (request: Mongrel2Request) => void;
}

export interface LineOrder {
  /**
   * True when the numbered line `seq` may run now; false when it waits (run later) or was dropped.
   * `readNow` is readUpTo for this moment, from what the caller has already read about the call.
   */
  admit(request: Mongrel2Request, seq: number, readNow: () => number | undefined): boolean;
}

interface Waiting {
  readonly request: Mongrel2Request;
  readonly seq: number;
  readonly until: number;
}

/** Creates the ordering of numbered lines for one engine. */
export function createLineOrder(options: LineOrderOptions): LineOrder {
  const { log, now } = options;
  const waiting = new Map<string, Waiting[]>();
  let timer: NodeJS.Timeout | undefined;
  // A line let through by the recheck runs without being held again.
  let releasing: Mongrel2Request | undefined;

  const keyOf = (request: Mongrel2Request): string => `${request.uuid} ${request.connId}`;

  function ready(seq: number, read: number | undefined): boolean {
    return read === undefined || seq <= read + 1;
  }

  function recheck(): void {
    const at = now();
    for (const [key, lines] of [...waiting]) {
      lines.sort((a, b) => a.seq - b.seq);
      while (lines.length > 0) {
        const first = lines[0] as Waiting;
        if (ready(first.seq, options.readUpTo(first.request, first.seq))) {
          lines.shift();
          releasing = first.request;
          try {
            options.run(first.request);
          } catch (error) {
            log.error('numbered line not run', { conn: first.request.connId, seq: first.seq, error: describeError(error) });
          } finally {
            releasing = undefined;
          }
          continue;
        }
        if (at < first.until) break;
        lines.shift();
        log.debug('numbered line dropped: the input before it was never read', { conn: first.request.connId, seq: first.seq });
      }
      if (lines.length === 0) waiting.delete(key);
    }
    if (waiting.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  function admit(request: Mongrel2Request, seq: number, readNow: () => number | undefined): boolean {
    if (releasing === request) return true;
    const key = keyOf(request);
    const lines = waiting.get(key);
    // Behind lines already waiting, a line waits its turn too (it is sent again in order).
    if (lines === undefined && ready(seq, readNow())) return true;
    if ((lines?.length ?? 0) >= LINE_ORDER_MAX_WAITING) {
      log.debug('numbered line dropped: too many waiting for the input before them', { conn: request.connId, seq });
      return false;
    }
    if (lines === undefined) waiting.set(key, [{ request, seq, until: now() + LINE_ORDER_WAIT_MS }]);
    else if (!lines.some((line) => line.seq === seq)) lines.push({ request, seq, until: now() + LINE_ORDER_WAIT_MS });
    log.debug('numbered line waits for the input before it', { conn: request.connId, seq });
    if (timer === undefined) {
      timer = setInterval(recheck, RECHECK_MS);
      timer.unref();
    }
    return false;
  }

  return { admit };
}
