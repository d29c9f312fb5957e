/** Quoting a message in a reply: its stored text as `> ` lines re-wrapped to fit, and trimming it. */
import { wrapLine } from './wrap.js';

/**
 * The quote of `body`: each line re-wrapped to `width` less the `> ` it gains, at most `max` lines,
 * blank lines at either end dropped.
 */
export function quoteLines(body: string, width: number, max: number): string[] {
  const lines: string[] = [];
  for (const line of body.split('\n')) {
    if (line.trim() === '') lines.push('>');
    else for (const piece of wrapLine(line, Math.max(width - 2, 1))) lines.push(`> ${piece}`);
  }
  while (lines[0] === '>') lines.shift();
  while (lines.at(-1) === '>') lines.pop();
  return lines.slice(0, Math.max(max, 0));
}

/**
 * Which quoted lines to keep, from the caller's answer: Enter or Y all, N none, `K` the first K,
 * `A-B` lines A to B; undefined when the answer is none of these.
 */
export function keptLines(quote: readonly string[], answer: string): string[] | undefined {
  const word = answer.trim().toLowerCase();
  if (word === '' || word === 'y' || word === 'yes') return [...quote];
  if (word === 'n' || word === 'no') return [];
  const range = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(word);
  if (range === null) return undefined;
  const from = range[2] === undefined ? 1 : Number(range[1]);
  const to = Number(range[2] ?? range[1]);
  if (from < 1 || to < from || to > quote.length) return undefined;
  return quote.slice(from - 1, to);
}

/** Lines numbered as the message editor numbers them (` 1> `), for showing a quote before it. */
export function numberedLines(lines: readonly string[]): string {
  return lines.map((line, i) => `${String(i + 1).padStart(2, ' ')}> ${line}`).join('\n');
}
