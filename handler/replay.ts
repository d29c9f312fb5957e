/**
 * Rebuilding a conversation from its journal: the flow runs again from the row replay starts at,
 * and each effect that consumed something is answered from the next row instead of the world,
 * after checking that the row was written by the same effect (its fingerprint) and, for menus
 * and flow modules, by the same screens. Nothing is shown and nothing is called until the rows
 * run out; then the flow is live, at the prompt the caller last saw.
 */
import type { Caller } from '../db/store.js';
import type { JournalRow } from '../db/journal-store.js';
import type { Effect, RoomCheckpoint } from './effects.js';
import { decodeError, decodeValue, fingerprint, menuContent } from './journal.js';
import type { Screens } from './screens.js';
import { SECRET_ARGUMENTS } from './services.js';
import type { Resume } from './session.js';

/** Where a flow is rebuilt from: the start of the call, or a checkpoint at a menu or in a chat room. */
export type FlowStart = { readonly caller: Caller; readonly menu: string | undefined; readonly room?: RoomCheckpoint | undefined; readonly helped?: boolean; readonly open?: readonly string[] } | undefined;

/** A replay in progress: the rows and the next one to answer with. */
export interface Replay {
  readonly rows: readonly JournalRow[];
  index: number;
  /** Why the journal cannot be trusted (it ends before what the caller was shown), if it cannot. */
  broken?: string;
  /** The last input the caller saw answered (the proxy's ACKED), when known. */
  acked?: number | undefined;
  /**
   * Replayed past an input the caller never saw answered (the backend died between its commit and
   * the replies): what the flow shows from there on is shown, since the caller has not seen it.
   */
  audible?: boolean;
}

export type ReplayStep =
  | { readonly step: 'feed'; readonly resume: Resume }
  /** The rows are used up (or end at a secret nobody consumed): the flow goes on live from this effect. */
  | { readonly step: 'live'; readonly dropFrom?: number }
  /** The code no longer fits the journal. */
  | { readonly step: 'mismatch'; readonly why: string };

// The menus a checkpoint says its menu was opened from; none for anything else (an old row).
function menuNames(open: unknown): readonly string[] {
  return Array.isArray(open) && open.every((name) => typeof name === 'string') ? (open as string[]) : [];
}

/** Where the rows say to start the flow, and the replay to drive it with. */
export function startOf(rows: readonly JournalRow[]): { readonly start: FlowStart; readonly replay: Replay } {
  const first = rows[0];
  if (first?.kind === 'checkpoint') {
    let checkpoint: { caller?: Caller | null; menu?: string; room?: RoomCheckpoint; helped?: boolean; open?: unknown } | null;
    try {
      checkpoint = JSON.parse(first.value ?? 'null') as typeof checkpoint;
    } catch {
      checkpoint = null;
    }
    // A checkpoint that does not read as one cannot be replayed from: the caller starts again.
    if (checkpoint === null) return { start: undefined, replay: { rows, index: 0, broken: `row ${first.n}: a checkpoint that is not JSON` } };
    return { start: checkpoint.caller === null || checkpoint.caller === undefined ? undefined : { caller: checkpoint.caller, menu: checkpoint.menu, room: checkpoint.room, helped: checkpoint.helped === true, open: menuNames(checkpoint.open) }, replay: { rows, index: 0 } };
  }
  return { start: undefined, replay: { rows, index: first?.kind === 'start' ? 1 : 0 } };
}

