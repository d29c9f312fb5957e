/**
 * Word wrap for a screen that shows one caller's words after a prefix (`<ann> `, `* ann `): the
 * lines the words wrap onto are indented under them, so no wrapped line can start like another
 * speaker's line (`ok` and 80 spaces and `<bob> my password is...` read as bob's line otherwise).
 */
import type { Vars } from './effects.js';
import { fillPlaceholders } from './screen-markup.js';
import { textColumns, wrapText } from './text-wrap.js';

/** The screens whose `{{text}}` (a caller's words) hangs under its prefix when it wraps. */
export const HANGING_SCREENS: ReadonlySet<string> = new Set(['chat_line', 'chat_me', 'chat_said', 'chat_did', 'broadcast']);

/** The indent of the words when the prefix is half the line or wider (a long name at 20 columns): the prefix gets its own line. */
export const NARROW_INDENT = 2;

const TEXT = '{{text}}';

/** Fills `source` with `vars` and wraps it at `columns`, the first line's `{{text}}` hanging under its prefix. */
export function wrapHanging(source: string, vars: Vars | undefined, columns: number): string {
  const at = source.indexOf(TEXT);
  const lineEnd = source.indexOf('\n');
  if (at < 0 || (lineEnd >= 0 && lineEnd < at)) return wrapText(fillPlaceholders(source, vars), columns);
  const prefix = fillPlaceholders(source.slice(0, at), vars);
  const filled = fillPlaceholders(source.slice(at), vars);
  const end = filled.indexOf('\n');
  const words = end < 0 ? filled : filled.slice(0, end);
  const after = end < 0 ? '' : wrapText(filled.slice(end), columns);
  const indent = textColumns(prefix);
  if (indent <= columns / 2) return hang(prefix, words, indent, columns) + after;
  return wrapText(prefix.trimEnd(), columns) + '\n' + hang(' '.repeat(NARROW_INDENT), words, NARROW_INDENT, columns) + after;
}

function hang(prefix: string, words: string, indent: number, columns: number): string {
  const pad = ' '.repeat(indent);
  return wrapText(words, columns - indent)
    .split('\n')
    .map((line, i) => (i === 0 ? prefix + line : pad + line))
    .join('\n');
}
