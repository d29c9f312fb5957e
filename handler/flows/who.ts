/** Who's online (every caller on every number, what they are doing) and Last callers, from the main menu and at login. */
import type { Caller } from '../../db/store.js';
import type { OnlineCaller } from '../../db/presence-store.js';
import { call, now, show, type Flow } from '../effects.js';

// Logins Last callers shows.
const LAST_CALLERS_SHOWN = 10;

/** Main menu `W`: a header, then one line per caller (whos_online_line.txt, which a sysop may edit). */
export function* whosOnline(_caller: Caller): Flow {
  const online = yield* call('whosOnline');
  const at = yield* now();
  yield* show('whos_online', { count: online.length });
  for (const on of online) {
    yield* show('whos_online_line', { name: nameOf(on), number: on.number, door: on.door, on_for: formatOnFor(at - on.since), doing: on.doing === '' ? '-' : on.doing });
  }
}

/** Main menu `L`: the last callers, newest first, with date and time. */
export function* lastCallers(_caller: Caller): Flow {
  const calls = yield* call('lastCallers', LAST_CALLERS_SHOWN);
  if (calls.length === 0) {
    yield* show('last_callers_none');
    return;
  }
  yield* show('last_callers', { count: calls.length });
  for (const past of calls) {
    const iso = new Date(past.at).toISOString();
    yield* show('last_callers_line', { name: past.name, number: past.number, door: past.door, date: iso.slice(0, 10), time: `${iso.slice(11, 16)} UTC` });
  }
}

/** The line at login after the MOTD: "3 callers online: ann, bob, logging in". */
export function* onlineAtLogin(): Flow {
  const online = yield* call('whosOnline');
  yield* show('online_at_login', { count: online.length, callers: online.length === 1 ? 'caller' : 'callers', names: online.map(nameOf).join(', ') });
}

function nameOf(on: OnlineCaller): string {
  return on.name ?? 'logging in';
}

/** How long a caller has been on, as who's online shows it: `0m`, `12m`, `2h05m`. */
export function formatOnFor(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
