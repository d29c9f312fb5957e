/**
 * The effect interpreter: runs one session's flow until it waits for a line, a promise or a
 * timer, or ends, doing what each effect asks. A loop, not recursion, so any number of
 * synchronous effects cannot overflow the stack.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
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

/** Returns `advance`, which resumes a session's flow and interprets its effects. */
export function createEffectLoop(options: EffectLoopOptions): (session: Session, resume: Resume) => void {
  const { services, outbox, log, now } = options;

  function fail(session: Session, error: unknown): void {
    const effect = session.effect;
    log.error('flow failed', {
      conn: session.connId,
      flow: options.flowName,
      effect: effect === undefined ? undefined : { kind: effect.kind, ...('screen' in effect ? { screen: effect.screen } : {}), ...(effect.kind === 'call' ? { service: effect.service } : {}), ...(effect.kind === 'menu' ? { menu: effect.name } : {}) },
      error: describeError(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    try {
      outbox.reply(session.uuid, session.connId, renderReply(options.screens(), { kind: 'show', screen: 'error', vars: undefined, final: true }));
      session.flow.return();
    } catch (cleanupError) {
      log.error('flow cleanup failed', { conn: session.connId, error: describeError(cleanupError) });
    }
    options.finished(session, 'error');
  }

  function advance(session: Session, resume: Resume): void {
    if (session.ended) return;
    const { flow } = session;
    try {
      let result = resume.ok ? flow.next(resume.value) : flow.throw(resume.error);
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
            let value: unknown;
            try {
              const service = services[effect.service] as (...args: readonly unknown[]) => unknown;
              value = service(...effect.args);
            } catch (error) {
              result = flow.throw(error);
              break;
            }
            if (value instanceof Promise) {
              value.then(
                (settled: unknown) => advance(session, { ok: true, value: settled }),
                (error: unknown) => advance(session, { ok: false, error }),
              );
              return;
            }
            result = flow.next(value);
            break;
          }
          case 'sleep':
            setTimeout(() => advance(session, { ok: true, value: undefined }), effect.ms).unref();
            return;
          case 'identify':
            session.caller = effect.name;
            log.debug('caller identified', { conn: session.connId, caller: effect.name });
            result = flow.next(undefined);
            break;
          case 'menu':
            // The screens in force now: a reload between two menu displays shows the new menu.
            result = flow.next(options.screens().menu(effect.name));
            break;
        }
      }
      options.finished(session, 'flow ended');
    } catch (error) {
      fail(session, error);
    }
  }

  return advance;
}
