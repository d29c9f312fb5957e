/**
 * Hang-up orders as the engine carries them out (db/hang-up-orders.ts, watched by
 * hang-up-watch.ts): a line held here with the order's caller on it is ended with the order's
 * reason as its notice, its conversation closed for good; a call taken over from a backend that
 * died before carrying out an order for it is ended on arrival; and a line that ends stops being
 * its caller's, so no later login orders it hung up.
 */
import { describeError, type ErrorCode } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { ANY_CALLER, CALLER_HUNG_UP, type HangUpOrder, type HangUpOrders } from '../db/hang-up-orders.js';
import type { Session } from './session.js';

const HUNG_UP: ErrorCode = 'BBS_ERR_LINE_HUNG_UP';

export interface HangUpLinesOptions {
  /** The orders and callers' lines; none: the engine carries out no orders. */
  readonly hangUps: HangUpOrders | undefined;
  /** The sessions the engine holds now. */
  readonly sessions: () => Iterable<Session>;
  readonly log: Logger;
  readonly now: () => number;
  /** Closes the session's conversation for good; false when another backend holds it now. */
  readonly closeConversation: (session: Session) => boolean;
  /** Stops a session whose conversation another backend holds now, without a word. */
  readonly takenOver: (session: Session, error: unknown) => void;
  /** True when another process serves the session's call since (behind Mongrel2); the session is let go without a word. */
  readonly movedOn: (session: Session) => boolean;
  /** Ends a line whose caller hung up (an order CALLER_HUNG_UP): as at a hang-up heard here. */
  readonly hungUp: (session: Session) => void;
  /** Ends a line its caller is still on: `screen` as the notice (`{{reason}}` filled with `detail` when there is one), then the close. */
  readonly hangUpWith: (session: Session, screen: string, detail: string | null) => void;
}

/** What the engine does with hang-up orders and the lines they are aimed at. */
export interface HangUpLines {
  /**
   * Carries out a hang-up order when its line is held here with its caller on it: the caller is
   * shown the order's reason (a screen), the flow ends (its `finally` blocks run), the
   * conversation closes (never resumed) and so does the line. False when not held here.
   */
  hangUpLine(order: HangUpOrder): boolean;
  /** Carries out the orders a backend that died left for a call just taken over. */
  ordersMissed(session: Session): void;
  /** The session's line has ended: it is no longer its caller's (their next login orders nothing). */
  lineEnded(session: Session): void;
}

/** Creates the engine's handling of hang-up orders. */
export function createHangUpLines(options: HangUpLinesOptions): HangUpLines {
  const { hangUps, log } = options;

  function hangUpLine(order: HangUpOrder): boolean {
    for (const session of options.sessions()) {
      if (session.line !== order.line || (order.callerId !== ANY_CALLER && session.callerId !== order.callerId) || session.ended) continue;
      // The caller hung up where another handler heard it: their flow ends as at a hang-up here,
      // unless another process serves the call since (a line went there): that one is to end it.
      if (order.reason === CALLER_HUNG_UP) {
        if (options.movedOn(session)) continue;
        log.info('line ended: its caller hung up where another process heard it', { conn: session.connId, line: order.line, order: order.id });
        options.hungUp(session);
        return true;
      }
      // A conversation another backend holds now is that one's to end.
      if (!options.closeConversation(session)) {
        options.takenOver(session, undefined);
        return false;
      }
      log.info('line hung up by order', { code: HUNG_UP, conn: session.connId, line: order.line, reason: order.reason, order: order.id, ...(session.caller === undefined ? {} : { caller: session.caller }) });
      options.hangUpWith(session, order.reason, order.detail);
      return true;
    }
    return false;
  }

  function ordersMissed(session: Session): void {
    if (hangUps === undefined || session.line === undefined || session.ended) return;
    try {
      for (const order of hangUps.pendingFor(session.line)) if (hangUpLine(order)) hangUps.done(order.id, options.now());
    } catch (error) {
      log.warn('hang-up orders not read', { conn: session.connId, error: describeError(error) });
    }
  }

  function lineEnded(session: Session): void {
    if (hangUps === undefined || session.callerId === null || session.line === undefined) return;
    try {
      hangUps.lineEnded(session.callerId, session.line);
    } catch (error) {
      log.warn('line end not stored', { conn: session.connId, error: describeError(error) });
    }
  }

  return { hangUpLine, ordersMissed, lineEnded };
}
