/**
 * Guess the number: the BBS thinks of a number, the caller has a few tries. A second example of
 * a flow module; randomness comes through `call('random')`, never `Math.random()`.
 */
import type { Flow } from '../../handler/effects.js';
import type { ScreenFlowKit } from '../../handler/screen-flow.js';

export const screens = {
  guess: ['max', 'tries'],
  guess_again: ['hint', 'tries_left'],
  guess_won: ['number', 'tries'],
  guess_lost: ['number'],
} as const;

const MAX = 100;
const TRIES = 7;

export default function* guess({ ask, show, call }: ScreenFlowKit<typeof screens>): Flow {
  const number = 1 + Math.floor((yield* call('random')) * MAX);
  let answer = yield* ask('guess', { max: MAX, tries: TRIES });
  for (let tries = 1; ; tries++) {
    const guessed = Number.parseInt(answer.trim(), 10);
    if (guessed === number) return yield* show('guess_won', { number, tries });
    if (tries === TRIES) return yield* show('guess_lost', { number });
    const hint = Number.isNaN(guessed) ? 'That is not a number.' : guessed < number ? 'Higher!' : 'Lower!';
    answer = yield* ask('guess_again', { hint, tries_left: TRIES - tries });
  }
}
