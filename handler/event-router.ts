/**
 * Bus events to the sessions they are for: a chat room's events to the sessions listening in it
 * (each resumed, or keeping the event for its next listen), a page to the sessions of the caller
 * it names (shown at once, between prompts, not journaled), a broadcast to every logged-in caller.
 * Rooms are tracked here, not in the flow: a session is in the room its flow last listened in.
 */
import { EVENT_KINDS } from '../common/bbs-messages.js';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { BUS_EVENT_FIELDS, type BusEvent } from './effects.js';
import type { EventBus } from './event-bus.js';
import type { Rooms } from './listen-runner.js';
import type { Outbox } from './engine-api.js';
import { createNoticeRenderer, type Notice } from './notices.js';
import type { Screens } from './screens.js';
import { screensAt } from './screen-width.js';
import type { Session } from './session.js';

export interface EventRouterOptions {
  readonly bus: EventBus;
  readonly log: Logger;
  readonly now: () => number;
  /** Every session this backend holds now. */
  readonly sessions: () => Iterable<Session>;
  /** A room's event for a session in it (effect-loop.ts hear). */
  readonly hear: (session: Session, event: BusEvent) => void;
  readonly screens: () => Screens;
  readonly outbox: Outbox;
  /** Behind Mongrel2, another process has served this session's call since (moved-on.ts): it gets no page or broadcast here. */
  readonly movedOn?: (session: Session) => boolean;
}

/** What the engine asks of the router, beyond what the effect loop does. */
export interface EventRouter extends Rooms {
  /** The session is gone from this backend: out of its room; `announce` (the caller left the board, not moved) tells the room. */
  gone(session: Session, announce: boolean): void;
  /** Stops taking events from the bus. */
  stop(): void;
}

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);

/** Who a session is on the bus: its call's line, the same on every backend that serves it. */
export function originOf(session: Session): string {
  return session.line ?? `${session.uuid} ${session.connId}`;
}

/** Starts routing the bus's events to this backend's sessions. */
export function createEventRouter(options: EventRouterOptions): EventRouter {
  const { bus, log } = options;
  const rooms = new Map<string, Set<Session>>();

  function place(session: Session, room: string | undefined): void {
    if (session.room === room) return;
    if (session.room !== undefined) {
      const members = rooms.get(session.room);
      members?.delete(session);
      if (members?.size === 0) rooms.delete(session.room);
    }
    // Events kept for another room (or for none) are not this room's.
    session.events = undefined;
    session.missedEvents = 0;
    session.room = room;
    if (room === undefined) return;
    let members = rooms.get(room);
    if (members === undefined) rooms.set(room, (members = new Set()));
    members.add(session);
  }

  function publish(session: Session, topic: string, body: BusEvent): void {
    bus.publish(topic, { ...body, origin: originOf(session) });
  }

  function gone(session: Session, announce: boolean): void {
    const room = session.room;
    if (room === undefined) return;
    place(session, undefined);
    if (announce && session.caller !== undefined) publish(session, `chat/${room}/`, { kind: 'leave', from: session.caller, room, at: new Date(options.now()).toISOString() });
  }

  // A broadcast to every caller is rendered once per width.
  const renderNotice = createNoticeRenderer(options.now);
  // At once, whatever the flow is doing: the door shows it above the line being typed.
  function show(session: Session, notice: Notice, event: BusEvent): void {
    options.outbox.reply(session.uuid, session.connId, renderNotice(screensAt(options.screens(), session.columns), notice, { from: event.from, room: event.room, text: event.text }));
  }

  // Behind Mongrel2 a session whose call another process served since is kept until a line or the
  // pruner finds it out; that process shows the caller the page, this one must not show it twice.
  const stale = (session: Session): boolean => options.movedOn?.(session) === true;

  function route(topic: string, body: unknown): void {
    const event = asEvent(body);
    if (event === undefined) return;
    const [kind, target] = topic.split('/');
    if (kind === 'chat' && target !== undefined) {
      const members = rooms.get(target);
      if (members === undefined) return;
      // The sender's line is for this filter only: not journaled with every listener's event row.
      const { origin, ...heard } = event;
      // Copied: hearing resumes flows, which may leave the room (a /quit) while we go round.
      for (const session of [...members]) if (origin !== originOf(session)) options.hear(session, heard);
      return;
    }
    if (kind === 'page' && target !== undefined) {
      for (const session of options.sessions()) {
        if (session.ended || session.caller?.toLowerCase() !== target || stale(session)) continue;
        show(session, event.kind === 'page' ? { screen: 'page_received', vars: { from: event.from ?? '' }, eventKind: 'page' } : { screen: 'page_ignored', vars: { from: event.from ?? '' }, eventKind: 'notice' }, event);
      }
      return;
    }
    if (kind === 'broadcast') {
      for (const session of options.sessions()) if (!session.ended && session.caller !== undefined && !stale(session)) show(session, { screen: 'broadcast', vars: { from: event.from ?? '', text: event.text ?? '' }, eventKind: 'broadcast' }, event);
    }
  }

  const stop = bus.onEvent((topic, body) => {
    try {
      route(topic, body);
    } catch (error) {
      log.error('bus event not routed', { topic, error: describeError(error) });
    }
  });

  return { place, publish, gone, stop };
}

// What another backend sent is checked before any session sees it: a malformed event is dropped.
function asEvent(body: unknown): BusEvent | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields.kind !== 'string' || !KINDS.has(fields.kind) || typeof fields.at !== 'string') return undefined;
  for (const [key, type] of Object.entries(BUS_EVENT_FIELDS)) if (fields[key] !== undefined && typeof fields[key] !== type) return undefined;
  return body as BusEvent;
}
