/** One caller's conversation as the engine holds it, and the lines they typed ahead. */
import { DEFAULT_COLUMNS } from '../common/terminal-columns.js';
import type { JournalRow } from '../db/journal-store.js';
import type { BusEvent, Effect, Flow } from './effects.js';
import type { Replay } from './replay.js';

/** How a flow is resumed: with a value, or with an error thrown into it. */
export type Resume = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A line the caller typed, with the input (`SEQ`, 0 when the server sends none) and the place in it it came in. */
export interface QueuedLine {
  readonly text: string;
  readonly seq: number;
  readonly part: number;
  /** The input's last line: once it is read, the whole input is. */
  readonly last: boolean;
  /** Typed while the caller's screen showed a password prompt. */
  readonly secret: boolean;
}

// One per caller, so no timer or closure here: the sweep compares `waitingSince` with the clock.
// The journal's fields are numbers and undefined while suspended, so a durable conversation
// costs little more heap than one that is not.
/** A conversation: its flow, where it is, and who is on the line. */
export class Session {
  waiting = false;
  ended = false;
  queued: QueuedLine[] | undefined = undefined;
  /** The engine's turn in which this caller's lines last came, and how many came in it. */
  turn = -1;
  linesThisTurn = 0;
  /** Unreadable messages (not JSON, a line too long, ...) since the last line read: a run of them is a flood. */
  unreadInARow = 0;
  effect: Effect | undefined = undefined;
  /** The caller has typed a line since calling (the door's first message only dials in). */
  typed = false;
  /** Who logged in on this line, once the flow says so. */
  caller: string | undefined = undefined;
  /** The door the caller came in by (the request's `DOOR`) and what they are doing (the activity effect), for who's online; not journaled. */
  door: string | undefined = undefined;
  doing: string | undefined = undefined;
  /** The timer of a `sleep` in progress, cleared when the conversation ends. */
  timer: NodeJS.Timeout | undefined = undefined;
  /** The durable conversation this session drives (see journal.ts); undefined when none. */
  conversation: string | undefined = undefined;
  /** The fencing epoch this backend holds the conversation at. */
  epoch = 0;
  nextN = 0;
  startN = 0;
  /** Bytes of row values journaled since the row a takeover replays from (counted here since this process held the call). */
  bytesSinceStart = 0;
  lastSeq = 0;
  lastPart = -1;
  callerId: number | null = null;
  /** The newest journal row committed (its id), which the next commit's rows chain to. */
  lastRow: number | null = null;
  /** The last input read whole, told to the proxy with each prompt; -1: the server numbers no inputs. */
  acked = -1;
  /** Rows recorded since the last commit, and the replies that wait for it. */
  pending: JournalRow[] | undefined = undefined;
  replies: string[] | undefined = undefined;
  /** Journal rows from here on are dropped at the next commit (a cut-back replay). */
  dropFrom: number | undefined = undefined;
  /** A write service the flow waits on, made in the turn's commit that journals its outcome (row `n`). */
  write: { readonly effect: Extract<Effect, { kind: 'call' }>; readonly run: () => unknown; readonly n: number } | undefined = undefined;
  /** The last prompt the caller was sent hid what is typed (a password prompt). */
  seenSecret = false;
  /** While the flow is being rebuilt from its journal. */
  replay: Replay | undefined = undefined;
  /**
   * The journal no longer fitted the code and the flow started again, or was cut back to ask a
   * password again: the lines that came with the move answered prompts that are gone (a password
   * typed at its prompt is not a name, nor an answer to the sign-up question).
   */
  restarted = false;
  /** The prompt a takeover goes live at is not sent again: the line that came with it answers it (see engine startSession). */
  quietPrompt = false;
  /**
   * This session has sent the caller a prompt (or found one on their screen): a listen marked
   * quiet may then leave it there. A session rebuilt from the journal has not, so its first
   * listen shows the prompt even where the flow says quiet (the proxy's mover waits for it).
   */
  promptShown = false;
  /** The call's conversation id whether or not it is journaled (call-identity.ts), and the caller's address: what login services and hang-up orders go by. */
  line: string | undefined = undefined;
  remote: string | undefined = undefined;
  /** Aborted when this session ends, for a login service waiting its turn to hash (hash-pacing.ts); made on first use. */
  lineEnds: AbortController | undefined = undefined;
  /** The caller's terminal width (the request's `COLUMNS`), which screens are wrapped to; not journaled. */
  columns = DEFAULT_COLUMNS;
  /** The chat room the flow listens in (event-router.ts), and the events for it that came while it was not listening. */
  room: string | undefined = undefined;
  events: BusEvent[] | undefined = undefined;
  /** Events of the room dropped from `events` (too many waited) and not yet told to the caller. */
  missedEvents = 0;
  /** When the call began (ms on the engine's clock; the journal's for a call taken over): the login deadline counts from it. */
  openedAt: number;
  constructor(
    readonly uuid: string,
    readonly connId: string,
    public flow: Flow,
    /** When the engine last parked this session on a prompt (ms on the engine's clock). */
    public waitingSince: number,
  ) {
    this.openedAt = waitingSince;
  }
}

/**
 * The oldest of the lines typed ahead (`queued`) or of the events kept for the next listen
 * (`events`), if any; an emptied queue is dropped, since suspended sessions are the bulk of a
 * backend's heap.
 */
export function takeFirst<K extends 'queued' | 'events'>(session: Session, queue: K): NonNullable<Session[K]>[number] | undefined {
  const items = session[queue] as NonNullable<Session[K]>[number][] | undefined;
  if (items === undefined) return undefined;
  const first = items.shift();
  if (items.length === 0) session[queue] = undefined;
  return first;
}
