/**
 * Ending a flow from outside (the caller hung up, idled, flooded; shutdown; the engine's own
 * error): its `finally` blocks run, and so do the effects they yield. Storage and clock calls are
 * made; nothing is shown, slept or identified, since the line is gone; asking for a line fails the
 * cleanup loudly. Cleanups awaiting a call are kept, so a backend stopping can wait for them.
 * When the engine ends a line the caller is still on (line-ended.ts), the flow is thrown a
 * LineEnded instead, and the screens it shows before its first awaited call are handed back to go
 * out with the closing notice.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Effect } from './effects.js';
import { callServiceNow, lookUp, resumeWith } from './effect-runners.js';
import type { LineEnded } from './line-ended.js';
import type { Screens } from './screens.js';
import type { Services } from './services.js';
import type { Session } from './session.js';

export interface TeardownOptions {
  readonly services: Services;
  readonly log: Logger;
  readonly flowName: string;
  readonly screens: () => Screens;
}

/** A screen a flow shows while it ends. */
export type ShowEffect = Extract<Effect, { kind: 'show' }>;

// A flow thrown a LineEnded: the error it may throw on, and the screens it has shown so far.
interface Closing {
  readonly error: LineEnded;
  readonly shown: ShowEffect[];
}

export interface Teardown {
  /**
   * Ends the session's flow, running its `finally` blocks and what they yield. With `ended`, the
   * flow is thrown it rather than returned, and the screens it shows (before any awaited call)
   * are returned, for the caller still on the line.
   */
  tearDown(session: Session, ended?: LineEnded): ShowEffect[];
  /** Like the loop, for a flow already told to return (or thrown into): what it yields still happens. */
  cleanUp(session: Session, resume: () => IteratorResult<Effect, void>, closing?: Closing): void;
  /** Resolves once every cleanup waiting on a service call has finished, or after `ms`. */
  cleanupsDone(ms: number): Promise<void>;
}

/** Creates the teardown of the engine's flows. */
export function createTeardown(options: TeardownOptions): Teardown {
  const { services, log } = options;
  const pendingCleanups = new Set<Promise<void>>();
  const callService = (effect: Extract<Effect, { kind: 'call' }>) => callServiceNow(services, effect);
  const fromScreens = (effect: Extract<Effect, { kind: 'menu' | 'flow' }>): unknown => lookUp(options.screens(), effect);

  function tearDown(session: Session, ended?: LineEnded): ShowEffect[] {
    session.ended = true;
    clearTimeout(session.timer);
    session.timer = undefined;
    if (ended === undefined) {
      cleanUp(session, () => session.flow.return(undefined));
      return [];
    }
    const closing: Closing = { error: ended, shown: [] };
    cleanUp(session, () => session.flow.throw(ended), closing);
    // Copied: screens shown after an awaited call come too late for the notice, and are dropped.
    return [...closing.shown];
  }

  // Like advance, for a flow already told to return: what its `finally` yields still happens.
  function cleanUp(session: Session, resume: () => IteratorResult<Effect, void>, closing?: Closing): void {
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
                (settled: unknown) => cleanUp(session, () => flow.next(settled), closing),
                (error: unknown) => cleanUp(session, () => flow.throw(error), closing),
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
          case 'listen':
            // Nobody is left to answer: the flow hears so once, and the log says which flow asked;
            // a flow that asks again anyway is made to return, so cleanup can never loop.
            log.error('flow asked for a line after its line closed', { conn: session.connId, flow: options.flowName, screen: effect.screen });
            asked++;
            if (asked > 2) return;
            result = asked === 1 ? flow.throw(new Error('the line is closed: there are no more lines to read')) : flow.return(undefined);
            break;
          case 'show':
            closing?.shown.push(effect);
            result = flow.next(undefined);
            break;
          case 'sleep':
          case 'identify':
          case 'activity':
          case 'checkpoint':
          // The line is gone: nothing to tell its caller; a leave is announced by the router.
          case 'notify':
          case 'publish':
            result = flow.next(undefined);
            break;
        }
      }
    } catch (error) {
      // The LineEnded it was thrown, thrown on: the flow has ended as it should.
      if (closing !== undefined && error === closing.error) return;
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

  return { tearDown, cleanUp, cleanupsDone };
}
