/** Events as the caller's door gets them: a screen rendered into an `event` message (common/bbs-messages.ts). */
import { encodeEvent, type EventKind } from '../common/bbs-messages.js';
import type { EventAbout, Vars } from './effects.js';
import type { Screens } from './screens.js';

/** What an event shown to a caller is made of: its kind, the screen that words it, and that screen's values. */
export interface Notice {
  readonly screen: string;
  readonly vars: Vars | undefined;
  readonly eventKind: EventKind;
}

/** Renders a notice as an `event` body; `msg` loses its trailing newline, since doors put each event on its own line(s). */
export function renderNotice(screens: Screens, notice: Notice, at: Date, about: EventAbout = {}): string {
  const msg = screens.render(notice.screen, notice.vars).replace(/\n+$/, '');
  return encodeEvent({ kind: notice.eventKind, msg, from: about.from, room: about.room, text: about.text, at });
}

/** Renders notices as renderNotice does, each one once per turn of the event loop however many callers get it. */
export type NoticeRenderer = (screens: Screens, notice: Notice, about?: EventAbout) => string;

/**
 * A renderer that keeps the bodies made in one turn, by screens view (the set in force at one
 * width), screen, kind, values and about: a line said in a room of 1,000 is rendered once per
 * width, not once per listener (rendering per listener was 41% of a backend's time). Every event
 * of a turn carries the turn's time, so identical bodies can go out as one reply (reply-merge.ts).
 * The key is a path of nested maps over the values themselves, not a string built per listener:
 * the values are the same string objects for every listener (one event heard by all), whose
 * hashes V8 keeps, so a lookup costs a few map reads (a JSON key was 22% of a backend).
 */
export function createNoticeRenderer(now: () => number): NoticeRenderer {
  let bodies: Map<Screens, Level> | undefined;
  let at = new Date(0);
  const forget = (): void => {
    bodies = undefined;
  };
  return (screens, notice, about = {}) => {
    if (bodies === undefined) {
      bodies = new Map();
      at = new Date(now());
      setImmediate(forget);
    }
    let level = bodies.get(screens);
    if (level === undefined) bodies.set(screens, (level = new Map()));
    level = step(step(level, notice.screen), notice.eventKind);
    for (const [name, value] of Object.entries(notice.vars ?? {})) level = step(step(level, name), value);
    level = step(step(step(level, about.from), about.room), about.text);
    let body = level.get(BODY) as string | undefined;
    if (body === undefined) level.set(BODY, (body = renderNotice(screens, notice, at, about)));
    return body;
  };
}

// One level of the key path; BODY marks where the rendered body is kept.
type Level = Map<unknown, unknown>;
const BODY = Symbol('body');
function step(level: Level, key: unknown): Level {
  let next = level.get(key) as Level | undefined;
  if (next === undefined) level.set(key, (next = new Map()));
  return next;
}
