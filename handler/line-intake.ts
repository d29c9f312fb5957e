/**
 * A caller's lines reaching their session: each queued with its input number (a line the journal
 * already holds, sent again after a takeover, is skipped), the prompt waiting answered, a caller
 * far ahead of the prompts hung up on; and the prompt sent again to a caller who seems not to
 * have it.
 */
import type { Logger } from '../common/log.js';
import type { Outbox } from './engine-api.js';
import { promptOf } from './listen-runner.js';
import { renderReply } from './replies.js';
import type { Screens } from './screens.js';
import { takeFirst, type QueuedLine, type Session } from './session.js';
import { TurnClock } from './turn-clock.js';
import { screensAt } from './screen-width.js';

export interface LineIntakeOptions {
  readonly maxQueued: number;
  readonly outbox: Outbox;
  readonly screens: () => Screens;
  readonly log: Logger;
  readonly now: () => number;
  /** Resumes the flow waiting at a prompt with a line. */
  readonly answer: (session: Session, line: QueuedLine) => void;
  /** Hangs up on a caller who sent too many lines ahead (the flow's `finally` blocks run first). */
  readonly flooded: (session: Session) => void;
}

export interface LineIntake {
  /** Queues `lines` numbered `seq`; false when every one had been read already (an input sent again). */
  deliver(session: Session, lines: readonly string[], seq: number): boolean;
  /** Sends again the prompt `session` waits at, if it waits at one. */
  askAgain(session: Session): void;
}

/** Creates the intake of callers' lines for one engine. */
export function createLineIntake(options: LineIntakeOptions): LineIntake {
  const { maxQueued, outbox, log } = options;
  // Lines that reach the engine in one turn were all typed before any reply of that turn went out.
  const turns = new TurnClock();

  // On a takeover the proxy sends again what may not have been read, and what the journal
  // already holds (up to lastSeq/lastPart) is skipped.
  function deliver(session: Session, lines: readonly string[], seq: number): boolean {
    session.typed = true;
    const queue = (session.queued ??= []);
    const before = queue.length;
    lines.forEach((text, part) => {
      if (seq !== 0 && (seq < session.lastSeq || (seq === session.lastSeq && part <= session.lastPart))) return;
      queue.push({ text, seq, part, last: part === lines.length - 1, secret: session.seenSecret });
    });
    const took = queue.length > before;
    if (queue.length === 0) {
      session.queued = undefined;
      return took;
    }
    const at = turns.current();
    if (session.turn !== at) {
      session.turn = at;
      session.linesThisTurn = 0;
    }
    session.linesThisTurn += lines.length;
    if (queue.length > maxQueued || session.linesThisTurn - 1 > maxQueued) {
      log.warn('caller sent too many lines ahead', { conn: session.connId, queued: queue.length, atOnce: session.linesThisTurn });
      outbox.reply(session.uuid, session.connId, renderReply(screensAt(options.screens(), session.columns), { kind: 'show', screen: 'too_fast', vars: undefined, final: true }));
      options.flooded(session);
      return took;
    }
    if (!session.waiting) return took;
    session.waiting = false;
    options.answer(session, takeFirst(session, 'queued') as QueuedLine);
    return took;
  }

  // A client that could not be read (the original client.py sends a `"` unescaped) waits for a
  // prompt that already went out: without it again, the caller could never go on.
  function askAgain(session: Session): void {
    const effect = session.effect;
    if (!session.waiting || session.ended || (effect?.kind !== 'ask' && effect?.kind !== 'listen')) return;
    const body = renderReply(screensAt(options.screens(), session.columns), effect.kind === 'listen' ? promptOf(effect) : effect, session.acked, session.caller);
    // Replies held for the turn's commit go first: the prompt again comes after them.
    if (session.replies !== undefined) session.replies.push(body);
    else outbox.reply(session.uuid, session.connId, body);
    session.waitingSince = options.now();
  }

  return { deliver, askAgain };
}
