/**
 * The chat rooms: what was said lately, then the caller's lines and everyone else's as they come.
 * Each line is stored (a journaled write) and then published on the bus; what others say arrives
 * as events that resume the listen, each journaled, so a conversation in chat survives its backend.
 */
import type { Caller } from '../../db/store.js';
import { activity, call, checkpoint, listen, notify, now, publish, show, type BusEvent, type Flow, type RoomCheckpoint } from '../effects.js';
import type { Limits } from '../limits.js';
import { chatText } from '../chat-text.js';

/** The room every caller can enter from the main menu. */
export const MAIN_ROOM = 'main';
/** The backlog shown on entry: what was said in the last minutes, at most so many lines. */
export const BACKLOG_MINUTES = 10;
export const BACKLOG_LINES = 20;
/** The flood limit: a caller saying more lines than this in so many seconds is told, and the line goes nowhere. */
export const FLOOD_LINES = 5;
export const FLOOD_SECONDS = 10;
/** A caller who entered the room this recently comes and goes unannounced: in and out is no flood of joins. */
export const QUIET_ENTRY_SECONDS = 60;

/** What a caller in `room` is doing, as who's online shows it (and /who finds the room's callers by). */
export function chatActivity(room: string): string {
  return room === MAIN_ROOM ? 'in chat' : 'in a private chat';
}

/** How a caller comes into a room. */
export interface Entry {
  /** Shows the backlog first (the main room; a private room starts empty). */
  readonly backlog: boolean;
  /** The page whose private room this is, withdrawn when its pager leaves (paging.ts). */
  readonly page?: number;
}

/**
 * A room checkpoint is written on entry and once every so many lines and events heard after, so
 * replay after a move reads at most about this many rows. Events count one by one, not by resume:
 * the journal may keep events that came in several resumes as one row (journal.ts), and the
 * checkpoints must fall alike either way.
 */
export const CHECKPOINT_LISTENS = 50;

/** Menu entry C: the main chat room until the caller says /quit. */
export function* chat(caller: Caller, limits: Limits): Flow {
  yield* chatIn(MAIN_ROOM, caller, limits, { backlog: true });
}

/** Chat in `room` until the caller says /quit. */
export function* chatIn(room: string, caller: Caller, limits: Limits, entry: Entry): Flow {
  // Who's online says so, and /who finds the callers in the room by it.
  yield* activity(chatActivity(room));
  yield* show('chat_enter', { room });
  if (entry.backlog) yield* showBacklog(room);
  // Both limits are counted in the database (journaled writes), so leaving the room resets neither.
  const announced = yield* call('chatEnter', room, caller.id, QUIET_ENTRY_SECONDS);
  if (announced) yield* publish(topicOf(room), { kind: 'join', from: caller.name, room, at: iso(yield* now()) });
  yield* inRoom(caller, limits, { room, announced, ...(entry.page === undefined ? {} : { page: entry.page }), counts: 'heard' });
}

/** In a room once entered, until the caller says /quit: where a conversation in chat is rebuilt from (bbs.ts). */
export function* inRoom(caller: Caller, limits: Limits, place: RoomCheckpoint): Flow {
  const { room, announced } = place;
  // Said again when rebuilt here (activities are not journaled); unchanged, it writes nothing.
  yield* activity(chatActivity(room));
  let quiet = false;
  let heardSoFar = 0;
  let checkpointAt = 0;
  for (;;) {
    // Replay after a move starts at the newest of these: a few dozen rows, not the hours of the room.
    if (heardSoFar >= checkpointAt) {
      yield* checkpoint(caller, undefined, place);
      checkpointAt = heardSoFar + CHECKPOINT_LISTENS;
    }
    const heard = yield* listen('chat_prompt', undefined, { room, quiet });
    quiet = false;
    if (heard.kind !== 'line') {
      const events = heard.kind === 'events' ? heard.events : [heard.event];
      // Rebuilt from a checkpoint written before events counted one by one: a resume counts one.
      heardSoFar += place.counts === 'heard' ? events.length : 1;
      for (const event of events) yield* tell(event);
      // The prompt is still on the caller's screen, under the event.
      quiet = true;
      continue;
    }
    heardSoFar++;
    const { text, cut, rest } = chatText(heard.text, limits.maxLineLength);
    if (text === '') continue;
    // Said, but only so much: the speaker sees what was not sent, to say it again.
    if (cut) yield* show('chat_too_long', { max: limits.maxLineLength, rest });
    let kind: 'chat' | 'me' = 'chat';
    let body = text;
    if (text.startsWith('/')) {
      const space = text.search(/\s/);
      const command = (space < 0 ? text : text.slice(0, space)).toLowerCase();
      const rest = space < 0 ? '' : text.slice(space).trim();
      if (command === '/quit' || command === '/q') {
        if (announced) yield* publish(topicOf(room), { kind: 'leave', from: caller.name, room, at: iso(yield* now()) });
        yield* show('chat_left');
        if (place.page !== undefined) yield* call('withdrawPage', place.page, caller.id);
        return;
      }
      if (command === '/who') {
        const names = yield* call('chatWho', room, caller.name);
        yield* show('chat_who', { count: names.length, names: names.join(', ') });
        continue;
      }
      if (command !== '/me' || rest === '') {
        yield* show('chat_help', { command });
        continue;
      }
      kind = 'me';
      body = rest;
    }
    const at = yield* now();
    if ((yield* call('chatSay', room, caller.id, caller.name, kind, body, FLOOD_LINES, FLOOD_SECONDS)) === 'flood') {
      yield* show('chat_flood', { lines: FLOOD_LINES, seconds: FLOOD_SECONDS });
      continue;
    }
    yield* publish(topicOf(room), { kind, from: caller.name, room, text: body, at: iso(at) });
  }
}

function* showBacklog(room: string): Flow {
  const lines = yield* call('chatBacklog', room, BACKLOG_MINUTES, BACKLOG_LINES);
  if (lines.length === 0) return;
  yield* show('chat_backlog', { count: lines.length, minutes: BACKLOG_MINUTES });
  for (const line of lines) {
    const vars = { from: line.name, text: line.body, time: iso(line.at).slice(11, 16) };
    if (line.kind === 'me') yield* show('chat_did', vars);
    else yield* show('chat_said', vars);
  }
}

// Someone else's line, join or leave, shown above the caller's input line.
function* tell(event: BusEvent): Flow {
  const from = event.from ?? '';
  const room = event.room ?? '';
  const text = event.text ?? '';
  const about = { from, room, ...(event.text === undefined ? {} : { text }) };
  switch (event.kind) {
    case 'chat':
      return yield* notify('chat_line', { from, text }, 'chat', about);
    case 'me':
      return yield* notify('chat_me', { from, text }, 'me', about);
    case 'join':
      return yield* notify('chat_join', { from, room }, 'join', about);
    case 'leave':
      return yield* notify('chat_leave', { from, room }, 'leave', about);
    case 'notice':
      // Lines the backend could not keep for this caller while it was behind: said, never silent.
      if (event.missed !== undefined) return yield* notify('chat_missed', { count: event.missed }, 'notice', { room });
      return undefined;
    default:
      return undefined;
  }
}

/** The bus topic of a room's events. */
export function topicOf(room: string): string {
  return `chat/${room}/`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
