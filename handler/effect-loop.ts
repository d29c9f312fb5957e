/**
 * The effect interpreter: runs one session's flow until it waits for a line, a promise or a
 * timer, or ends, doing what each effect asks. A loop, not recursion, so any number of
 * synchronous effects cannot overflow the stack.
 */
import { describeError, isBbsError } from '../common/errors.js';
import { RepeatThrottle } from '../common/repeat-throttle.js';
import type { Logger } from '../common/log.js';
import { yesNoAnswer, type BusEvent, type Effect, type Flow, type Vars } from './effects.js';
import type { Outbox } from './engine.js';
import { encodeValue, fingerprint, menuContent, type Journal } from './journal.js';
import type { Menu } from './menu.js';
import type { FlowStart } from './replay.js';
import type { Screens } from './screens.js';
import type { BackendServices } from './services.js';
import { renderReply } from './replies.js';
import { takeFirst, type QueuedLine, type Resume, type Session } from './session.js';
import { lookUp, resumeWith } from './effect-runners.js';
import { createCallRunner } from './call-runner.js';
import { LINE_GONE, LineEnded } from './line-ended.js';
import type { PresenceHooks } from './presence.js';
import { createTeardown } from './teardown.js';
import { createCommitBatch } from './commit-batch.js';
import { createReplayer } from './replay-driver.js';
import { createListenRunner, type Rooms } from './listen-runner.js';
import { screensAt } from './screen-width.js';


export interface EffectLoopOptions {
  readonly services: BackendServices;
  readonly outbox: Outbox;
  readonly screens: () => Screens;
  readonly log: Logger;
  readonly flowName: string;
  readonly now: () => number;
  /** The flow ended (`flow ended`) or failed (`error`): the engine closes the line and forgets it. */
  readonly finished: (session: Session, reason: 'flow ended' | 'error') => void;
  /** Who's online (presence.ts): told of logins and activities done live. */
  readonly presence?: PresenceHooks | undefined;
  /** Durable conversations: where their journals go; undefined runs conversations as before. */
  readonly journal?: Journal | undefined;
  /** Starts the flow again, from the top or from a checkpoint (a conversation the code no longer fits). */
  readonly startFlow: (start?: FlowStart) => Flow;
  /** Another backend took the conversation over: the engine forgets it without a word to the caller. */
  readonly takenOver: (session: Session, error: unknown) => void;
  /** Chat rooms and the bus (event-router.ts): where a listening session is, and what it publishes. */
  readonly rooms: Rooms;
}

export type { Rooms } from './listen-runner.js';

/** What the engine drives a session's flow with. */
export interface EffectLoop {
  /** Resumes the flow and interprets its effects until it waits or ends. */
  advance(session: Session, resume: Resume): void;
  /** Resumes a flow waiting at a prompt with the caller's line, journaling it. */
  answer(session: Session, line: QueuedLine): void;
  /** An event for the session: resumes a flow waiting at a listen (journaled), else waits for its next listen (at most 64 kept). */
  hear(session: Session, event: BusEvent): void;
  /**
   * Ends the flow from outside (the caller hung up, idled, flooded; shutdown): its `finally`
   * blocks run, and so do the effects they yield. Storage and clock calls are made; nothing is
   * shown, slept or identified, since the line is gone; asking for a line fails the cleanup loudly.
   */
  tearDown(session: Session): void;
  /**
   * Ends the flow of a line whose caller is gone for good (hung up, flooded, the BBS stopping its
   * call): like tearDown, but the flow is thrown a LineEnded, so one holding what the caller wrote
   * keeps it for their next call (compose.ts); what it would show goes nowhere.
   */
  lineGone(session: Session): void;
  /**
   * Ends the flow of a line its caller is still on (a hang-up order, the idle limit): `screen` is
   * the notice; the flow is thrown a LineEnded, and what it shows then (the lines of a message
   * being written) goes out after the notice, the last reply final. The close is the caller's.
   */
  endLine(session: Session, screen: string, vars: Vars | undefined): void;
  /** Resolves once every cleanup waiting on a service call has finished, or after `ms`. */
  cleanupsDone(ms: number): Promise<void>;
  /** Commits now what waits for the end of this turn (before the database closes), waiting for the lock if need be. */
  flushCommits(): void;
}

