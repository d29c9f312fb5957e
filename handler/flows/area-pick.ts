/** Asking which message area: a short numbered list, answered by number or name; one area asks nothing. */
import type { Area } from '../../db/areas-store.js';
import { ask, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { asksHelp } from './prompt-help.js';

/** The screen that asks: which area to post in, or which to read. */
export type AreaQuestion = 'area_post' | 'area_read';

/**
 * The area the caller picks from `areas` (each shown as `label` says), the only one when there is
 * one, or undefined when the caller goes back (Enter) or answers with no area `maxTries` times
 * (told so); `?`/`H` shows what to type and asks again.
 */
export function* pickArea<A extends Area>(question: AreaQuestion, areas: readonly A[], label: (area: A) => string, limits: Limits): Flow<A | undefined> {
  if (areas.length <= 1) return areas[0];
  const entries = areas.map((area, i) => `${i + 1}. ${label(area)}`).join('\n');
  for (let tries = 0; tries < limits.maxTries; ) {
    const answer = (question === 'area_post' ? yield* ask('area_post', { entries, count: areas.length }) : yield* ask('area_read', { entries, count: areas.length })).trim();
    if (answer === '') return undefined;
    const picked = areaFor(areas, answer);
    if (picked !== undefined) return picked;
    // Asking what to type is no wrong answer (an area called "h" is picked above).
    if (asksHelp(answer)) {
      yield* show('area_pick_help', { count: areas.length });
      continue;
    }
    tries++;
    yield* show('no_such_area', { choice: answer, count: areas.length });
  }
  yield* show('area_pick_gave_up', { tries: limits.maxTries });
  return undefined;
}

// By its number in the list, or by its name or title (any case).
function areaFor<A extends Area>(areas: readonly A[], answer: string): A | undefined {
  if (/^\d+$/.test(answer)) return areas[Number(answer) - 1];
  const word = answer.toLowerCase();
  return areas.find((area) => area.name === word || area.title.toLowerCase() === word);
}
