/**
 * Behind Mongrel2 with several handlers on one send_spec, a caller's hang-up goes to whichever
 * handler's turn it is, not to the one holding the call. The handler that heard it orders the line
 * ended (db/hang-up-orders.ts, reason CALLER_HUNG_UP), and the holder's watch ends the call there
 * as at a hang-up it heard itself: the flow ends, and what the caller was writing is kept as a
 * draft. A holder that does not carry the order out within ORDER_WAIT_MS (it died, or no longer
 * holds the call) has the conversation closed by the handler that heard the hang-up.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Mongrel2Request } from '../common/mongrel2-wire.js';
import { ANY_CALLER, CALLER_HUNG_UP, type HangUpOrders } from '../db/hang-up-orders.js';
import type { ConversationOpener } from './conversation-opener.js';

// Four looks of the holder's watch (hang-up-watch.ts, every 250 ms), with time for a busy turn.
export const ORDER_WAIT_MS = 1500;

export interface HungUpElsewhereOptions {
  readonly conversations: ConversationOpener;
  /** The board's hang-up orders; none: the conversation is closed at once. */
  readonly hangUps: HangUpOrders | undefined;
  readonly log: Logger;
  readonly now: () => number;
  /** The conversation ended here: its caller leaves who's online (its holder no longer beats the row). */
  readonly closed: (conversation: string) => void;
}

/** What a handler does with a hang-up for a call another process holds. */
export interface HungUpElsewhere {
  heard(request: Mongrel2Request): void;
  /** Stops the waits for holders (the engine closes). */
  stop(): void;
}

export function createHungUpElsewhere(options: HungUpElsewhereOptions): HungUpElsewhere {
  const { conversations, hangUps, log } = options;
  const waits = new Set<NodeJS.Timeout>();

  function close(conversation: string): void {
    if (conversations.closeUnheld(conversation)) options.closed(conversation);
  }

  function heard(request: Mongrel2Request): void {
    const conversation = conversations.unheld(request);
    if (conversation === undefined) return;
    if (hangUps === undefined) return close(conversation);
    let orderId: number;
    try {
      orderId = hangUps.order(conversation, ANY_CALLER, CALLER_HUNG_UP, options.now()).id;
    } catch (error) {
      log.warn('hang-up not passed on to the process holding the call: ended here', { conversation, error: describeError(error) });
      return close(conversation);
    }
    const wait = setTimeout(() => {
      waits.delete(wait);
      try {
        if (!hangUps.pendingFor(conversation).some((order) => order.id === orderId)) return;
        // Nobody carried it out: the holder died. A later call on the same line id is not its caller.
        hangUps.done(orderId, options.now());
      } catch (error) {
        log.warn('hang-up order not read', { conversation, error: describeError(error) });
      }
      close(conversation);
    }, ORDER_WAIT_MS);
    wait.unref();
    waits.add(wait);
  }

  function stop(): void {
    for (const wait of waits) clearTimeout(wait);
    waits.clear();
  }

  return { heard, stop };
}
