/**
 * The backend's part of who's online: it writes the presence row of each call it holds when the
 * call opens here (a new call, or one taken over: owner and heartbeat rewritten), when its caller
 * logs in or starts doing something else, and deletes it when the call ends; one heartbeat UPDATE
 * a second keeps all its rows fresh. A backend that dies stops beating and its callers drop off
 * the list within FRESH_MS; each comes back when another backend takes the call over. Every
 * change is published on `presence/`. A write that fails is logged, never a caller's problem.
 */
import { describeError } from '../common/errors.js';
import { fromDialClient } from '../common/dial-client.js';
import type { Logger } from '../common/log.js';
import type { PresenceStore } from '../db/presence-store.js';
import type { EventBus } from './event-bus.js';
import type { Session } from './session.js';

// How often a backend says its calls are still on.
const HEARTBEAT_MS = 1000;
/** A presence row not beaten for this long belongs to a backend that died: not shown. */
export const FRESH_MS = 3000;
// Rows of calls left by a dead backend and never taken over (their caller hung up meanwhile).
const FORGOTTEN_MS = 10 * 60_000;
// Activity changes held for the turn's commit are written by then; this is for a turn whose
// commit did not come (nothing else to commit, another backend's write lock held a while).
const HELD_AT_MOST_MS = 100;

// What a caller in the main chat room is doing (flows/chat.ts chatActivity): their hang-up is a leave there.
const MAIN_ROOM_ACTIVITY = 'in chat';

/** The topic presence changes are published on. */
export const PRESENCE_TOPIC = 'presence/';

/** What a presence change says on the bus. */
export interface PresenceChange {
  readonly change: 'on' | 'update' | 'off';
  readonly line: string;
  readonly number: string;
  readonly name: string | null;
  readonly doing: string;
}

/** What the engine tells presence about the calls it holds. */
export interface PresenceHooks {
  /** The call is held here now (opened, or taken over and replayed to its prompt). */
  opened(session: Session): void;
  /** The caller logged in (identify, live): the row gets the name and the login is logged for Last callers. */
  loggedIn(session: Session): void;
  /** The caller is doing something else now (the activity effect, live). */
  changed(session: Session): void;
  /** The same, written with the turn's commit (writeHeld) rather than in a transaction of its own. */
  changedLater?(session: Session): void;
  /** Writes the changes held by changedLater, in the caller's transaction if one is open. */
  writeHeld?(): void;
  /** The call ended: gone from the list at once. */
  closed(session: Session): void;
  /** The call on `line`, held by another process, ended here (its caller hung up behind Mongrel2). */
  gone(line: string): void;
}

/** The backend's presence writer, with its heartbeat. */
export interface Presence extends PresenceHooks {
  stop(): void;
}

export interface PresenceOptions {
  readonly store: PresenceStore;
  readonly bus: EventBus;
  /** This backend's name, the number its calls are shown on. */
  readonly number: string;
  /** Who holds the rows: name and pid, so a restarted backend's rows are not the dead one's. */
  readonly owner: string;
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * The door a call came in by, as who's online shows it: the proxy's DOOR header; behind Mongrel2,
 * its JSON socket (`client` when `body`, the call's first message, says it is `m2bbs dial`) or the web.
 */
export function doorOf(headers: Readonly<Record<string, unknown>>, body?: Buffer | string): string {
  const door = headers.DOOR;
  if (door === 'websocket') return 'web';
  if (typeof door === 'string' && door !== '') return door;
  if (headers.METHOD !== 'JSON') return 'web';
  return body !== undefined && fromDialClient(body) ? 'client' : 'json';
}

/** Starts the writer and its heartbeat. */
export function createPresence(options: PresenceOptions): Presence {
  const { store, bus, number, owner, log, now } = options;
  // Failures are logged once until writes work again: a full disk must not fill the log each second.
  let failing = false;
  const attempt = (what: string, run: () => void): boolean => {
    try {
      run();
      if (failing) log.info('presence written again');
      failing = false;
      return true;
    } catch (error) {
      if (!failing) log.warn('presence not written', { what, error: describeError(error) });
      failing = true;
      return false;
    }
  };
  const announce = (change: PresenceChange['change'], session: Session, line: string): void => {
    bus.publish(PRESENCE_TOPIC, { change, line, number, name: session.caller ?? null, doing: session.doing ?? '' } satisfies PresenceChange);
  };
  // A write transaction of its own per activity change (a menu choice) took a quarter of a
  // backend in the throughput run, waiting in SQLite's busy handler for the other backend's
  // commits: durable conversations hold them for their turn's commit instead.
  const held = new Set<Session>();
  let heldTimer: NodeJS.Timeout | undefined;
  const writeHeld = (): void => {
    clearTimeout(heldTimer);
    heldTimer = undefined;
    if (held.size === 0) return;
    const sessions = [...held].filter((session) => session.line !== undefined && !session.ended);
    held.clear();
    const rows = sessions.map((session) => ({ line: session.line as string, change: { callerId: session.callerId, name: session.caller ?? null, doing: session.doing ?? '' } }));
    if (attempt('activity', () => store.updateMany(rows, owner, now()))) for (const session of sessions) announce('update', session, session.line as string);
  };
  const heartbeat = setInterval(() => {
    const at = now();
    attempt('heartbeat', () => store.beat(owner, at, at - FORGOTTEN_MS));
  }, HEARTBEAT_MS).unref();

  return {
    opened(session) {
      const line = session.line;
      if (line === undefined || session.ended) return;
      const at = now();
      const row = { line, number, door: session.door ?? 'unknown', callerId: session.callerId, name: session.caller ?? null, since: at, doing: session.doing ?? '', owner, remote: session.remote };
      if (attempt('open', () => store.hold(row, at))) announce('on', session, line);
    },
    loggedIn(session) {
      const line = session.line;
      if (line === undefined) return;
      held.delete(session);
      const at = now();
      const name = session.caller;
      if (attempt('login', () => store.update(line, owner, { callerId: session.callerId, name: name ?? null, doing: session.doing ?? '' }, at))) announce('update', session, line);
      if (name !== undefined) attempt('call log', () => store.logCall({ callerId: session.callerId, name, number, door: session.door ?? 'unknown' }, at));
    },
    changed(session) {
      const line = session.line;
      if (line === undefined) return;
      held.delete(session);
      if (attempt('activity', () => store.update(line, owner, { callerId: session.callerId, name: session.caller ?? null, doing: session.doing ?? '' }, now()))) announce('update', session, line);
    },
    changedLater(session) {
      if (session.line === undefined) return;
      held.add(session);
      heldTimer ??= setTimeout(writeHeld, HELD_AT_MOST_MS).unref();
    },
    writeHeld,
    closed(session) {
      held.delete(session);
      const line = session.line;
      if (line === undefined) return;
      if (attempt('close', () => store.close(line))) announce('off', session, line);
    },
    gone(line) {
      // The row says who was on and where: the process holding the call never hears this hang-up.
      let row: ReturnType<PresenceStore['close']>;
      if (!attempt('close', () => void (row = store.close(line))) || row === undefined) return;
      bus.publish(PRESENCE_TOPIC, { change: 'off', line, number: row.number, name: row.name, doing: row.doing } satisfies PresenceChange);
      // Nor is its room told: in the main room (the one activity names), the leave is said here.
      if (row.name !== null && row.doing === MAIN_ROOM_ACTIVITY) bus.publish('chat/main/', { kind: 'leave', from: row.name, room: 'main', at: new Date(now()).toISOString(), origin: line });
    },
    stop() {
      writeHeld();
      clearInterval(heartbeat);
    },
  };
}
