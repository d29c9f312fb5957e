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
 */
export function createNoticeRenderer(now: () => number): NoticeRenderer {
  let bodies: Map<Screens, Map<string, string>> | undefined;
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
    let byKey = bodies.get(screens);
    if (byKey === undefined) bodies.set(screens, (byKey = new Map()));
    const key = `${notice.screen}\u0000${notice.eventKind}\u0000${JSON.stringify(notice.vars ?? null)}\u0000${JSON.stringify([about.from, about.room, about.text])}`;
    let body = byKey.get(key);
    if (body === undefined) byKey.set(key, (body = renderNotice(screens, notice, at, about)));
    return body;
  };
}