/** Who had logged in, as far as the rows tell: where a conversation the code no longer fits goes on from. */
export function loggedInCaller(rows: readonly JournalRow[]): Caller | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i] as JournalRow;
    try {
      if (row.kind === 'checkpoint') return (JSON.parse(row.value ?? 'null') as { caller?: Caller | null } | null)?.caller ?? undefined;
      // Logged in or signed up just before the backend died, before the checkpoint was written. A
      // login's result says whether it let the caller in ({ok, caller} or {ok: false, failures}).
      if (row.kind === 'result' && row.value !== null && row.print.startsWith('call:logIn:')) {
        const result = JSON.parse(row.value) as { ok?: unknown; caller?: Caller } | null;
        return result?.ok === true ? result.caller : undefined;
      }
      if (row.kind === 'result' && row.value !== null && row.print.startsWith('call:register:')) return (JSON.parse(row.value) as Caller | null) ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Answers one effect that consumes something (ask, listen, call, menu, flow, checkpoint) from the journal. */
export function replayStep(replay: Replay, effect: Effect, screens: Screens): ReplayStep {
  if (replay.broken !== undefined) return { step: 'mismatch', why: replay.broken };
  const row = replay.rows[replay.index];
  if (row === undefined) return { step: 'live' };
  const expected = fingerprint(effect);
  if (row.print !== expected) return { step: 'mismatch', why: `row ${row.n}: the journal has ${row.print}, the code now asks for ${expected}` };
  // A password nobody's result consumed yet (between the two prompts of a sign-up) cannot be
  // rebuilt, since its text was never written: the caller is asked for it again.
  if (row.kind === 'line' && row.value === null && !consumedLater(replay.rows, replay.index)) return { step: 'live', dropFrom: row.n };
  replay.index++;
  switch (row.kind) {
    case 'line': {
      if (row.seq !== null && replay.acked !== undefined && row.seq > replay.acked) replay.audible = true;
      const text = row.value === null ? '' : decodeValue(row.value);
      // A listen heard a line: resumed as it was live, with what it heard.
      return feed(effect.kind === 'listen' ? { kind: 'line', text } : text);
    }
    case 'event': {
      if (effect.kind !== 'listen') break;
      // A row holds the events of one resume (an array); a journal written before, one event.
      // One whose shared value is gone (pruned) cannot be replayed.
      if (row.value === null) return { step: 'mismatch', why: `row ${row.n}: its events are no longer stored` };
      const value = decodeValue(row.value);
      return feed(Array.isArray(value) ? { kind: 'events', events: value } : { kind: 'event', event: value });
    }
    case 'result':
      return feed(decodeValue(row.value));
    case 'error':
      return { step: 'feed', resume: { ok: false, error: decodeError(row.value) } };
    case 'menu': {
      if (effect.kind !== 'menu') break;
      // A menu that changed since (a sysop added an entry) is replayed as it is now: what the
      // flow did with it shows in the rows that follow, whose fingerprints must still match (an
      // answer that now leads elsewhere does not), so a half-written message survives an edit
      // of the menu it was started from. Only a menu that is gone cannot be replayed.
      const menu = screens.menu(effect.name);
      const was = decodeValue(row.value);
      if (menu === undefined && was != null) return { step: 'mismatch', why: `row ${row.n}: menu ${effect.name} is gone` };
      // The caller still at a menu that changed (no line answered it yet) is shown it as it is
      // now: what the flow shows from here on is said again, with the new entries.
      if (was !== menuContent(menu) && !lineAfter(replay.rows, replay.index)) replay.audible = true;
      return feed(menu);
    }
    case 'flow': {
      if (effect.kind !== 'flow') break;
      const was = decodeValue(row.value);
      const now = screens.flowVersion?.(effect.name);
      if (now !== was) return { step: 'mismatch', why: `row ${row.n}: flow ${effect.name} changed (${String(was)} then, ${now ?? 'gone'} now)` };
      return feed(screens.flow(effect.name));
    }
    case 'checkpoint':
      return feed(undefined);
    case 'start':
      break;
  }
  return { step: 'mismatch', why: `row ${row.n}: a ${row.kind} row cannot answer ${effect.kind}` };
}

function feed(value: unknown): ReplayStep {
  return { step: 'feed', resume: { ok: true, value } };
}

function lineAfter(rows: readonly JournalRow[], index: number): boolean {
  for (let i = index; i < rows.length; i++) if ((rows[i] as JournalRow).kind === 'line') return true;
  return false;
}

/** True when the rows end with a secret read (a password) that no login or sign-up has used yet: only the process that read it can go on. */
export function secretPending(rows: readonly JournalRow[]): boolean {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i] as JournalRow;
    if (row.kind === 'line' && row.value === null) return !consumedLater(rows, i);
  }
  return false;
}

function consumedLater(rows: readonly JournalRow[], index: number): boolean {
  for (let i = index + 1; i < rows.length; i++) {
    const row = rows[i] as JournalRow;
    if ((row.kind === 'result' || row.kind === 'error') && Object.keys(SECRET_ARGUMENTS).some((service) => row.print.startsWith(`call:${service}:`))) return true;
  }
  return false;
}
