/** The new-message scan: area by area, what was posted since the caller last read there. */
import type { AreaNews } from '../../db/areas-store.js';
import type { Caller } from '../../db/store.js';
import { ask, call, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { readArea } from './area-reader.js';
import { saysNo } from './names.js';
import { asksHelp } from './prompt-help.js';

/** Menu entry N: for each area with something new, how much, and the chance to read it. */
export function* newScan(caller: Caller, limits: Limits): Flow {
  const news = (yield* call('newScan', caller.id)).filter((area) => area.unread > 0);
  if (news.length === 0) {
    yield* show('scan_nothing');
    return;
  }
  for (const area of news) {
    let answer = (yield* ask('scan_area', { area: area.title, count: area.unread })).trim();
    // `?` is no yes: it explains, and nothing is read (so nothing marked read) until the caller says.
    while (asksHelp(answer)) {
      yield* show('scan_area_help', { area: area.title, count: area.unread });
      answer = (yield* ask('scan_area', { area: area.title, count: area.unread })).trim();
    }
    if (answer.toUpperCase() === 'Q') break;
    if (saysNo(answer)) continue;
    if (!(yield* readArea(caller, limits, area, { afterId: area.lastReadId, count: area.waiting }))) break;
  }
  yield* show('scan_done');
}

/** The line shown at login: `General 3, Tech talk 1`, or undefined when nothing is new. */
export function* newSummary(caller: Caller): Flow<string | undefined> {
  const news = (yield* call('newScan', caller.id)).filter((area) => area.unread > 0);
  return news.length === 0 ? undefined : summaryOf(news);
}

/** Each area with something new, as `Title N`, comma separated. */
export function summaryOf(news: readonly AreaNews[]): string {
  return news.map((area) => `${area.title} ${area.unread}`).join(', ');
}
