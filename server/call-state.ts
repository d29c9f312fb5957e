/** What the switchboard keeps of each call and each backend number. */
import { callerOf } from '../common/prompt-ack.js';
import type { BackendLink } from './backend-link.js';
import type { CallerInfo, Line } from './line.js';
import type { ResendWindow } from './resend-window.js';

/** One caller's call, from dialling to hanging up, whichever backend serves it. */
export interface CallState {
  readonly line: Line;
  readonly info: CallerInfo;
  readonly dialled: boolean;
  /** The call's random 128-bit id in hex, the same on every number it is dialled to. */
  readonly session: string;
  /** Inputs the caller has sent so far; the latest one's `SEQ`. */
  seq: number;
  id: string;
  link: BackendLink;
  connected: boolean;
  /** The caller has been told `ATDT ... CONNECT`: a named number's first reply that is not busy. */
  announced: boolean;
  ended: boolean;
  /** A prompt has said someone logged in on the call (its `caller`): the door was told once. */
  loggedIn: boolean;
  first: Buffer | undefined;
  queued: Buffer[];
  candidates: BackendLink[];
  timer: NodeJS.Timeout | undefined;
  /** Inputs an m2bbs backend has not acknowledged yet; undefined for other handlers. */
  window: ResendWindow | undefined;
  /** The call's backend died and it is being moved to another line; since when (ms). */
  movingSince: number | undefined;
  /** The number the call is moving from, for the log. */
  movedFrom: string | undefined;
}

export interface LinkState {
  inUse: number;
  knownFull: boolean;
}

/**
 * Marks the call logged in when a backend reply names its caller, telling the door once: the call
 * then stops counting against its address's cap on callers logging in. Every reply a caller is
 * given passes here, whether the call was dialled, connected or moved.
 */
export function noteLogin(state: CallState, body: Buffer): void {
  if (state.loggedIn || callerOf(body) === undefined) return;
  state.loggedIn = true;
  state.line.loggedIn?.();
}
