/**
 * The coroutine engine's sessions: one generator per connection, created on its first message,
 * resumed with each line, ended on disconnect, forgotten once it closes the caller itself (lines
 * still on their way then are dropped, never a new conversation). It answers busy when every line
 * is taken, and `sweep()` hangs up on callers silent for too long. What each effect does is the
 * effect loop's job (effect-loop.ts).
 */
import { describeError } from '../common/errors.js';
import { RepeatThrottle } from '../common/repeat-throttle.js';
import { isDisconnect, type Mongrel2Request } from '../common/mongrel2-wire.js';
import { DEFAULT_MAX_QUEUED_LINES, type Engine, type EngineOptions } from './engine-api.js';
import { createBusyLog } from './busy-log.js';
import { createHangUpLines } from './hang-up-lines.js';
import { createHungUpElsewhere } from './hung-up-elsewhere.js';
import { pastCheckpointLimit } from './journal.js';
import { MAX_LINE_BYTES, MAX_MESSAGE_BYTES, parseClientMessage, type ClientMessage } from './client-message.js';
import { seqOf } from './call-identity.js';
import { createConversationOpener } from './conversation-opener.js';
import { createEffectLoop } from './effect-loop.js';
import { createEventBus } from './event-bus.js';
import { createEventRouter } from './event-router.js';
import { EndedConnections } from './ended-connections.js';
import { createLineIntake } from './line-intake.js';
import { ackHeldPrompt } from './commit-batch.js';
import { createLineOrder } from './line-order.js';
import { DEFAULT_LINE_LIMITS, formatDuration, idleLimit } from './line-limits.js';
import { createMovedOnPruner, movedOn } from './moved-on.js';
import { doorOf } from './presence.js';
import { dropMovedLines } from './replay-driver.js';
import { renderBusy, renderReply } from './replies.js';
import type { Session } from './session.js';
import { columnsOf, screensAt } from './screen-width.js';

export { DEFAULT_MAX_QUEUED_LINES, type Engine, type EngineOptions, type Outbox } from './engine-api.js';

