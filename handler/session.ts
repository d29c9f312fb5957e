/** One caller's conversation as the engine holds it, and the lines they typed ahead. */
import type { Effect, Flow } from './effects.js';

/** How a flow is resumed: with a value, or with an error thrown into it. */
export type Resume = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

// One per caller, so no timer or closure here: the sweep compares `waitingSince` with the clock.
/** A conversation: its flow, where it is, and who is on the line. */
export class Session {
  waiting = false;
  ended = false;
  queued: string[] | undefined = undefined;
  /** The engine's turn in which this caller's lines last came, and how many came in it. */
  turn = -1;
  linesThisTurn = 0;
  effect: Effect | undefined = undefined;
  /** Who logged in on this line, once the flow says so. */
  caller: string | undefined = undefined;
  /** The timer of a `sleep` in progress, cleared when the conversation ends. */
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(
    readonly uuid: string,
    readonly connId: string,
    readonly flow: Flow,
    /** When the engine last parked this session on a prompt (ms on the engine's clock). */
    public waitingSince: number,
  ) {}
}

/** The next line typed ahead, if any; an emptied queue is dropped, since suspended sessions are the bulk of a backend's heap. */
export function takeQueued(session: Session): string | undefined {
  const queue = session.queued;
  if (queue === undefined) return undefined;
  const line = queue.shift();
  if (queue.length === 0) session.queued = undefined;
  return line;
}
