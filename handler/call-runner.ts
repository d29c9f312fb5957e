/**
 * Running `call` effects: a service's result at once, an awaited one, or a write made in the
 * turn's commit with its journal row (and a staged write's hashing first); each outcome journaled.
 */
import { describeError, isBbsError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { callServiceNow, type CallEffect } from './effect-runners.js';
import type { Journal } from './journal.js';
import { LINE_SERVICES, WRITE_SERVICES, type BackendServices, type LineContext } from './services.js';
import type { Resume, Session } from './session.js';

export interface CallRunnerOptions {
  readonly services: BackendServices;
  readonly journal: Journal | undefined;
  readonly log: Logger;
  /** The flow waits: what it consumed is committed at the end of the turn. */
  readonly settle: (session: Session) => void;
  /** Resumes the flow and runs it until it waits (effect-loop.ts). */
  readonly advance: (session: Session, resume: Resume) => void;
  /** Another backend took the conversation over, found while journaling an awaited result. */
  readonly fail: (session: Session, error: unknown) => void;
}

/** Creates the runner of one backend's service calls; `callLive` gives the result now, or undefined when the flow waits (advanced later). */
export function createCallRunner(options: CallRunnerOptions): { callLive(session: Session, effect: CallEffect): Resume | undefined } {
  const { services, journal, log, settle, advance, fail } = options;

  // A call made now: its result now, or undefined when the flow waits for a promise (advanced later).
  function callLive(session: Session, effect: CallEffect): Resume | undefined {
    const staged = journal === undefined || session.conversation === undefined ? undefined : services.staged?.[effect.service as keyof NonNullable<BackendServices['staged']>];
    if (staged !== undefined) {
      // Hashing first, with nothing written; then the write and its row in one transaction.
      settle(session);
      (staged as (...args: readonly unknown[]) => Promise<() => unknown>)(...argsFor(session, effect)).then(
        (write) => writeAtCommit(session, effect, write),
        (error: unknown) => advance(session, journalled(session, effect, () => recorded(session, effect, { ok: false, error }))),
      );
      return undefined;
    }
    if (journal !== undefined && session.conversation !== undefined && WRITE_SERVICES.has(effect.service)) {
      writeAtCommit(session, effect, () => (services[effect.service] as (...args: readonly unknown[]) => unknown)(...effect.args));
      return undefined;
    }
    const args = argsFor(session, effect);
    const called = callServiceNow(services, args === effect.args ? effect : { ...effect, args });
    if ('later' in called) {
      settle(session);
      called.later.then(
        (value: unknown) => advance(session, journalled(session, effect, () => recorded(session, effect, { ok: true, value }))),
        (error: unknown) => advance(session, journalled(session, effect, () => recorded(session, effect, { ok: false, error }))),
      );
      return undefined;
    }
    return recorded(session, effect, called.now);
  }

  // A write is made in the turn's commit, with its row: stored and journaled together, or neither.
  // The flow waits for it, like for an awaited call, and goes on once it is committed.
  function writeAtCommit(session: Session, effect: CallEffect, run: () => unknown): void {
    if (session.ended) return;
    if (journal === undefined || session.conversation === undefined) return advance(session, attemptNow(run));
    journal.queueWrite(session, effect, run);
    settle(session);
  }

  function recorded(session: Session, effect: CallEffect, outcome: Resume): Resume {
    journal?.recordOutcome(session, effect, outcome);
    return outcome;
  }

  // An awaited result, journaled unless the conversation ended (or moved) meanwhile; a fencing
  // refusal here reaches advance as the error it resumes with, which fail() tells apart.
  function journalled(session: Session, effect: CallEffect, outcome: () => Resume): Resume {
    if (session.ended) return { ok: true, value: undefined };
    try {
      return outcome();
    } catch (error) {
      if (isBbsError(error, 'BBS_ERR_CONVERSATION_TAKEN')) {
        fail(session, error);
        return { ok: true, value: undefined };
      }
      log.error('call outcome not journaled', { conn: session.connId, service: effect.service, error: describeError(error) });
      return { ok: false, error };
    }
  }

  return { callLive };
}

// Login services learn the call's line and address from the engine, never from the flow's
// arguments: those are what the journal's fingerprints hold, and they stay the same on replay.
function argsFor(session: Session, effect: CallEffect): readonly unknown[] {
  if (!LINE_SERVICES.has(effect.service) || session.line === undefined) return effect.args;
  // Made once a call asks for it (a login's password), so an idle caller holds none.
  session.lineEnds ??= new AbortController();
  const at: LineContext = { line: session.line, remote: session.remote, signal: session.lineEnds.signal };
  return [...effect.args, at];
}

function attemptNow(run: () => unknown): Resume {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}