/** Creates an engine that runs `startFlow` for every new connection. */
export function createEngine(options: EngineOptions): Engine {
  const { services, outbox, log, flowName, journal } = options;
  const maxQueued = options.maxQueuedLines ?? DEFAULT_MAX_QUEUED_LINES;
  const lines = options.lines ?? DEFAULT_LINE_LIMITS;
  const now = options.now ?? Date.now;
  // Logged as `max`; null is "no limit".
  const max = lines.maxCallers > 0 ? lines.maxCallers : null;
  const sessions = new Map<string, Session>();
  // Lines already on their way when the engine closed a caller must not dial a new conversation.
  const ended = new EndedConnections(now);
  const keyOf = (uuid: string, connId: string): string => `${uuid} ${connId}`;
  // A caller may send malformed messages as fast as they are answered (each answered with the
  // bad_message screen): the log says the first of each kind per window and then how many followed.
  const malformed = new RepeatThrottle(MALFORMED_LOG_WINDOW_MS, (kind, count) =>
    log.warn('more malformed messages from callers', { kind, count, withinSeconds: MALFORMED_LOG_WINDOW_MS / 1000 }),
  );
  const conversations = createConversationOpener({ journal, lines, screens: options.screens, log, now, startFlow: options.startFlow });
  const hungUpElsewhere = createHungUpElsewhere({
    conversations,
    hangUps: options.hangUps,
    log,
    now,
    // The process that held it still beat its row: it goes here, or the caller would linger.
    closed: (conversation) => options.presence?.gone(conversation),
  });
  // Draining (drain.ts): no new conversation here, and a word to the drain each time one goes.
  let sessionsChanged: (() => void) | undefined;
  let detached = 0;

  function forget(session: Session, reason: string): void {
    session.ended = true;
    // A login service waiting its turn to hash (hash-pacing.ts) hands the turn back: ended or
    // moved, the call is not this session's any more. One taken over unseen learns of it only at
    // its next commit, after the wait.
    session.lineEnds?.abort(new Error('the call left this backend'));
    sessions.delete(keyOf(session.uuid, session.connId));
    // A call still open (moved, or left for another backend) is still in its room, elsewhere.
    router.gone(session, session.conversation === undefined);
    // A call left open for another backend is still the caller's line; one that ended is not.
    if (session.conversation === undefined) {
      lineEnded(session);
      options.presence?.closed(session);
    }
    log.info('session closed', { conn: session.connId, reason, live: sessions.size, max, ...(session.caller === undefined ? {} : { caller: session.caller }) });
    sessionsChanged?.();
  }

  function hangUpOn(session: Session, reason: string): void {
    // A conversation another backend holds now is not this one's to close.
    if (!closeConversation(session)) return takenOver(session, undefined);
    outbox.close(session.uuid, session.connId);
    ended.add(keyOf(session.uuid, session.connId));
    forget(session, reason);
  }

  const { hangUpLine, ordersMissed, lineEnded } = createHangUpLines({
    hangUps: options.hangUps,
    sessions: () => sessions.values(),
    log,
    now,
    closeConversation,
    takenOver,
    hungUp: (session) => hungUp(session),
    movedOn(session) {
      if (!movedOn(session, journal, log)) return false;
      dropMovedOn(session);
      return true;
    },
    hangUpWith(session, screen, detail) {
      // The detail is a sysop's free text: a plain string, so the screen shows it display-safe.
      endLine(session, screen, detail === null ? undefined : { reason: detail });
      hangUpOn(session, screen);
    },
  });

  function closeConversation(session: Session): boolean {
    return journal === undefined || journal.close(session);
  }

  // Forgotten without a word or a close (another process serves the call now), `say` logging why.
  function letGo(session: Session, say: () => void): void {
    session.ended = true;
    session.lineEnds?.abort(new Error('the call left this backend'));
    clearTimeout(session.timer);
    sessions.delete(keyOf(session.uuid, session.connId));
    router.gone(session, false);
    say();
    session.conversation = undefined;
    sessionsChanged?.();
  }

  function takenOver(session: Session, error: unknown): void {
    letGo(session, () => log.warn('conversation taken over by another backend: this one stops without a word', { conversation: session.conversation, conn: session.connId, epoch: session.epoch, ...(error === undefined ? {} : { error: describeError(error) }), live: sessions.size }));
  }

  // Without a bus (one backend alone, tests of the engine) events loop back in this process.
  const router = createEventRouter({ bus: options.bus ?? createEventBus({ log }), log, now, sessions: () => sessions.values(), hear: (session, event) => hear(session, event), screens: options.screens, outbox, movedOn: (session) => movedOn(session, journal, log) });

  const { advance, answer, hear, lineGone, endLine, cleanupsDone, flushCommits } = createEffectLoop({
    services,
    outbox,
    screens: options.screens,
    log,
    flowName,
    now,
    finished: (session, reason) => hangUpOn(session, reason),
    journal,
    startFlow: options.startFlow,
    takenOver,
    rooms: router,
    presence: options.presence,
  });

  const { deliver, askAgain } = createLineIntake({
    maxQueued,
    outbox,
    screens: options.screens,
    log,
    now,
    answer(session, line) {
      if (pastCheckpointLimit(session)) return endTooLong(session);
      answer(session, line);
    },
    flooded(session) {
      endFlow(session);
      hangUpOn(session, 'flooding');
    },
  });

  // A call typing on where no checkpoint comes (journal.ts MAX_ROWS_SINCE_START): told, what it
  // was writing kept as a draft, and hung up, as at the idle limit.
  function endTooLong(session: Session): void {
    log.warn('call ended: it journaled too much past its latest checkpoint', { code: 'BBS_ERR_CALL_TOO_LONG', conn: session.connId, rows: session.nextN - session.startN, bytes: session.bytesSinceStart, ...(session.caller === undefined ? {} : { caller: session.caller }) });
    if (!closeConversation(session)) return takenOver(session, undefined);
    endLine(session, 'call_too_long', undefined);
    hangUpOn(session, 'journaled too much past its latest checkpoint');
  }

  function floodedWithUnreadable(session: Session): void {
    log.warn('caller sent too many unreadable messages in a row', { conn: session.connId, count: session.unreadInARow });
    outbox.reply(session.uuid, session.connId, renderReply(screensAt(options.screens(), session.columns), { kind: 'show', screen: 'unreadable_run', vars: { count: session.unreadInARow }, final: true }));
    endFlow(session);
    hangUpOn(session, 'unreadable messages');
  }

  // The caller hung up (heard here, or by another handler behind Mongrel2: hung-up-elsewhere.ts).
  function hungUp(session: Session): void {
    endFlow(session);
    closeConversation(session);
    forget(session, 'disconnect');
  }

  // The caller is gone: the flow's `catch` and `finally` blocks run, with the effects they yield
  // (effect-loop.ts says which), and one holding what the caller wrote keeps it as a draft.
  const endFlow = lineGone;

  function receive(request: Mongrel2Request): void {
    const key = keyOf(request.uuid, request.connId);
    const session = sessions.get(key);
    if (isDisconnect(request)) {
      ended.delete(key);
      if (session !== undefined && movedOn(session, journal, log)) dropMovedOn(session);
      if (session === undefined || session.ended) {
        // Behind Mongrel2 the process whose turn it is hears the hang-up, whoever holds the call.
        if (request.headers.SESSION === undefined) hungUpElsewhere.heard(request);
        return;
      }
      // The proxy gave up on this connection but not on the call, which goes on elsewhere.
      if (request.headers.DETACH === '1' && session.conversation !== undefined) {
        session.ended = true;
        clearTimeout(session.timer);
        detached++;
        forget(session, 'moved to another connection');
        return;
      }
      hungUp(session);
      return;
    }
    // Each request says the caller's width now (a resize shows from the next screen on).
    if (session !== undefined) session.columns = columnsOf(request);
    const message = parseClientMessage(request.body);
    switch (message.type) {
      case 'ping':
        // A call moved here with nothing typed since its last prompt: the prompt is shown again.
        if (session === undefined && journal !== undefined && !ended.has(key) && request.headers.RESUME === '1') startSession(request, []);
        return;
      // An unknown type is unreadable too: `a","type":"x` typed into a client that does not escape
      // it makes one, and dropping it silently would leave that caller waiting for a prompt.
      case 'unknown':
      case 'invalid':
      case 'too-long':
      case 'line-too-long': {
        if (session === undefined && ended.has(key)) return;
        malformed.seen(message.type, () => log.warn('malformed message from caller', { conn: request.connId, reason: malformedReason(message) }));
        // A message or a line too long is said so: the caller's client may well send JSON, only too much at once.
        const said =
          message.type === 'too-long'
            ? ({ screen: 'message_too_long', vars: { bytes: message.bytes, max: MAX_MESSAGE_BYTES } } as const)
            : message.type === 'line-too-long'
              ? ({ screen: 'line_too_long', vars: { bytes: message.bytes, max: MAX_LINE_BYTES } } as const)
              : ({ screen: 'bad_message', vars: undefined } as const);
        outbox.reply(request.uuid, request.connId, renderReply(screensAt(options.screens(), columnsOf(request)), { kind: 'show', ...said, final: false }));
        if (session !== undefined) {
          // Answered one by one, unreadable messages are no lines typed ahead: a run of them is a flood all the same.
          if (++session.unreadInARow > maxQueued) return floodedWithUnreadable(session);
          askAgain(session);
        } else if (request.headers.SESSION !== undefined) {
          // Behind the proxy a connection with no call here whose first message cannot be read is
          // no caller: closed, or it would hold its place at the proxy with nothing to idle it out.
          outbox.close(request.uuid, request.connId);
          ended.add(key);
        }
        return;
      }
      case 'msg': {
        // The proxy numbers inputs in a header; a client behind Mongrel2 may number them in the body.
        const seq = seqOf(request) || message.seq;
        // One read of who holds the call, for the line's order and for where it runs.
        const stale = session !== undefined && movedOn(session, journal, log);
        // Behind Mongrel2 a numbered line runs only once the input before it is read (line-order.ts).
        if (seq > 1 && request.headers.SESSION === undefined && !lineOrder.admit(request, seq, () => readUpTo(request, seq, session, stale))) return;
        if (session !== undefined && stale) {
          if (conversations.waitsForOwner(request, seq)) return;
          // Another process served this call since: it goes on from the journal here.
          dropMovedOn(session);
          startSession(request, message.lines, seq);
          return;
        }
        if (session !== undefined) {
          session.unreadInARow = 0;
          if (request.headers.RESUME === '1' && restartedWithout(session, message.lines.length, seq)) return;
          const took = deliver(session, message.lines, seq);
          if (!took && seq !== 0 && seq === session.lastSeq) {
            // The client sent again the input its prompt answered (it heard nothing): the prompt again.
            if (request.headers.SESSION === undefined) askAgain(session);
            // The proxy sent again, after a move, the last input the journal read whole (the backend
            // died before answering it): the prompt now acknowledges it, sent again to say so.
            else if (session.acked >= 0 && session.acked < seq) {
              session.acked = seq;
              if (!ackHeldPrompt(session, seq)) askAgain(session);
            }
          }
          return;
        }
        if (ended.has(key)) {
          log.debug('line for an ended conversation dropped', { conn: request.connId });
          return;
        }
        if (conversations.waitsForOwner(request, seq)) return;
        startSession(request, message.lines, seq);
      }
    }
  }

  const busyLog = createBusyLog(log, now);
  const lineOrder = createLineOrder({
    log,
    now,
    run: (request) => receive(request),
    readUpTo(request, seq) {
      const session = sessions.get(keyOf(request.uuid, request.connId));
      return readUpTo(request, seq, session, session !== undefined && movedOn(session, journal, log));
    },
  });

  // The last input read for the call: by the session held here, unless it went on elsewhere
  // (`stale`) or there is none, then by the journal.
  function readUpTo(request: Mongrel2Request, seq: number, session: Session | undefined, stale: boolean): number | undefined {
    if (session === undefined || session.ended || stale) return conversations.journaledSeq(request, seq);
    return Math.max(session.lastSeq, ...(session.queued ?? []).map((line) => line.seq));
  }
  const pruneMovedOn = createMovedOnPruner({ sessions: () => sessions.values(), journal, log, now, drop: dropMovedOn });

  // Behind Mongrel2: the caller's connection is the same, served from another process.
  function dropMovedOn(session: Session): void {
    letGo(session, () => log.debug('session moved on to another process', { conn: session.connId, conversation: session.conversation, epoch: session.epoch }));
  }

  function startSession(request: Mongrel2Request, firstLines: readonly string[], seq = 0): void {
    // A draining backend is busy to every new call and takeover: the proxy tries another number.
    const draining = sessionsChanged !== undefined;
    // Behind Mongrel2, sessions whose calls went on elsewhere hold no line: they go before a busy.
    if (!draining && max !== null && sessions.size >= max) pruneMovedOn();
    if (draining || (max !== null && sessions.size >= max)) {
      busyLog.refused(request, { live: sessions.size, max, ...(draining ? { draining } : {}) });
      outbox.reply(request.uuid, request.connId, renderBusy(screensAt(options.screens(), columnsOf(request)), max ?? sessions.size));
      outbox.close(request.uuid, request.connId);
      ended.add(keyOf(request.uuid, request.connId));
      return;
    }
    const opened = conversations.open(request, firstLines, seq);
    if (opened.kind === 'refused') {
      // The call ended on the backend that held it (the caller quit) just before it went away; or
      // this line was queued for a backend that died and the call has moved on since (the proxy
      // sends it again there).
      log.info(opened.why === 'closed' ? 'line for an ended conversation: hung up' : 'stale line for a conversation that moved on: dropped', { conn: request.connId, conversation: opened.conversation });
      outbox.close(request.uuid, request.connId);
      ended.add(keyOf(request.uuid, request.connId));
      return;
    }
    const { session } = opened;
    sessions.set(keyOf(request.uuid, request.connId), session);
    session.columns = columnsOf(request);
    session.door = doorOf(request.headers, request.body);
    if (opened.kind === 'new') {
      log.info('session opened', { conn: request.connId, path: request.path, live: sessions.size, max, ...(session.conversation === undefined ? {} : { conversation: session.conversation }) });
      // The first message only dials in ("connect" in the original client); its text is not an answer.
      advance(session, { ok: true, value: undefined });
      options.presence?.opened(session);
      return;
    }
    log.info('conversation taken over', { conn: request.connId, conversation: session.conversation, from: opened.from, epoch: session.epoch, rows: opened.rows, live: sessions.size, max });
    // A call that moved was under way: the limit for silence since calling is not for it.
    session.typed = true;
    // Behind Mongrel2, an unnumbered line that lands on a process not holding its call answers the
    // prompt the caller already has: shown again first, a client answering each prompt would read
    // it as asked again and get out of step (its next line answering the wrong prompt).
    session.quietPrompt = opened.seq === 0 && firstLines.length > 0 && session.conversation?.startsWith('m2/') === true;
    advance(session, { ok: true, value: undefined });
    // Replayed to its prompt, with the caller's name and doing: held here now, owner and heartbeat rewritten.
    options.presence?.opened(session);
    ordersMissed(session);
    if (firstLines.length > 0 && !session.ended && !restartedWithout(session, firstLines.length, opened.seq)) deliver(session, firstLines, opened.seq);
  }

  const restartedWithout = (session: Session, lines: number, seq: number): boolean => dropMovedLines(session, lines, seq, { journal, log, takenOver });

  // A session in a service call or a sleep is not waiting, so nobody is hung up on mid-call.
  function sweep(): number {
    const at = now();
    ended.prune();
    let reaped = 0;
    for (const session of sessions.values()) {
      if (!session.waiting || session.ended) continue;
      const { seconds, screen } = idleLimit(lines, session.caller !== undefined, session.typed);
      const idle = seconds > 0 && at - session.waitingSince >= seconds * 1000;
      const within = lines.loginWithinSeconds ?? 0;
      const late = !idle && session.caller === undefined && within > 0 && at - session.openedAt >= within * 1000;
      if (!idle && !late) continue;
      if (!closeConversation(session)) {
        takenOver(session, undefined);
        continue;
      }
      reaped++;
      if (late) {
        endLine(session, 'login_timeout', { duration: formatDuration(within), seconds: within });
        hangUpOn(session, 'not logged in in time');
        continue;
      }
      endLine(session, screen, { duration: formatDuration(seconds), seconds });
      hangUpOn(session, screen === 'idle' ? 'idle' : 'silent since calling');
    }
    return reaped;
  }

  return {
    receive,
    sweep,
    get liveSessions() {
      return sessions.size;
    },
    endAll(reason, keepJournaled = false) {
      for (const session of [...sessions.values()]) {
        // A journaled conversation is left open for another backend: the caller carries on there.
        if (keepJournaled && session.conversation !== undefined) {
          session.ended = true;
          clearTimeout(session.timer);
          forget(session, `${reason}; left for another backend`);
          continue;
        }
        endFlow(session);
        closeConversation(session);
        forget(session, reason);
      }
    },
    serverRestarted(uuid) {
      const epoch = conversations.serverRestarted(uuid);
      if (epoch === undefined) return;
      // Its callers went with it: their sessions here are over (the journal says so already).
      for (const session of [...sessions.values()]) {
        if (session.uuid !== uuid || !(session.conversation ?? '').startsWith('m2/')) continue;
        session.conversation = undefined;
        endFlow(session);
        forget(session, 'server restarted');
      }
      log.warn('server restarted: its connection ids start again', { uuid, epoch });
    },
    cleanupsDone,
    flushCommits,
    hangUpLine,
    drain(changed) {
      sessionsChanged = changed;
    },
    get heldForProxy() {
      let held = 0;
      for (const session of sessions.values()) if (!(session.line ?? '').startsWith('m2/')) held++;
      return held;
    },
    get detached() {
      return detached;
    },
    stopEvents: () => {
      router.stop();
      hungUpElsewhere.stop();
      malformed.close();
    },
  };
}

// How often the log says malformed messages of one kind (the first at once, then a count).
const MALFORMED_LOG_WINDOW_MS = 10_000;

function malformedReason(message: Extract<ClientMessage, { type: 'unknown' | 'invalid' | 'too-long' | 'line-too-long' }>): string {
  if (message.type === 'line-too-long') return `a line of ${message.bytes} bytes is over the ${MAX_LINE_BYTES}-byte limit`;
  if (message.type === 'unknown') return `unknown message type "${message.name}"`;
  if (message.type === 'too-long') return `message of ${message.bytes} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`;
  return message.reason;
}
