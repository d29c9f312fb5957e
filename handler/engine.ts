/**
 * The coroutine engine's sessions: one generator per connection, created on its first message,
 * resumed with each line, ended on disconnect, forgotten once it closes the caller itself (lines
 * still on their way then are dropped, never a new conversation). It answers busy when every line
 * is taken, and `sweep()` hangs up on callers silent for too long. What each effect does is the
 * effect loop's job (effect-loop.ts).
 */
import type { Logger } from '../common/log.js';
import { isDisconnect, type Mongrel2Request } from '../common/mongrel2-wire.js';
import { parseClientMessage } from './client-message.js';
import { createEffectLoop } from './effect-loop.js';
import type { Flow } from './effects.js';
import { EndedConnections } from './ended-connections.js';
import { DEFAULT_LINE_LIMITS, formatDuration, type LineLimits } from './line-limits.js';
import { renderBusy, renderReply } from './replies.js';
import type { Screens } from './screens.js';
import type { Services } from './services.js';
import { Session, takeQueued } from './session.js';
import { TurnClock } from './turn-clock.js';

/** Lines a caller may send ahead of the prompt that reads them, unless the backend allows more. */
export const DEFAULT_MAX_QUEUED_LINES = 32;

/** Where the engine's replies go: the transport frames them for the wire. */
export interface Outbox {
  reply(uuid: string, connId: string, body: string): void;
  close(uuid: string, connId: string): void;
}

export interface EngineOptions {
  readonly startFlow: () => Flow;
  readonly flowName: string;
  readonly services: Services;
  /** Returns the screens in force now, so a reload takes effect at the next screen shown. */
  readonly screens: () => Screens;
  readonly outbox: Outbox;
  readonly log: Logger;
  /** Lines a caller may send ahead of the prompt that will read them. */
  readonly maxQueuedLines?: number;
  /** How many callers at once, and how long a silent one keeps a line. */
  readonly lines?: LineLimits;
  /** The clock idle times are measured on, in ms; `Date.now` unless a test drives it. */
  readonly now?: () => number;
}

export interface Engine {
  receive(request: Mongrel2Request): void;
  /** Conversations in progress: the lines in use. */
  readonly liveSessions: number;
  /** Hangs up on every caller who has left a prompt unanswered past the idle limit; returns how many. */
  sweep(): number;
  /** Ends every conversation (running their `finally` blocks), for shutdown. */
  endAll(reason: string): void;
  /** Resolves once the `finally` blocks still waiting on a service call are done, or after `ms`. */
  cleanupsDone(ms: number): Promise<void>;
}

