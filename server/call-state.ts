/** What the switchboard keeps of each call and each backend number. */
import { decodeBbsMessage } from '../common/bbs-messages.js';
import { callerOf } from '../common/prompt-ack.js';
import type { BackendLink } from './backend-link.js';
import type { CallerInfo, Line } from './line.js';
import type { ResendWindow } from './resend-window.js';

/** One caller's call, from dialling to hanging up, whichever backend serves it. */
export interface CallState {
  readonly line: Line;
  readonly info: CallerInfo;
  /** Dialled to `@bbs` (any number); a named call handed off to another number becomes one. */
  dialled: boolean;
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
  /** Inputs typed while the first is dialling; undefined when none (an idle call keeps no array). */
  queued: Buffer[] | undefined;
  /** Their bytes: past MAX_DIALLING_BYTES the caller is not read until the call goes through. */
  queuedBytes: number;
  /** The door's wake-up, waiting for the call to go through (it typed past MAX_DIALLING_BYTES while dialling). */
  held: (() => void) | undefined;
  /** Links still to try while dialling or moving; undefined once the call is through. */
  candidates: BackendLink[] | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Inputs an m2bbs backend has not acknowledged yet; undefined for other handlers. */
  window: ResendWindow | undefined;
  /** The call's backend died and it is being moved to another line; since when (ms). */
  movingSince: number | undefined;
  /** The number the call is moving from, for the log. */
  movedFrom: string | undefined;
  /** The call is moving because it was handed off a draining link: it waits past the move limit while some number is up. */
  handedOff: boolean;
  /** A handed-off call's wait past the move limit has been logged (once per move). */
  overdueLogged: boolean;
  /** The last reply delivered was a prompt acknowledging every input sent: nothing is in flight, the call can be handed off. */
  atPrompt: boolean;
}

/** Bytes typed while a call dials past which its caller is not read until it goes through: what a first screen's answers take, and more. */
export const MAX_DIALLING_BYTES = 64 * 1024;

export interface LinkState {
  inUse: number;
  knownFull: boolean;
  /** No new calls: its backend said it is draining, or the supervisor is about to drain it. */
  draining: boolean;
  /** `drain waits` has been logged for this link (once per drain). */
  waitLogged: boolean;
  /** Its draining backend said `drained`: every reply it sent has been routed. */
  drainedSaid?: boolean;
  /** Its draining backend went before saying `drained`: the going waits for that notice (or a moment). */
  downPending?: NodeJS.Timeout | undefined;
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

/** Notes whether the reply about to be delivered, whose prompt ack is `ack` (ackOf; undefined when it is no prompt), acknowledges every input the call sent. */
export function notePrompt(state: CallState, ack: number | undefined): void {
  state.atPrompt = isPromptAckingAll(state, ack);
}

/**
 * True when the reply is a prompt (its ack, read once by the caller with ackOf, is defined) and
 * every input the call sent is acknowledged, by it or before it (a prompt shown again after a move
 * may carry an older ack than one before it: what was acknowledged stays so).
 */
export function isPromptAckingAll(state: CallState, ack: number | undefined): boolean {
  return state.window !== undefined && ack !== undefined && Math.max(ack, state.window.acked) >= state.seq;
}

/** True for a backend's busy reply (`{"type":"busy",...}`). */
export function isBusy(body: Buffer): boolean {
  // Most replies are screens and prompts: only what could be a busy reply is parsed to be sure.
  return body.includes('"busy"') && decodeBbsMessage(body)?.type === 'busy';
}
