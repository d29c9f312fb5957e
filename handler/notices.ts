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