/** Creates an engine that runs `startFlow` for every new connection. */
export function createEngine(options: EngineOptions): Engine {
  const { services, outbox, log, flowName } = options;
  const maxQueued = options.maxQueuedLines ?? DEFAULT_MAX_QUEUED_LINES;
  const lines = options.lines ?? DEFAULT_LINE_LIMITS;
  const now = options.now ?? Date.now;
  // Logged as `max`; null is "no limit".
  const max = lines.maxCallers > 0 ? lines.maxCallers : null;
  const sessions = new Map<string, Session>();
  // Lines already on their way when the engine closed a caller must not dial a new conversation.
  const ended = new EndedConnections(now);
  const keyOf = (uuid: string, connId: string): string => `${uuid} ${connId}`;
  // Lines that reach the engine in one turn were all typed before any reply of that turn went out.
  const turns = new TurnClock();

  function forget(session: Session, reason: string): void {
    session.ended = true;
    sessions.delete(keyOf(session.uuid, session.connId));
    log.info('session closed', { conn: session.connId, reason, live: sessions.size, max, ...(session.caller === undefined ? {} : { caller: session.caller }) });
  }

  function hangUpOn(session: Session, reason: string): void {
    outbox.close(session.uuid, session.connId);
    ended.add(keyOf(session.uuid, session.connId));
    forget(session, reason);
  }

  const { advance, tearDown, cleanupsDone } = createEffectLoop({
    services,
    outbox,
    screens: options.screens,
    log,
    flowName,
    now,
    finished: (session, reason) => hangUpOn(session, reason),
  });

  function deliver(session: Session, lines: readonly string[]): void {
    const queue = (session.queued ??= []);
    queue.push(...lines);
    const at = turns.current();
    if (session.turn !== at) {
      session.turn = at;
      session.linesThisTurn = 0;
    }
    session.linesThisTurn += lines.length;
    if (queue.length > maxQueued || session.linesThisTurn - 1 > maxQueued) {
      log.warn('caller sent too many lines ahead', { conn: session.connId, queued: queue.length, atOnce: session.linesThisTurn });
      outbox.reply(session.uuid, session.connId, renderReply(options.screens(), { kind: 'show', screen: 'too_fast', vars: undefined, final: true }));
      endFlow(session);
      hangUpOn(session, 'flooding');
      return;
    }
    if (!session.waiting) return;
    session.waiting = false;
    advance(session, { ok: true, value: takeQueued(session) });
  }

  // The flow's `finally` blocks run, with the effects they yield (effect-loop.ts says which).
  const endFlow = tearDown;

  function receive(request: Mongrel2Request): void {
    const key = keyOf(request.uuid, request.connId);
    const session = sessions.get(key);
    if (isDisconnect(request)) {
      ended.delete(key);
      if (session === undefined) return;
      endFlow(session);
      forget(session, 'disconnect');
      return;
    }
    const message = parseClientMessage(request.body);
    switch (message.type) {
      case 'ping':
        return;
      // An unknown type is unreadable too: `a","type":"x` typed into a client that does not escape
      // it makes one, and dropping it silently would leave that caller waiting for a prompt.
      case 'unknown':
      case 'invalid':
        if (session === undefined && ended.has(key)) return;
        log.warn('malformed message from caller', { conn: request.connId, reason: message.type === 'unknown' ? `unknown message type "${message.name}"` : message.reason });
        outbox.reply(request.uuid, request.connId, renderReply(options.screens(), { kind: 'show', screen: 'bad_message', vars: undefined, final: false }));
        if (session !== undefined) askAgain(session);
        return;
      case 'msg':
        if (session !== undefined) {
          deliver(session, message.lines);
          return;
        }
        if (ended.has(key)) {
          log.debug('line for an ended conversation dropped', { conn: request.connId });
          return;
        }
        startSession(request);
    }
  }

  // A client that could not be read (the original client.py sends a `"` unescaped) waits for a
  // prompt that already went out: without it again, the caller could never go on.
  function askAgain(session: Session): void {
    const effect = session.effect;
    if (!session.waiting || session.ended || effect?.kind !== 'ask') return;
    outbox.reply(session.uuid, session.connId, renderReply(options.screens(), effect));
    session.waitingSince = now();
  }

  function startSession(request: Mongrel2Request): void {
    if (max !== null && sessions.size >= max) {
      log.info('busy', { conn: request.connId, path: request.path, live: sessions.size, max });
      outbox.reply(request.uuid, request.connId, renderBusy(options.screens(), max));
      outbox.close(request.uuid, request.connId);
      ended.add(keyOf(request.uuid, request.connId));
      return;
    }
    const session = new Session(request.uuid, request.connId, options.startFlow(), now());
    sessions.set(keyOf(request.uuid, request.connId), session);
    log.info('session opened', { conn: request.connId, path: request.path, live: sessions.size, max });
    // The first message only dials in ("connect" in the original client); its text is not an answer.
    advance(session, { ok: true, value: undefined });
  }

  // A session in a service call or a sleep is not waiting, so nobody is hung up on mid-call.
  function sweep(): number {
    const at = now();
    ended.prune();
    let reaped = 0;
    for (const session of sessions.values()) {
      if (!session.waiting || session.ended) continue;
      const seconds = session.caller === undefined ? lines.idleBeforeLoginSeconds : lines.idleAfterLoginSeconds;
      if (seconds === 0 || at - session.waitingSince < seconds * 1000) continue;
      reaped++;
      outbox.reply(session.uuid, session.connId, renderReply(options.screens(), { kind: 'show', screen: 'idle', vars: { duration: formatDuration(seconds), seconds }, final: true }));
      endFlow(session);
      hangUpOn(session, 'idle');
    }
    return reaped;
  }

  return {
    receive,
    sweep,
    get liveSessions() {
      return sessions.size;
    },
    endAll(reason) {
      for (const session of [...sessions.values()]) {
        endFlow(session);
        forget(session, reason);
      }
    },
    cleanupsDone,
  };
}
