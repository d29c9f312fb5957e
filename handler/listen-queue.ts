/** What a listen needs besides the loop: the events kept for a session between two listens, and the prompt it shows. */
import type { BusEvent, Effect } from './effects.js';
import type { Session } from './session.js';

/** Events kept for a session busy between two listens; the oldest go first when more come. */
export const MAX_QUEUED_EVENTS = 64;

/** Keeps an event for the session's next listen, dropping the oldest past MAX_QUEUED_EVENTS. */
export function keepEvent(session: Session, event: BusEvent): void {
  const queue = (session.events ??= []);
  queue.push(event);
  if (queue.length > MAX_QUEUED_EVENTS) queue.shift();
}

/** The oldest event kept for the session, if any; an emptied queue is dropped, as a line queue is. */
export function takeEvent(session: Session): BusEvent | undefined {
  const queue = session.events;
  if (queue === undefined) return undefined;
  const event = queue.shift();
  if (queue.length === 0) session.events = undefined;
  return event;
}

/** The prompt a listen shows, as the ask it looks like to the caller. */
export function promptOf(effect: Extract<Effect, { kind: 'listen' }>): Extract<Effect, { kind: 'ask' }> {
  return { kind: 'ask', screen: effect.screen, vars: effect.vars, pchar: effect.pchar, echo: true };
}
