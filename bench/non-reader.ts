/**
 * A caller who logs in and then never reads again: at the main menu it stops reading its socket
 * and types the lines of a board read at a steady pace, so what the BBS sends piles up, first in
 * the kernel, then in the proxy. It notes when the server closes its line; only a write can tell
 * a socket that is not read that the other end has gone.
 */
import type { Dial, Wire, WireEvents } from './caller.js';
import { classify } from './walk.js';

/** What one non-reading caller saw, in ms on the clock it was given. */
export interface NonReaderRecord {
  /** When it reached the menu and stopped reading; undefined if it never got there. */
  stoppedReadingAt: number | undefined;
  /** When the server closed its line; undefined while it is on the line. */
  closedAt: number | undefined;
  /** How the close showed itself (an error code, or a plain close). */
  closedHow: string | undefined;
  linesTyped: number;
}

/** How a non-reader types once it has stopped reading. */
export interface NonReaderPlan {
  /** The lines typed in turn, over and over. */
  readonly lines: readonly string[];
  readonly everyMs: number;
  readonly now: () => number;
}

/** A fresh record for one caller. */
export function newRecord(): NonReaderRecord {
  return { stoppedReadingAt: undefined, closedAt: undefined, closedHow: undefined, linesTyped: 0 };
}

/**
 * Wraps `dial` so its caller logs in as usual (the Caller sees every prompt up to the menu), then
 * stops reading and types `plan.lines`; a close by the server after that goes to `record`, not to
 * the Caller, which hears of it only when the run hangs up, so it is not counted as an error.
 */
export function nonReadingDial(dial: Dial, plan: NonReaderPlan, record: NonReaderRecord): Dial {
  return (events: WireEvents): Wire => {
    let stopped = false;
    let serverClosed = false;
    let hungUp = false;
    let timer: NodeJS.Timeout | undefined;
    let next = 0;
    let failure: string | undefined;
    const type = (): void => {
      record.linesTyped++;
      wire.sendLine(plan.lines[next] ?? '');
      next = (next + 1) % plan.lines.length;
    };
    const wire = dial({
      connected: () => events.connected(),
      replied: () => !stopped && events.replied(),
      prompt: (prompt) => {
        if (stopped) return;
        if (classify(prompt) === 'menu') {
          // Stopped first, so the Caller's own answer to the menu goes nowhere.
          stopped = true;
          wire.stopReading?.();
          record.stoppedReadingAt = plan.now();
          timer = setInterval(type, plan.everyMs);
        }
        events.prompt(prompt);
      },
      busy: () => events.busy(),
      exit: (text) => !stopped && events.exit(text),
      error: (what) => (stopped ? (failure = what) : events.error(what)),
      closed: (error) => {
        clearInterval(timer);
        if (!stopped || hungUp) return events.closed(error);
        serverClosed = true;
        record.closedAt = plan.now();
        record.closedHow = error ?? failure ?? 'closed';
      },
    });
    return {
      sendLine: (line) => !stopped && wire.sendLine(line),
      hangUp: () => {
        hungUp = true;
        clearInterval(timer);
        if (serverClosed) events.closed();
        else wire.hangUp();
      },
      stopReading: () => wire.stopReading?.(),
    };
  };
}
