/**
 * Word wrap to the caller's width: a screen's lines broken at spaces so none is wider than the
 * caller's terminal, a word broken only when it is longer than a whole line. Colour codes (ANSI
 * SGR) take no room; wide characters (CJK, emoji) take two columns and combining marks none.
 */
import { charColumns, pieceColumns, piecesOf, PRINTABLE_ASCII, textColumns, widthOf } from '../common/text-columns.js';

export { charColumns, textColumns };

/** `text` with every line wider than `columns` broken at spaces (see the file's comment); lines that fit are kept as they are. */
export function wrapText(text: string, columns: number): string {
  if (!text.includes('\n')) return wrapOne(text, columns);
  return text
    .split('\n')
    .map((line) => wrapOne(line, columns))
    .join('\n');
}

function wrapOne(line: string, columns: number): string {
  // Most lines are short and plain: no need to look closer.
  if ((line.length <= columns && PRINTABLE_ASCII.test(line)) || textColumns(line) <= columns) return line;
  const expanded = line.includes('\t') ? expandTabs(line) : line;
  // A continuation lines up under the first word when the line is indented (a list), and a quoted
  // line (`> `, `> > `) goes on quoted. A lead half the line wide or more is not an indent but
  // text, wrapped as any (a line of only quote marks is shown whole, never cut to one line).
  const found = /^ *(?:>+ *)*/.exec(expanded)?.[0] ?? '';
  const lead = found.length < columns / 2 ? found : '';
  const indent = lead;
  const out: string[] = [];
  let current = lead;
  let width = lead.length;
  // Nothing but the indent on the line yet: a word goes on it whatever its width.
  let fresh = true;
  let spaces = '';
  const newLine = (): void => {
    out.push(current);
    current = indent;
    width = indent.length;
    fresh = true;
  };
  for (const word of words(expanded.slice(lead.length))) {
    if (word.kind === 'space') {
      spaces += word.text;
      continue;
    }
    const gap = fresh ? '' : spaces;
    spaces = '';
    if (width + gap.length + word.width > columns) {
      if (!fresh && word.width <= columns - indent.length) newLine();
      else if (fresh && word.width <= columns) {
        // A first line indented deeper than the word leaves room for: less indent, not a broken word.
        current = current.slice(0, columns - word.width);
        width = current.length;
      }
    }
    if (width + (fresh ? 0 : gap.length) + word.width <= columns) {
      current += (fresh ? '' : gap) + word.text;
      width += (fresh ? 0 : gap.length) + word.width;
      fresh = false;
      continue;
    }
    // Longer than a whole line: it fills what is left of this one, then breaks by character.
    if (!fresh && width + gap.length < columns) {
      current += gap;
      width += gap.length;
    } else if (!fresh) newLine();
    for (const piece of piecesOf(word.text)) {
      const w = pieceColumns(piece);
      // A line holding only its indent breaks too: no line is ever wider than the caller's.
      if (width + w > columns && (!fresh || width > 0)) newLine();
      current += piece;
      width += w;
      if (w > 0) fresh = false;
    }
  }
  // Spaces that ran past the edge are nothing to show.
  out.push(fresh && out.length === 0 ? current.slice(0, columns).trimEnd() : current);
  return out.join('\n');
}

interface Word {
  readonly kind: 'space' | 'word';
  readonly text: string;
  readonly width: number;
}

function words(text: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < text.length) {
    let j = i;
    if (text.charCodeAt(i) === 0x20) {
      while (j < text.length && text.charCodeAt(j) === 0x20) j++;
      out.push({ kind: 'space', text: text.slice(i, j), width: j - i });
    } else {
      j = text.indexOf(' ', i);
      if (j < 0) j = text.length;
      const word = text.slice(i, j);
      out.push({ kind: 'word', text: word, width: widthOf(word) });
    }
    i = j;
  }
  return out;
}

function expandTabs(line: string): string {
  let out = '';
  let width = 0;
  for (const piece of piecesOf(line)) {
    if (piece === '\t') {
      const n = 8 - (width % 8);
      out += ' '.repeat(n);
      width += n;
      continue;
    }
    out += piece;
    width += pieceColumns(piece);
  }
  return out;
}
