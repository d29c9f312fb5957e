/**
 * Moving a call whose m2bbs backend died. The conversation is journaled (handler/journal.ts), so
 * any backend can take it over: the call is dialled again (a free line on any number for `@bbs`,
 * the same number once it is back for a named one), with `RESUME: 1`, and the inputs the dead
 * backend had not acknowledged are sent again; the new backend skips those its journal already
 * holds and shows the caller's prompt again. The caller sees one line, `-- line moved to
 * @bbs.11 --`. Only when no number takes the call within the move time does it drop (NO CARRIER).
 * A call handed off a draining link (handoff.ts) moves the same way, to the targets it is given;
 * when each of them answers busy it waits on for a free line on any number (one added meanwhile
 * too): it never drops while some number is up (it left a backend that would have served it), and
 * with none up, only once its draining backend's drain could have ended (--drain-timeout-ms).
 */
import type { Logger } from '../common/log.js';
import { encodeDisconnect } from '../common/mongrel2-wire.js';
import { encodeBbsMessage, isEventBody } from '../common/bbs-messages.js';
import { ackOf } from '../common/prompt-ack.js';
import type { BackendLink } from './backend-link.js';
import { noteLogin, notePrompt, type CallState, type LinkState } from './call-state.js';
import type { LinkTable } from './link-table.js';

/** What the mover needs of the switchboard. */
export interface MoverContext {
  readonly uuid: string;
  readonly table: LinkTable;
  readonly log: Logger;
  readonly random: () => number;
  readonly answerTimeoutMs: number;
  readonly moveTimeoutMs: number;
  /** How long a handed-off call may wait with no number up: as long as its backend's drain could have lasted. */
  readonly handoffWaitMs: number;
  load(link: BackendLink): LinkState;
  /** Gives the call a fresh connection id on `state.link` and counts its line. */
  register(state: CallState): void;
  unregister(state: CallState): void;
  /** True while the call holds a connection id on `state.link` (an attempt in progress). */
  registered(state: CallState): boolean;
  /** Remembers an attempt given up on (on `link`), so its late replies are dropped quietly. */
  abandon(id: string, link: BackendLink): void;
  /** A request frame for the call (with RESUME and ACKED while it moves). */
  request(state: CallState, body: Buffer | string, seq: number): Buffer;
  isBusy(body: Buffer): boolean;
}

export interface CallMover {
  /** The call's backend died (or, given `targets`, the call is handed off to them): find it another line. */
  move(state: CallState, targets?: BackendLink[]): void;
  /** The caller typed while the call moves: kept, and sent with the rest once a line takes it. */
  typedWhileMoving(state: CallState, body: Buffer): void;
  /** The number being tried answered the moving call. */
  replied(state: CallState, body: Buffer): void;
  /** The number being tried went away too. */
  lost(state: CallState): void;
}

// While no number can take the call: look again this often (a restarted backend takes ~1 s).
const RETRY_MS = 200;
// A handed-off call waiting on past its limit: every number is asked again this often, not more.
const OVERDUE_RETRY_MS = 1000;
const PING = encodeBbsMessage({ type: 'ping' });

