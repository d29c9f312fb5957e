/**
 * Splitting an over-long line into pieces that fit, at spaces where it can. This counts characters
 * (code points), not terminal columns as handler/text-wrap.ts does, on purpose: the limit here is
 * the board's stored line length, told to callers as "N characters" and the same for everyone;
 * how wide a line is on screen depends on each reader's terminal, and the screen wraps it there.
 */

/** Splits `line` into pieces of at most `max` characters (code points), breaking at spaces when possible. */
export function wrapLine(line: string, max: number): string[] {
  const chars = [...line];
  const pieces: string[] = [];
  let start = 0;
  while (chars.length - start > max) {
    let cut = start + max;
    const space = chars.lastIndexOf(' ', cut);
    if (space > start) cut = space;
    pieces.push(chars.slice(start, cut).join('').trimEnd());
    start = cut;
    while (chars[start] === ' ') start++;
  }
  if (start < chars.length || pieces.length === 0) pieces.push(chars.slice(start).join(''));
  return pieces;
}

/** The length of `text` in characters as a caller counts them (code points). */
export function charLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
