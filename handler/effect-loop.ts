/**
 * The effect interpreter: runs one session's flow until it waits for a line, a promise or a
 * timer, or ends, doing what each effect asks. A loop, not recursion, so any number of
 * synchronous effects cannot overflow the stack.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Effect } from './effects.js';
import type { Outbox } from './engine.js';
import type { Screens } from './screens.js';
import type { Services } from './services.js';
import { renderReply } from './replies.js';
import { takeQueued, type Resume, type Session } from './session.js';

export interface EffectLoopOptions {
  readonly services: Services;
  readonly outbox: Outbox;
  readonly screens: () => Screens;
  readonly log: Logger;
  readonly flowName: string;
  readonly now: () => number;
  /** The flow ended (`flow ended`) or failed (`error`): the engine closes the line and forgets it. */
  readonly finished: (session: Session, reason: 'flow ended' | 'error') => void;
}

/** What the engine drives a session's flow with. */
export interface EffectLoop {
  /** Resumes the flow and interprets its effects until it waits or ends. */
  advance(session: Session, resume: Resume): void;
  /**
   * Ends the flow from outside (the caller hung up, idled, flooded; shutdown): its `finally`
   * blocks run, and so do the effects they yield. Storage and clock calls are made; nothing is
   * shown, slept or identified, since the line is gone; asking for a line fails the cleanup loudly.
   */
  tearDown(session: Session): void;
  /** Resolves once every cleanup waiting on a service call has finished, or after `ms`. */
  cleanupsDone(ms: number): Promise<void>;
}

/** Creates the loop that interprets the effects of every session's flow. */
export function createEffectLoop(options: EffectLoopOptions): EffectLoop {
  const { services, outbox, log, now } = options;
  const pendingCleanups = new Set<Promise<void>>();

  // A service's result now (or the error it threw), or the promise of one.
  function callService(effect: Extract<Effect, { kind: 'call' }>): { readonly now: Resume } | { readonly later: Promise<unknown> } {
    try {
      const value = (services[effect.service] as (...args: readonly unknown[]) => unknown)(...effect.args);
      return value instanceof Promise ? { later: value } : { now: { ok: true, value } };
    } catch (error) {
      return { now: { ok: false, error } };
    }
  }

  // From the screens in force now, so a reload between two menu displays shows the new menu. A
  // menu is data (with its screens version), never code; a flow module's code is looked up only
  // at the moment it runs.
  function fromScreens(effect: Extract<Effect, { kind: 'menu' | 'flow' }>): unknown {
    return effect.kind === 'menu' ? options.screens().menu(effect.name) : options.screens().flow(effect.name);
  }

  function fail(session: Session, error: unknown): void {
    const effect = session.effect;
    log.error('flow failed', {
      conn: session.connId,
      flow: options.flowName,
      effect: effect === undefined ? undefined : { kind: effect.kind, ...('screen' in effect ? { screen: effect.screen } : {}), ...(effect.kind === 'call' ? { service: effect.service } : {}), ...(effect.kind === 'menu' ? { menu: effect.name } : {}), ...(effect.kind === 'flow' ? { flow: effect.name } : {}) },
      error: describeError(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    try {
      outbox.reply(session.uuid, session.connId, renderReply(options.screens(), { kind: 'show', screen: 'error', vars: undefined, final: true }));
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
    const { flow } = session;
    try {
      let result = resumeWith(flow, resume);
      while (!result.done) {
        const effect = result.value;
        session.effect = effect;
        switch (effect.kind) {
          case 'show':
            outbox.reply(session.uuid, session.connId, renderReply(options.screens(), effect));
            result = flow.next(undefined);
            break;
          case 'ask': {
            outbox.reply(session.uuid, session.connId, renderReply(options.screens(), effect));
            const line = takeQueued(session);
            if (line === undefined) {
              session.waiting = true;
              session.waitingSince = now();
              return;
            }
            result = flow.next(line);
            break;
          }
          case 'call': {
            const called = callService(effect);
            if ('later' in called) {
              called.later.then(
                (settled: unknown) => advance(session, { ok: true, value: settled }),
                (error: unknown) => advance(session, { ok: false, error }),
              );
              return;
            }
            result = resumeWith(flow, called.now);
            break;
          }
          case 'sleep':
            session.timer = setTimeout(() => {
              session.timer = undefined;
              advance(session, { ok: true, value: undefined });
            }, effect.ms).unref();
            return;
          case 'identify':
            session.caller = effect.name;
            log.debug('caller identified', { conn: session.connId, caller: effect.name });
            result = flow.next(undefined);
            break;
          case 'menu':
          case 'flow':
            result = flow.next(fromScreens(effect));
            break;
        }
      }
      options.finished(session, 'flow ended');
    } catch (error) {
      fail(session, error);
    }
  }

  function tearDown(session: Session): void {
    session.ended = true;
    clearTimeout(session.timer);
    session.timer = undefined;
    cleanUp(session, () => session.flow.return(undefined));
  }

  // Like advance, for a flow already told to return: what its `finally` yields still happens.
  function cleanUp(session: Session, resume: () => IteratorResult<Effect, void>): void {
    const { flow } = session;
    let asked = 0;
    try {
      let result = resume();
      while (!result.done) {
        const effect = result.value;
        switch (effect.kind) {
          case 'call': {
            const called = callService(effect);
            if ('later' in called) {
              // Kept until done, so a backend stopping waits for it before closing the database.
              const later = called.later.then(
                (settled: unknown) => cleanUp(session, () => flow.next(settled)),
                (error: unknown) => cleanUp(session, () => flow.throw(error)),
              );
              pendingCleanups.add(later);
              void later.finally(() => pendingCleanups.delete(later));
              return;
            }
            result = resumeWith(flow, called.now);
            break;
          }
          case 'menu':
          case 'flow':
            result = flow.next(fromScreens(effect));
            break;
          case 'ask':
            // Nobody is left to answer: the flow hears so once, and the log says which flow asked;
            // a flow that asks again anyway is made to return, so cleanup can never loop.
            log.error('flow asked for a line after its line closed', { conn: session.connId, flow: options.flowName, screen: effect.screen });
            asked++;
            if (asked > 2) return;
            result = asked === 1 ? flow.throw(new Error('the line is closed: there are no more lines to read')) : flow.return(undefined);
            break;
          case 'show':
          case 'sleep':
          case 'identify':
            result = flow.next(undefined);
            break;
        }
      }
    } catch (error) {
      log.error('flow cleanup failed', { conn: session.connId, flow: options.flowName, error: describeError(error) });
    }
  }

  async function cleanupsDone(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    // A cleanup may start another awaited call: wait until none is left.
    while (pendingCleanups.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
      await Promise.race([Promise.allSettled([...pendingCleanups]), late]);
      clearTimeout(timer);
    }
  }

  return { advance, tearDown, cleanupsDone };
}

function resumeWith(flow: Session['flow'], resume: Resume): IteratorResult<Effect, void> {
  return resume.ok ? flow.next(resume.value) : flow.throw(resume.error);
}
