/**
 * Text bound for a terminal that a caller or a client may have written (a log line's fields): what
 * the terminal could act on or draw misleadingly is written as `\u` escapes instead.
 */

// C0 and C1 controls and DEL (escape sequences clear a screen, retitle a window, write the
// clipboard; 0x9B starts one on some terminals), line and paragraph separators, and format
// characters (BiDi overrides turn text around, zero-width characters hide it).
const UNSAFE_IN_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu;

/** `text` with every character a terminal could act on or hide written as `\uXXXX` (astral ones as their two halves). */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE_IN_TERMINAL, escapeUnits);
}

function escapeUnits(char: string): string {
  let escaped = '';
  for (let i = 0; i < char.length; i++) escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return escaped;
}
