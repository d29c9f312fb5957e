/**
 * The calls on the board now, as the sysop sees them: every presence row a running backend keeps
 * fresh (db/presence-store.ts), with the caller's id and address, which callers' own who's
 * online never shows; and which of them a sysop's `NAME|CALL` argument means.
 */
import type { Store } from '../db/store.js';
import { BbsError } from '../common/errors.js';
import { escapeForTerminal } from '../common/terminal-safe.js';
import { FRESH_MS } from '../handler/presence.js';

/** One call that is on now. */
export interface LiveCall {
  /** The call's conversation id (handler/call-identity.ts): what kick and replay take. */
  readonly conn: string;
  readonly number: string;
  readonly door: string;
  readonly remote: string | null;
  readonly callerId: number | null;
  /** Null while the caller has not logged in. */
  readonly name: string | null;
  readonly since: number;
  readonly doing: string;
}

// The shortest prefix of a call's id a sysop may give for it.
const MIN_PREFIX = 6;
// The proxy's call ids (32 hex digits) are shown cut to this; a Mongrel2 one whole.
const SHORT = 8;

/** Every call on now, longest on first (rows of a backend that died are left out, as in who's online). */
export function liveCalls(store: Store, now: number): LiveCall[] {
  return store.presence.live(now - FRESH_MS).map(({ line, ...call }) => ({ conn: line, ...call }));
}

/** How `conn` is shown in a listing: the proxy's ids cut to their first digits, which kick takes as they are. */
export function shortConn(conn: string): string {
  return /^[0-9a-f]{32}$/.test(conn) ? conn.slice(0, SHORT) : conn;
}

/**
 * The calls `target` means: a caller's name (any case; all their lines), a call's id, or at least
 * its first six characters. None: BBS_ERR_SYSOP_NOT_FOUND; a prefix of several calls: BBS_ERR_USAGE.
 */
export function callsMeant(calls: readonly LiveCall[], target: string, command: string): LiveCall[] {
  const shown = escapeForTerminal(JSON.stringify(target));
  const byName = calls.filter((call) => call.name !== null && call.name.toLowerCase() === target.toLowerCase());
  const exact = calls.filter((call) => call.conn === target);
  const byPrefix = exact.length === 0 && target.length >= MIN_PREFIX ? calls.filter((call) => call.conn.startsWith(target.toLowerCase()) || call.conn.startsWith(target)) : [];
  const byId = exact.length > 0 ? exact : byPrefix;
  // A caller may name themselves like another call's id: neither is taken for the other.
  if (byName.length > 0 && byId.some((call) => !byName.includes(call))) {
    throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop ${command}: ${shown} is both a caller's name and the start of another call's id (${byId.map((call) => call.conn).join(', ')}); give the whole id of the call you mean`);
  }
  if (byName.length > 0) return byName;
  if (byId.length > 1) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop ${command}: ${escapeForTerminal(target)} begins ${byId.length} calls' ids (${byId.map((call) => call.conn).join(', ')}); give more of it`);
  if (byId.length === 1) return byId;
  throw new BbsError('BBS_ERR_SYSOP_NOT_FOUND', `m2bbs sysop ${command}: nobody called ${shown} is on, and no call on has that id (m2bbs sysop who lists who is on)`);
}
