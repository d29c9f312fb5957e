/**
 * Running listens: the `listen`, `notify` and `publish` effects, and events heard for a session,
 * which resume a listen (journaled as a row, like a line) or wait for the next one.
 */
import type { BusEvent, Effect } from './effects.js';
import { fingerprint, type Journal } from './journal.js';
import { createNoticeRenderer } from './notices.js';
import { renderReply } from './replies.js';
import { sharedEvents } from './shared-events.js';
import type { Screens } from './screens.js';
import { screensAt } from './screen-width.js';
import { takeFirst, type QueuedLine, type Resume, type Session } from './session.js';

/** Events kept for a session busy between two listens; the oldest go first when more come. */
export const MAX_QUEUED_EVENTS = 64;

/**
 * Events for sessions waiting at a listen are resumed at most once per this window: one timer per
 * backend, so a busy room costs one resume, one journal row and one reply per listener per window,
 * not per line said. In a quiet room the first event goes out at once (the window starts there).
 */
export const EVENT_WINDOW_MS = 40;

type ListenEffect = Extract<Effect, { kind: 'listen' }>;
type Step = IteratorResult<Effect, void>;

/** What the listen runner needs of the event router. */
export interface Rooms {
  /** The session listens in `room` now (undefined: in none; its queued events are dropped). */
  place(session: Session, room: string | undefined): void;
  publish(session: Session, topic: string, body: BusEvent): void;
}

export interface ListenRunnerOptions {
  readonly screens: () => Screens;
  readonly now: () => number;
  readonly journal: Journal | undefined;
  readonly rooms: Rooms;
  /** A reply, held for the commit like any other (commit-batch.ts). */
  readonly emit: (session: Session, body: string) => void;
  /** The flow waits: what it consumed is committed at the end of the turn. */
  readonly settle: (session: Session) => void;
  /** Resumes the flow and runs it until it waits (effect-loop.ts). */
  readonly advance: (session: Session, resume: Resume) => void;
  /** Journals a line the flow reads (effect-loop.ts read). */
  readonly read: (session: Session, effect: ListenEffect, line: QueuedLine) => void;
}

/** What the effect loop runs listens with. */
export interface ListenRunner {
  /** A listen: the flow's next step (an event or a line was waiting), or undefined when it waits. */
  listen(session: Session, effect: ListenEffect): Step | undefined;
  notify(session: Session, effect: Extract<Effect, { kind: 'notify' }>): Step;
  publish(session: Session, effect: Extract<Effect, { kind: 'publish' }>): Step;
  /** An event for the session: resumes a flow waiting at a listen (journaled), else waits for its next listen (at most 64 kept). */
  hear(session: Session, event: BusEvent): void;
}

/** Keeps an event for the session's next listen, dropping the oldest past MAX_QUEUED_EVENTS (counted, to be told). */
export function keepEvent(session: Session, event: BusEvent): void {
  const queue = (session.events ??= []);
  queue.push(event);
  if (queue.length > MAX_QUEUED_EVENTS) {
    queue.shift();
    session.missedEvents++;
  }
}

// Every event kept for the session, oldest first, or undefined when none is. Events dropped
// meanwhile come first as one `notice` event saying how many: a caller is never left to think
// they heard the whole room (the lines are in chat_lines, SQLite being the record).
function takeEvents(session: Session): readonly BusEvent[] | undefined {
  const events = session.events;
  session.events = undefined;
  const missed = session.missedEvents;
  if (missed === 0 || events === undefined) return events;
  session.missedEvents = 0;
  return [{ kind: 'notice', at: events[0]!.at, ...(session.room === undefined ? {} : { room: session.room }), missed }, ...events];
}

/** The prompt a listen shows, as the ask it looks like to the caller. */
export function promptOf(effect: ListenEffect): Extract<Effect, { kind: 'ask' }> {
  return { kind: 'ask', screen: effect.screen, vars: effect.vars, pchar: effect.pchar, echo: true };
}

/** Creates the runner of one backend's listens. */
export function createListenRunner(options: ListenRunnerOptions): ListenRunner {
  const { journal, rooms, emit, settle, now } = options;
  const screensOf = (session: Session): Screens => screensAt(options.screens(), session.columns);
  const renderNotice = createNoticeRenderer(now);

  function listen(session: Session, effect: ListenEffect): Step | undefined {
    rooms.place(session, effect.room);
    // Quiet only where this session put the prompt on the caller's screen itself: a flow
    // rebuilt after a move sends it (the caller may have been at a quiet listen then).
    const quiet = (effect.quiet && session.promptShown) || (session.quietPrompt && !session.restarted);
    session.quietPrompt = false;
    session.promptShown = true;
    if (!quiet) emit(session, renderReply(screensOf(session), promptOf(effect), session.acked, session.caller));
    const events = takeEvents(session);
    if (events !== undefined) return session.flow.next(heard(session, effect, events));
    const line = takeFirst(session, 'queued');
    if (line === undefined) {
      session.waiting = true;
      // Others' chat is not the caller's: idle time runs on from the prompt they last got.
      if (!quiet) session.waitingSince = now();
      settle(session);
      return undefined;
    }
    options.read(session, effect, line);
    return session.flow.next({ kind: 'line', text: line.text });
  }

  function notify(session: Session, effect: Extract<Effect, { kind: 'notify' }>): Step {
    emit(session, renderNotice(screensOf(session), effect, effect.about));
    return session.flow.next(undefined);
  }

  function publish(session: Session, effect: Extract<Effect, { kind: 'publish' }>): Step {
    rooms.publish(session, effect.topic, effect.body);
    return session.flow.next(undefined);
  }

  // The events for a listen, journaled as one row (they move no input number, so the prompt's seq
  // stays as it was) naming their shared value: a busy room costs a small row per resume, and
  // each line said is stored once, not once per listener.
  function heard(session: Session, effect: ListenEffect, events: readonly BusEvent[]): { kind: 'events'; events: readonly BusEvent[] } {
    journal?.record(session, 'event', fingerprint(effect), null, null, sharedEvents(events));
    return { kind: 'events', events };
  }

  // Sessions with events kept and waiting at a listen: resumed once, when the window ends, with all
  // of them (every event that resumes a listen is still journaled, in that one row).
  const due = new Set<Session>();
  // When the last window's events were resumed (the real clock: timers run on it, not on the
  // engine's), and whether the next resume is scheduled.
  let deliveredAt = -Infinity;
  let scheduled = false;
  function deliverDue(): void {
    scheduled = false;
    deliveredAt = performance.now();
    const sessions = [...due];
    due.clear();
    for (const session of sessions) {
      const effect = session.effect;
      if (session.ended || !session.waiting || effect?.kind !== 'listen' || session.replay !== undefined) continue;
      const events = takeEvents(session);
      if (events === undefined) continue;
      session.waiting = false;
      options.advance(session, { ok: true, value: heard(session, effect, events) });
    }
  }

  function hear(session: Session, event: BusEvent): void {
    if (session.ended) return;
    keepEvent(session, event);
    const effect = session.effect;
    if (!session.waiting || effect?.kind !== 'listen' || session.replay !== undefined) return;
    due.add(session);
    if (scheduled) return;
    scheduled = true;
    // A quiet room's event goes out once this turn's events are in (one bus read brings many);
    // in a busy room, a window after the last resume.
    const wait = deliveredAt + EVENT_WINDOW_MS - performance.now();
    if (wait <= 0) setImmediate(deliverDue);
    else setTimeout(deliverDue, wait);
  }

  return { listen, notify, publish, hear };
}