export function createCallMover(ctx: MoverContext): CallMover {
  const { log } = ctx;

  function move(state: CallState, targets?: BackendLink[]): void {
    state.movedFrom = state.link.spec.number;
    state.handedOff = targets !== undefined;
    state.overdueLogged = false;
    ctx.unregister(state);
    state.connected = false;
    state.movingSince = Date.now();
    if (targets === undefined) log.warn('line moving', { conn: state.id, from: state.movedFrom, resend: state.window?.length ?? 0 });
    state.candidates = targets ?? [];
    tryNext(state);
  }

  // Time left before the call drops; Infinity for a handed-off call past its limit while some
  // number is up (busy numbers free lines; the call must not be worse off than had it stayed).
  function remaining(state: CallState): number {
    const waited = Date.now() - (state.movingSince as number);
    const limit = state.handedOff ? Math.max(ctx.moveTimeoutMs, ctx.handoffWaitMs) : ctx.moveTimeoutMs;
    if (waited < limit || !state.handedOff || ctx.table.currentLinks().length === 0) return limit - waited;
    if (!state.overdueLogged) {
      state.overdueLogged = true;
      log.warn('handed-off call waits on: every number busy', { conn: state.id, from: state.movedFrom, waitedMs: waited });
    }
    return Infinity;
  }

  // Free lines first, never a draining link; a named call waits for its own number (its newest
  // generation) unless that number is going away (every generation draining), when any will do.
  // A handed-off call: its own number's newest generation first, then any number.
  function candidates(state: CallState): BackendLink[] {
    const number = state.movedFrom ?? state.link.spec.number;
    if (state.handedOff) {
      const own = ctx.table.current(number);
      const others = ctx.table.inDialOrder(ctx.table.currentLinks().filter((link) => link !== own), ctx.random);
      return own === undefined ? others : [own, ...others];
    }
    if (!state.dialled && ctx.table.staying(number)) {
      const own = ctx.table.current(number);
      return own === undefined ? [] : [own];
    }
    return ctx.table.inDialOrder(ctx.table.currentLinks(), ctx.random);
  }

  function tryNext(state: CallState): void {
    clearTimeout(state.timer);
    state.timer = undefined;
    if (state.ended) return;
    const left = remaining(state);
    if (left <= 0) return drop(state);
    if (state.candidates === undefined || state.candidates.length === 0) state.candidates = candidates(state);
    const next = state.candidates.shift();
    if (next === undefined) {
      state.timer = setTimeout(tryNext, Math.min(retryMs(state), left), state).unref();
      return;
    }
    state.link = next;
    // A named call taken by another number is a dialled call from now on.
    if (next.spec.number !== state.movedFrom) state.dialled = true;
    ctx.register(state);
    const resend = state.window?.entries() ?? [];
    if (resend.length === 0) next.send(ctx.request(state, PING, state.seq));
    for (const { seq, body } of resend) next.send(ctx.request(state, body, seq));
    state.timer = setTimeout(noAnswer, Math.min(ctx.answerTimeoutMs, left), state).unref();
  }

  function giveUpOn(state: CallState, busy: boolean): void {
    // The call goes on elsewhere: the number that was slow must not end its conversation.
    if (!busy) state.link.send(encodeDisconnect(ctx.uuid, state.id, { detach: true }));
    ctx.abandon(state.id, state.link);
    ctx.unregister(state);
    if (busy) ctx.load(state.link).knownFull = true;
    // Every number tried once this round: wait a moment before the next round.
    if (state.candidates === undefined || state.candidates.length === 0) {
      clearTimeout(state.timer);
      state.timer = setTimeout(tryNext, Math.min(retryMs(state), Math.max(0, remaining(state))), state).unref();
      return;
    }
    tryNext(state);
  }

  function retryMs(state: CallState): number {
    return state.overdueLogged ? OVERDUE_RETRY_MS : RETRY_MS;
  }

  function noAnswer(state: CallState): void {
    state.timer = undefined;
    giveUpOn(state, false);
  }

  function drop(state: CallState): void {
    const waitedMs = Date.now() - (state.movingSince as number);
    state.ended = true;
    state.movingSince = undefined;
    log.warn('line dropped: no number took the call', { conn: state.id, backend: state.movedFrom, waitedMs });
    state.line.dropped(`NO CARRIER: the line to @${state.movedFrom ?? state.link.spec.number} dropped.`);
  }

  function replied(state: CallState, body: Buffer): void {
    if (ctx.isBusy(body)) return giveUpOn(state, true);
    // An event from the backend taking the call over is shown; the move ends with its prompt.
    if (body.length > 0 && isEventBody(body)) return state.line.deliver(body);
    clearTimeout(state.timer);
    state.timer = undefined;
    if (body.length === 0) {
      // The conversation had ended (the caller quit) before its backend died.
      state.ended = true;
      state.movingSince = undefined;
      ctx.unregister(state);
      log.info('moved call had ended: hung up', { conn: state.id, backend: state.link.spec.number });
      state.line.hangUp();
      return;
    }
    const tookMs = Date.now() - (state.movingSince as number);
    state.movingSince = undefined;
    state.handedOff = false;
    state.connected = true;
    state.candidates = undefined;
    log.info('call moved', { conn: state.id, from: state.movedFrom, to: state.link.spec.number, ms: tookMs });
    state.line.notice(`-- line moved to @${state.link.spec.number} --`);
    const ack = state.window === undefined ? undefined : ackOf(body);
    if (ack !== undefined) state.window?.ack(ack);
    // The prompt after a move may be the first to name the caller (the login was the input resent).
    noteLogin(state, body);
    notePrompt(state, ack);
    state.line.deliver(body);
  }

  function typedWhileMoving(state: CallState, body: Buffer): void {
    const window = state.window;
    if (window === undefined) return;
    window.push(state.seq, body);
    if (!window.overflowed) {
      // A number being tried gets it at once, after what was sent again.
      if (ctx.registered(state)) state.link.send(ctx.request(state, body, state.seq));
      return;
    }
    // More than the window holds, typed into a line that is moving: it cannot all be kept.
    clearTimeout(state.timer);
    state.ended = true;
    state.movingSince = undefined;
    if (ctx.registered(state)) {
      state.link.send(encodeDisconnect(ctx.uuid, state.id));
      ctx.unregister(state);
    }
    log.warn('line dropped: too much typed while it moved', { conn: state.id, backend: state.movedFrom });
    state.line.dropped(`NO CARRIER: the line to @${state.movedFrom ?? state.link.spec.number} dropped while too much was typed.`);
  }

  function lost(state: CallState): void {
    ctx.unregister(state);
    tryNext(state);
  }

  return { move, typedWhileMoving, replied, lost };
}
