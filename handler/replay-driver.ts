/**
 * Driving a flow through its journal, effect by effect (replay.ts answers each from its row): what
 * was shown before the move is not shown again (unless the caller never got it), waits are not
 * waited again, and at the end of the rows the flow goes live at the caller's prompt. A journal
 * the code no longer fits starts the call again, logged in if the caller was, with one notice.
 */
import { encodeBbsMessage } from '../common/bbs-messages.js';
import type { Logger } from '../common/log.js';
import type { Caller } from '../db/store.js';
import type { Effect, Flow } from './effects.js';
import { resumeWith } from './effect-runners.js';
import type { Journal } from './journal.js';
import { loggedInCaller, replayStep, type FlowStart } from './replay.js';
import { renderNotice } from './notices.js';
import { renderReply } from './replies.js';
import type { Screens } from './screens.js';
import type { Session } from './session.js';
import { screensAt } from './screen-width.js';

/** What a caller is told when their conversation moved but the board changed meanwhile. */
export const CHANGED_NOTICE = {
  loggedIn: '-- the board was updated while your line moved: back to the main menu --',
  notLoggedIn: '-- the board was updated while your line moved: please start again --',
} as const;

export interface ReplayerOptions {
  /** A reply, held for the commit like any other. */
  readonly emit: (session: Session, body: string) => void;
  readonly screens: () => Screens;
  readonly log: Logger;
  readonly journal: Journal | undefined;
  readonly startFlow: (start?: FlowStart) => Flow;
  readonly now: () => number;
}

export interface Replayer {
  /** One effect during replay: the next flow step, or undefined to do this effect live. */
  step(session: Session, effect: Effect): IteratorResult<Effect, void> | undefined;
}

export function createReplayer(options: ReplayerOptions): Replayer {
  const { emit, log, journal } = options;

  function step(session: Session, effect: Effect): IteratorResult<Effect, void> | undefined {
    const replay = session.replay as NonNullable<Session['replay']>;
    switch (effect.kind) {
      case 'show':
        // Said before the move, unless the caller never got it (see Replay.audible).
        if (replay.audible === true) emit(session, renderReply(screensAt(options.screens(), session.columns), effect));
        return session.flow.next(undefined);
      case 'notify':
        if (replay.audible === true) emit(session, renderNotice(screensAt(options.screens(), session.columns), effect, new Date(options.now()), effect.about));
        return session.flow.next(undefined);
      case 'sleep':
      // Waited for before the move: not again. Published before the move, or lost with the
      // backend that died (the bus delivers at most once; the store has it): not again either.
      case 'publish':
        return session.flow.next(undefined);
      case 'identify':
        session.caller = effect.name;
        return session.flow.next(undefined);
      // Not journaled: applied again, and written once the call is held here (presence.opened).
      case 'activity':
        session.doing = effect.doing;
        return session.flow.next(undefined);
      case 'checkpoint':
        if (effect.caller !== undefined) session.callerId = effect.caller.id;
        break;
    }
    const step = replayStep(replay, effect, options.screens());
    if (step.step === 'feed') return resumeWith(session.flow, step.resume);
    session.replay = undefined;
    if (step.step === 'live') {
      if (step.dropFrom !== undefined) {
        session.dropFrom = step.dropFrom;
        session.nextN = step.dropFrom;
        // Asked again from the password on: lines sent with the move answered later prompts (a
        // password typed after the sign-up question would be read there, journaled in clear).
        session.restarted = true;
      }
      log.info('conversation resumed', { conversation: session.conversation, conn: session.connId, rows: replay.index, ...(step.dropFrom === undefined ? {} : { askedAgain: 'password' }) });
      return undefined;
    }
    // The code or the screens changed since the journal was written: start again, logged in if
    // the caller was, with one line to say why.
    const caller: Caller | undefined = loggedInCaller(replay.rows);
    log.warn('conversation does not fit the code: restarted', { conversation: session.conversation, conn: session.connId, step: replay.index, why: step.why, caller: caller?.name });
    emit(session, encodeBbsMessage({ type: 'screen', msg: `${caller === undefined ? CHANGED_NOTICE.notLoggedIn : CHANGED_NOTICE.loggedIn}\n` }));
    session.restarted = true;
    session.flow = options.startFlow(caller === undefined ? undefined : { caller, menu: 'main' });
    if (caller === undefined) journal?.record(session, 'start', 'start', null);
    return session.flow.next(undefined);
  }

  return { step };
}

/**
 * Lines sent with a move answer the prompts the caller saw: once the journal did not fit and the
 * flow started again (or was cut back to ask a password again), they would answer other prompts
 * (a password read as a name), so they are dropped and the caller answers the prompt now shown.
 * Returns whether they were dropped. Dropped lines count as read, journaled as such: the proxy
 * keeps them until a prompt acknowledges them, and sends them again if this backend dies too;
 * they must not answer then.
 */
export function dropMovedLines(session: Session, lines: number, seq: number, to: { readonly journal: Journal | undefined; readonly log: Logger; readonly takenOver: (session: Session, error: unknown) => void }): boolean {
  if (!session.restarted) return false;
  to.log.info('lines sent with the move dropped: the prompts they answered are gone', { conn: session.connId, conversation: session.conversation, lines });
  if (seq > session.lastSeq || (seq === session.lastSeq && lines - 1 > session.lastPart)) {
    session.lastSeq = seq;
    session.lastPart = lines - 1;
    if (session.acked >= 0) session.acked = seq;
    try {
      to.journal?.commit(session, true);
    } catch (error) {
      to.takenOver(session, error);
    }
  }
  return true;
}
