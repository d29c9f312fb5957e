/**
 * A chat line as others see it: runs of spaces and tabs (any whitespace) squeezed to one space,
 * so nobody can push words to where the next wrapped line starts, and cut to the line limit at a
 * character boundary, never between the two halves of a surrogate pair (an emoji).
 */

/** What was said, made one chat line; `cut` when it was longer than `max` characters, and what was cut off. */
export interface ChatText {
  readonly text: string;
  readonly cut: boolean;
  readonly rest: string;
}

const WHITESPACE = /\s+/gu;
// Half a surrogate pair cannot be stored as UTF-8 or shown: it becomes U+FFFD, as a decoder would.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The line `typed` as it goes to the room: squeezed, trimmed, and at most `max` characters (code points). */
export function chatText(typed: string, max: number): ChatText {
  const text = typed.replace(LONE_SURROGATE, '\ufffd').replace(WHITESPACE, ' ').trim();
  // Most lines are short: counting code points only matters past `max` UTF-16 units.
  if (text.length <= max) return { text, cut: false, rest: '' };
  const chars = Array.from(text);
  if (chars.length <= max) return { text, cut: false, rest: '' };
  return { text: chars.slice(0, max).join('').trimEnd(), cut: true, rest: chars.slice(max).join('').trim() };
}
