/**
 * One-liners: a wall where each caller may leave one short line for everyone who calls after.
 * The worked example in screens/README.md. To offer it, add to a menu file:
 *
 *   O. The one-liner wall.   -> flow oneliners
 */
import type { Flow } from '../../handler/effects.js';
import type { ScreenFlowKit } from '../../handler/screen-flow.js';

// The screens this flow shows (oneliners.txt, ...), each with the placeholders it fills.
export const screens = {
  oneliners: ['lines', 'count'],
  oneliners_empty: [],
  oneliners_ask: ['max'],
  oneliners_added: [],
  oneliners_too_long: ['max', 'line'],
  oneliners_not_saved: ['line'],
  oneliners_limit: ['limit', 'minutes'],
} as const;

const WALL = 'oneliners';
const SHOWN = 10;
const LONGEST = 60;

export default function* oneliners({ caller, limits, show, ask, call }: ScreenFlowKit<typeof screens>): Flow {
  const lines = yield* call('wallRecent', WALL, SHOWN);
  if (lines.length === 0) {
    yield* show('oneliners_empty');
  } else {
    const wall = lines.map((line) => `${line.author.padEnd(12)} ${line.body}`).join('\n');
    yield* show('oneliners', { lines: wall, count: lines.length });
  }
  // A wall line counts towards the caller's writing limit (--writes-per-hour), like a message.
  const minutes = yield* call('writingWait', caller.id, limits.writesPerHour);
  if (minutes > 0) {
    yield* show('oneliners_limit', { limit: limits.writesPerHour, minutes });
    return;
  }
  let line = (yield* ask('oneliners_ask', { max: LONGEST })).trim();
  // A longer line is shown back and asked for again, never cut short without a word.
  while (line.length > LONGEST) {
    yield* show('oneliners_too_long', { max: LONGEST, line });
    line = (yield* ask('oneliners_ask', { max: LONGEST })).trim();
  }
  if (line === '') return;
  try {
    yield* call('wallPost', WALL, caller.id, line);
  } catch (err) {
    // BBS_ERR_DB_...: the board could not store it (disk full, say); the log says why.
    if (!String((err as { code?: unknown }).code).startsWith('BBS_ERR_DB_')) throw err;
    yield* show('oneliners_not_saved', { line });
    return;
  }
  yield* show('oneliners_added');
}
