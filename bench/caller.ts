/**
 * One simulated caller over any door: dials, answers each prompt after a think time, records how
 * long each answer took, and notes busy signals, errors and calls that end before the run does.
 */
import { classify, type Prompt, type Walk } from './walk.js';
import type { RunStats } from './run-stats.js';

/** What a door tells its caller. */
export interface WireEvents {
  /** The transport is up (TCP connected, WebSocket open). */
  connected(): void;
  /** One reply arrived (a screen, a prompt, a notice...); doors that cannot tell count prompts. */
  replied(): void;
  /** The BBS waits for a line. */
  prompt(prompt: Prompt): void;
  /** A busy reply, an `ATDT ... BUSY` step, or "All lines are busy". */
  busy(): void;
  /** The BBS ends the call, saying `text`. */
  exit(text: string): void;
  /** Data the door could not read. */
  error(what: string): void;
  /** The connection closed; `error` when it failed rather than closed. */
  closed(error?: string): void;
}

/** A caller's connection through one door. */
export interface Wire {
  sendLine(line: string): void;
  hangUp(): void;
  /** Stops reading what the BBS sends (the bytes stay in the kernel and the server), as a stalled client does. */
  stopReading?(): void;
}

export type Dial = (events: WireEvents) => Wire;

export interface CallerPlan {
  /** Mean pause before each line, in ms (each pause is drawn from 0.5 to 1.5 times it); 0 types at once. */
  readonly thinkMs: number;
  /** Stop typing at the main menu: the caller stays on the line, silent. */
  readonly idleAtMenu: boolean;
  readonly now: () => number;
  readonly random: () => number;
}

export class Caller implements WireEvents {
  private wire: Wire | undefined;
  private dialledAt = 0;
  private sentAt = -1;
  /** The line awaiting its answer was typed inside the measuring window. */
  private sentMeasured = false;
  private loginFrom = -1;
  /** Time spent waiting for the BBS while logging in, think time left out. */
  private loginWaited = 0;
  private signingUp = false;
  private inMenu = false;
  private up = false;
  private hungUp = false;
  private told = false;
  private busySeen = false;
  private prompted = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly walk: Walk,
    private readonly plan: CallerPlan,
    private readonly stats: RunStats,
  ) {}

  dial(dial: Dial): void {
    this.stats.dialled++;
    this.dialledAt = this.plan.now();
    this.wire = dial(this);
  }

  /** Ends the call from this side (the run is over). */
  hangUp(): void {
    this.hungUp = true;
    clearTimeout(this.timer);
    this.wire?.hangUp();
  }

  connected(): void {
    this.up = true;
    this.stats.live++;
  }

  replied(): void {
    if (this.stats.measuring) this.stats.replies++;
  }

  prompt(prompt: Prompt): void {
    if (this.hungUp) return;
    this.prompted = true;
    const at = this.plan.now();
    if (this.sentAt >= 0) {
      this.stats.answer(at - this.sentAt, this.inMenu, this.sentMeasured);
      if (!this.inMenu && this.loginFrom >= 0) this.loginWaited += at - this.sentAt;
    } else if (this.loginFrom < 0 && !this.inMenu) this.stats.setup.add(at - this.dialledAt);
    this.sentAt = -1;
    const kind = classify(prompt);
    if (kind === 'name' && this.loginFrom < 0) this.loginFrom = at;
    if (kind === 'sign-up') this.signingUp = true;
    if (kind === 'menu' && !this.inMenu) {
      this.inMenu = true;
      this.stats.atMenu++;
      (this.signingUp ? this.stats.signUp : this.stats.login).add(this.loginWaited);
      if (this.plan.idleAtMenu) return;
    }
    const line = this.walk.answer(kind);
    if (line === undefined) {
      this.stats.error(`unrecognised prompt: ${JSON.stringify(prompt.text.slice(-60))}`);
      this.hangUp();
      return;
    }
    const think = this.plan.thinkMs;
    if (think === 0) return this.send(line);
    this.timer = setTimeout(() => this.send(line), think * (0.5 + this.plan.random()));
  }

  private send(line: string): void {
    if (this.hungUp) return;
    this.sentAt = this.plan.now();
    this.sentMeasured = this.stats.measuring;
    if (this.sentMeasured) this.stats.inputs++;
    this.wire?.sendLine(line);
  }

  busy(): void {
    this.told = true;
    this.busySeen = true;
    this.stats.busy++;
  }

  exit(text: string): void {
    this.told = true;
    // "All lines are busy" is a busy signal, not an error.
    if (!this.hungUp && !(this.busySeen && !this.prompted)) this.stats.error(`call ended by the BBS: ${text.slice(0, 60)}`);
  }

  error(what: string): void {
    this.stats.error(what);
  }

  closed(error?: string): void {
    clearTimeout(this.timer);
    if (this.up) this.stats.live--;
    this.up = false;
    if (this.hungUp) return;
    this.hungUp = true;
    this.stats.ended++;
    if (error !== undefined) this.stats.error(error);
    else if (!this.told) this.stats.error('line closed without a word');
  }
}
