/** What a load run counts: callers by stage, inputs and their answers, timings, errors and busy signals. */
import { Samples } from './samples.js';

export class RunStats {
  dialled = 0;
  /** Callers whose transport is up (TCP connected, WebSocket open) now. */
  live = 0;
  /** Callers who reached the main menu. */
  atMenu = 0;
  /** Calls that ended before the run did: refused, busy, dropped, or closed by the BBS. */
  ended = 0;
  busy = 0;
  /** Lines typed in the measuring window, and the prompts that answered them before it closed. */
  inputs = 0;
  answered = 0;
  /** Replies of every kind received in the measuring window. */
  replies = 0;
  /** True while the measuring window is open. */
  measuring = false;
  /** From a line typed at the menu (or deeper) to the next prompt, in the window. */
  readonly roundTrip = new Samples();
  /** From dialling to the first prompt. */
  readonly setup = new Samples();
  /** Waiting for the BBS from typing the name to the main menu (think time left out), for callers who logged in. */
  readonly login = new Samples();
  /** The same for callers who signed up (their password is hashed at the real cost). */
  readonly signUp = new Samples();
  /** Answers in the current progress second, and their round trips. */
  tick = { answered: 0, roundTrip: new Samples() };
  private readonly errorCounts = new Map<string, number>();

  error(kind: string): void {
    this.errorCounts.set(kind, (this.errorCounts.get(kind) ?? 0) + 1);
  }

  get errors(): number {
    let total = 0;
    for (const count of this.errorCounts.values()) total += count;
    return total;
  }

  /** Error counts by kind, most frequent first. */
  errorKinds(): Record<string, number> {
    return Object.fromEntries([...this.errorCounts].sort((a, b) => b[1] - a[1]));
  }

  startWindow(): void {
    this.inputs = 0;
    this.answered = 0;
    this.replies = 0;
    this.roundTrip.clear();
    this.measuring = true;
  }

  /** A prompt answered a line typed `ms` ago (`typedInWindow` when the window was open then). */
  answer(ms: number, inMenu: boolean, typedInWindow: boolean): void {
    this.tick.answered++;
    if (inMenu) this.tick.roundTrip.add(ms);
    if (!this.measuring || !typedInWindow) return;
    this.answered++;
    if (inMenu) this.roundTrip.add(ms);
  }

  /** Takes the current progress second's figures and starts the next. */
  takeTick(): { answered: number; p99: number } {
    const taken = { answered: this.tick.answered, p99: this.tick.roundTrip.summary().p99 };
    this.tick.answered = 0;
    this.tick.roundTrip.clear();
    return taken;
  }
}
