/**
 * Dialling a new call: the numbers in dial order, each tried once, until one answers. A busy
 * number, or one silent for the answer time, gives way to the next, the caller told each step
 * (`ATDT @bbs.11 ... BUSY`); the one that answers is announced (`ATDT @bbs.10 ... CONNECT`) before
 * its first reply; with none left, all lines are busy. A named m2bbs number that never answers its
 * caller's first line is hung up likewise (NO ANSWER).
 */
import { encodeDisconnect } from '../common/mongrel2-wire.js';
import { ackOf } from '../common/prompt-ack.js';
import type { MoverContext } from './call-mover.js';
import { noteLogin, notePrompt, type CallState } from './call-state.js';
import type { RefusalLog } from './refusal-log.js';
import { ResendWindow } from './resend-window.js';

/** What a caller is told when no number has a free line. */
export const ALL_LINES_BUSY = 'All lines are busy. Please try again later.';

/** What the dialler needs of the switchboard: what the mover needs, but for choosing numbers. */
export type DiallerContext = Pick<MoverContext, 'uuid' | 'log' | 'answerTimeoutMs' | 'load' | 'register' | 'unregister' | 'abandon' | 'request'> & {
  /** The proxy's one refusal log: callers told all lines are busy are logged there, a line a minute per address. */
  readonly refusals?: RefusalLog | undefined;
};

/** The steps of dialling a call, as the switchboard calls them. */
export interface CallDialler {
  /** Rings the call's next candidate number, or tells the caller every line is busy. */
  attempt(state: CallState): void;
  /** The number being rung is busy or did not answer: the caller is told, and the next one rung. */
  giveUp(state: CallState, outcome: 'BUSY' | 'NO ANSWER'): void;
  /** The number being rung answered with `body`: the call is connected, and what was typed meanwhile sent. */
  answered(state: CallState, body: Buffer): void;
  /** A named number has not answered its caller's first line in time (a timer's callback). */
  unanswered(state: CallState): void;
  /** Tells the caller `ATDT ... CONNECT`. */
  announce(state: CallState): void;
}

/** Creates the dialler over the switchboard's call table. */
export function createCallDialler(ctx: DiallerContext): CallDialler {
  const { log } = ctx;

  function attempt(state: CallState): void {
    const next = state.candidates?.shift();
    if (next === undefined) {
      if (ctx.refusals !== undefined) ctx.refusals.refused('info', 'all lines busy', state.info.remoteAddr, { door: state.info.door });
      else log.info('all lines busy', { door: state.info.door });
      state.ended = true;
      wakeHeld(state);
      state.line.notice(ALL_LINES_BUSY);
      state.line.hangUp();
      return;
    }
    state.link = next;
    ctx.register(state);
    state.timer = setTimeout(() => giveUp(state, 'NO ANSWER'), ctx.answerTimeoutMs).unref();
    next.send(ctx.request(state, state.first as Buffer, 1));
  }

  function giveUp(state: CallState, outcome: 'BUSY' | 'NO ANSWER'): void {
    // The call goes on on the next number: the slow one must not end its conversation.
    if (outcome === 'NO ANSWER') state.link.send(encodeDisconnect(ctx.uuid, state.id, { detach: true }));
    state.line.notice(`ATDT @${state.link.spec.number} ... ${outcome}`);
    ctx.abandon(state.id, state.link);
    ctx.unregister(state);
    if (outcome === 'BUSY') ctx.load(state.link).knownFull = true;
    attempt(state);
  }

  function answered(state: CallState, body: Buffer): void {
    clearTimeout(state.timer);
    // Kept for the whole call otherwise: the cleared timer and the first message are not needed again.
    state.timer = undefined;
    if (state.link.spec.batch === true) {
      state.window = new ResendWindow();
      state.window.push(1, state.first as Buffer);
    }
    state.first = undefined;
    state.candidates = undefined;
    state.connected = true;
    const ack = ackOf(body);
    if (ack !== undefined) state.window?.ack(ack);
    announce(state);
    log.info('call connected', { conn: state.id, backend: state.link.spec.number, door: state.info.door });
    noteLogin(state, body);
    notePrompt(state, ack);
    state.line.deliver(body);
    // Typed while dialling: inputs 2, 3, ... in the order typed.
    const typed = state.queued;
    state.queued = undefined;
    state.queuedBytes = 0;
    typed?.forEach((queued, i) => {
      state.window?.push(i + 2, queued);
      state.link.send(ctx.request(state, queued, i + 2));
    });
    wakeHeld(state);
  }

  // A named m2bbs number that is up but says nothing (a stopped process) would leave its caller
  // waiting in silence for good: after the answer time they are told, as a dialled caller is.
  function unanswered(state: CallState): void {
    state.timer = undefined;
    if (state.ended || state.announced) return;
    state.ended = true;
    wakeHeld(state);
    log.warn('number did not answer', { conn: state.id, backend: state.link.spec.number, door: state.info.door });
    state.link.send(encodeDisconnect(ctx.uuid, state.id));
    ctx.abandon(state.id, state.link);
    ctx.unregister(state);
    state.line.notice(`ATDT @${state.link.spec.number} ... NO ANSWER`);
    state.line.hangUp();
  }

  function announce(state: CallState): void {
    state.announced = true;
    state.line.notice(`ATDT @${state.link.spec.number} ... CONNECT`);
  }

  return { attempt, giveUp, answered, unanswered, announce };
}

// The door held reading while the call dialled: it reads again (and asks again whether it may).
function wakeHeld(state: CallState): void {
  const wake = state.held;
  state.held = undefined;
  wake?.();
}
