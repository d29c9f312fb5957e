/** The status bar's text: the number, who is calling, time online and the line state. */
import type { LineState } from './bbs-call.js';

/** Everything the status bar shows. */
export interface StatusFacts {
  readonly route: string;
  readonly name: string | undefined;
  readonly onlineMs: number;
  readonly state: LineState;
}

/** A duration as `H:MM:SS`, the way a modem's call timer shows it. */
export function formatOnline(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** The status bar, cut to `width` columns with the line state always showing. */
export function formatStatus(facts: StatusFacts, width: number): string {
  const left = [facts.route, facts.name ?? 'not logged in', `online ${formatOnline(facts.onlineMs)}`].join(' | ');
  const right = facts.state;
  const room = width - right.length - 3;
  if (room <= 0) return right.slice(0, Math.max(width, 0));
  const shown = left.length > room ? `${left.slice(0, Math.max(room - 1, 0))}~` : left;
  return ` ${shown}${' '.repeat(Math.max(room - shown.length, 0))} ${right} `.slice(0, width);
}

/** Times how long the line has been connected: from CONNECT until the line drops. */
export class OnlineClock {
  private since: number | undefined;
  private frozen = 0;

  constructor(private readonly now: () => number) {}

  /** Tells the clock the line state changed. */
  lineState(state: LineState): void {
    if (state === 'CONNECTED') {
      this.since = this.now();
      this.frozen = 0;
    } else if (this.since !== undefined) {
      this.frozen = this.now() - this.since;
      this.since = undefined;
    } else if (state === 'DIALLING') {
      this.frozen = 0;
    }
  }

  /** Milliseconds online on the current (or last) call. */
  get ms(): number {
    return this.since === undefined ? this.frozen : this.now() - this.since;
  }
}