/** Creates the loop that interprets the effects of every session's flow. */
export function createEffectLoop(options: EffectLoopOptions): EffectLoop {
  const { services, outbox, log, now, journal } = options;

  const fromScreens = (effect: Extract<Effect, { kind: 'menu' | 'flow' }>): unknown => lookUp(options.screens(), effect);
  const { tearDown, cleanUp, cleanupsDone } = createTeardown({ services, log, flowName: options.flowName, screens: options.screens });

  // Replies of a durable conversation wait for the commit of what the flow consumed.
  const commits = createCommitBatch({ journal, outbox, takenOver: options.takenOver, resumeWrite: (session, result) => advance(session, result), alongside: options.presence?.writeHeld });
  const { emit, settle, settleNow } = commits;
  const replayer = createReplayer({ emit, screens: options.screens, log, journal, startFlow: options.startFlow, now });
  const { rooms } = options;
  const { callLive } = createCallRunner({ services, journal, log, settle, advance: (session, resume) => advance(session, resume), fail: (session, error) => fail(session, error) });
  const listens = createListenRunner({ screens: options.screens, now, journal, rooms, emit, settle, advance: (session, resume) => advance(session, resume), read: (session, effect, line) => read(session, effect, line.text, line.seq, line.part, line.last, line.secret) });

  const pacedLog = new RepeatThrottle(10_000, (_kind, count) => log.warn('more calls ended: too many passwords from their address', { code: 'BBS_ERR_HASH_PACED', count, withinSeconds: 10 }));

  function fail(session: Session, error: unknown): void {
    if (isBbsError(error, 'BBS_ERR_CONVERSATION_TAKEN')) {
      session.replies = undefined;
      session.pending = undefined;
      options.takenOver(session, error);
      return;
    }
    // Not a failure of the board: the caller's address asked for more password checks than it
    // paces (hash-pacing.ts). Said to the caller as such, and logged once in a while with a count.
    const paced = isBbsError(error, 'BBS_ERR_HASH_PACED');
    const effect = session.effect;
    if (paced) {
      pacedLog.seen('paced', () => log.warn('call ended: too many passwords from its address', { code: 'BBS_ERR_HASH_PACED', conn: session.connId, remote: session.remote }));
    } else {
      log.error('flow failed', {
        conn: session.connId,
        flow: options.flowName,
        effect: effect === undefined ? undefined : { kind: effect.kind, ...('screen' in effect ? { screen: effect.screen } : {}), ...(effect.kind === 'call' ? { service: effect.service } : {}), ...(effect.kind === 'menu' ? { menu: effect.name } : {}), ...(effect.kind === 'flow' ? { flow: effect.name } : {}) },
        error: describeError(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
    try {
      // What was said before the failure still goes out, then the error screen.
      settleNow(session);
    } catch (settleError) {
      if (isBbsError(settleError, 'BBS_ERR_CONVERSATION_TAKEN')) return options.takenOver(session, settleError);
      log.error('replies before the error not sent', { conn: session.connId, error: describeError(settleError) });
    }
    try {
      outbox.reply(session.uuid, session.connId, renderReply(screensAt(options.screens(), session.columns), { kind: 'show', screen: paced ? 'hash_paced' : 'error', vars: undefined, final: true }));
    } catch (replyError) {
      log.error('error screen not sent', { conn: session.connId, error: describeError(replyError) });
    }
    // A flow that threw has finished already; one stopped by the engine's own error (a screen that
    // would not render) still has its `finally` blocks to run, effects and all.
    cleanUp(session, () => session.flow.return(undefined));
    options.finished(session, 'error');
  }

  function advance(session: Session, resume: Resume): void {
    if (session.ended) return;
    try {
      let result = resumeWith(session.flow, resume);
      while (!result.done) {
        const effect = result.value;
        session.effect = effect;
        if (session.replay !== undefined) {
          const replayed = replayer.step(session, effect);
          if (replayed !== undefined) {
            result = replayed;
            continue;
          }
        }
        switch (effect.kind) {
          case 'show':
            emit(session, renderReply(screensAt(options.screens(), session.columns), effect));
            result = session.flow.next(undefined);
            break;
          case 'ask': {
            if (session.room !== undefined) rooms.place(session, undefined);
            // Not when the journal no longer fitted: the caller is at a new prompt then.
            const quiet = session.quietPrompt && !session.restarted;
            session.quietPrompt = false;
            session.promptShown = true;
            if (!quiet) emit(session, renderReply(screensAt(options.screens(), session.columns), effect, session.acked, session.caller));
            const line = takeFirst(session, 'queued');
            if (line === undefined) {
              session.waiting = true;
              session.waitingSince = now();
              settle(session);
              return;
            }
            const text = askedText(effect, line.text);
            read(session, effect, text, line.seq, line.part, line.last, line.secret);
            result = session.flow.next(text);
            break;
          }
          case 'listen': {
            const next = listens.listen(session, effect);
            if (next === undefined) return;
            result = next;
            break;
          }
          case 'notify':
            result = listens.notify(session, effect);
            break;
          case 'publish':
            result = listens.publish(session, effect);
            break;
          case 'call': {
            // Who's online reads the rows: this backend's held activities (the caller's own) are in them first.
            if (effect.service === 'whosOnline') options.presence?.writeHeld?.();
            const called = callLive(session, effect);
            if (called === undefined) return;
            result = resumeWith(session.flow, called);
            break;
          }
          case 'sleep':
            settle(session);
            session.timer = setTimeout(() => {
              session.timer = undefined;
              advance(session, { ok: true, value: undefined });
            }, effect.ms).unref();
            return;
          case 'identify':
            session.caller = effect.name;
            log.debug('caller identified', { conn: session.connId, caller: effect.name });
            options.presence?.loggedIn(session);
            result = session.flow.next(undefined);
            break;
          case 'activity':
            // Written only when it changes: a menu says so each time it is shown.
            if (session.doing !== effect.doing) {
              session.doing = effect.doing;
              // A durable conversation's flow commits before its caller sees the next screen: the row goes with that commit.
              if (journal !== undefined && session.conversation !== undefined && options.presence?.changedLater !== undefined) options.presence.changedLater(session);
              else options.presence?.changed(session);
            }
            result = session.flow.next(undefined);
            break;
          case 'checkpoint':
            if (effect.caller !== undefined) session.callerId = effect.caller.id;
            journal?.record(session, 'checkpoint', fingerprint(effect), JSON.stringify({ caller: effect.caller ?? null, menu: effect.menu, ...(effect.room === undefined ? {} : { room: effect.room }), ...(effect.helped === true ? { helped: true } : {}), ...(effect.open === undefined ? {} : { open: effect.open }) }));
            result = session.flow.next(undefined);
            break;
          case 'menu':
          case 'flow': {
            const value = fromScreens(effect);
            journal?.record(session, effect.kind, fingerprint(effect), encodeValue(effect.kind === 'menu' ? menuContent(value as Menu | undefined) : options.screens().flowVersion?.(effect.name)));
            result = session.flow.next(value);
            break;
          }
        }
      }
      settleNow(session);
      options.finished(session, 'flow ended');
    } catch (error) {
      fail(session, error);
    }
  }

  // A line the flow reads: journaled (a secret as "a secret was typed here", never its text).
  // A line typed while the caller's screen showed a password prompt (typed again in a hurry, say)
  // may be a password even where an echoing prompt reads it: journaled as a secret too.
  function read(session: Session, effect: Extract<Effect, { kind: 'ask' | 'listen' }>, text: string, seq: number, part: number, last: boolean, typedAtSecret = false): void {
    session.lastSeq = seq;
    session.lastPart = part;
    if (last && session.acked >= 0) session.acked = seq;
    const echo = effect.kind === 'listen' || effect.echo;
    // A (Y/n) answer is journaled as what it means even when typed at a password prompt: it is no
    // password then, and a secret row would replay as Enter, a yes.
    const kept = echo && (!typedAtSecret || (effect.kind === 'ask' && effect.answers === 'yes-no'));
    journal?.record(session, 'line', fingerprint(effect), kept ? JSON.stringify(text) : null, seq === 0 ? null : seq);
  }

  function answer(session: Session, line: QueuedLine): void {
    const effect = session.effect;
    const text = effect?.kind === 'ask' ? askedText(effect, line.text) : line.text;
    if (effect?.kind === 'ask' || effect?.kind === 'listen') read(session, effect, text, line.seq, line.part, line.last, line.secret);
    advance(session, { ok: true, value: effect?.kind === 'listen' ? { kind: 'line', text } : text });
  }

  function endLine(session: Session, screen: string, vars: Vars | undefined): void {
    const notices = [{ kind: 'show' as const, screen, vars, final: false }, ...tearDown(session, new LineEnded(screen))];
    notices.forEach((notice, i) => outbox.reply(session.uuid, session.connId, renderReply(screensAt(options.screens(), session.columns), { ...notice, final: i === notices.length - 1 })));
  }

  return {
    advance,
    answer,
    hear: listens.hear,
    tearDown: (session) => void tearDown(session),
    lineGone: (session) => void tearDown(session, new LineEnded(LINE_GONE)),
    endLine,
    cleanupsDone,
    flushCommits: () => commits.flushAll(),
  };
}

// A (Y/n) answer is read, and journaled, as what it means: never a password typed there by mistake.
function askedText(effect: Extract<Effect, { kind: 'ask' }>, text: string): string {
  return effect.answers === 'yes-no' ? yesNoAnswer(text) : text;
}
