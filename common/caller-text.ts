/**
 * What a caller types is shown to other callers (posts, mail, one-liners, chat), so it is cleaned
 * on the way in, as well as on the way out (common/display-safe.ts): what is stored is then what
 * others see, and a line journaled or written to the log carries nothing a terminal acts on.
 */
import { displaySafe } from './display-safe.js';

/** `text` without control characters or invisible format characters (displaySafe); tabs become spaces. */
export function neutraliseCallerText(text: string): string {
  return displaySafe(text.replace(/\t/g, ' ').replace(/\n/g, ''));
}
