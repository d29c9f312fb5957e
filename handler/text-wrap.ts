/**
 * Word wrap to the caller's width: a screen's lines broken at spaces so none is wider than the
 * caller's terminal, a word broken only when it is longer than a whole line. Colour codes (ANSI
 * SGR) take no room; wide characters (CJK, emoji) take two columns and combining marks none.
 */

// An SGR sequence (colour) or any other CSI: drawn, but takes no column.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const PIECE = /\x1b\[[0-?]*[ -/]*[@-~]|[\s\S]/gu;
const MARK = /\p{M}/u;
const PRINTABLE_ASCII = /^[ -~]*$/;

/** How many columns one character takes on a terminal. */
export function charColumns(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (code < 0x300) return 1;
  if (MARK.test(char) || code === 0x200b || code === 0xfeff) return 0;
  return isWide(code) ? 2 : 1;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** The columns `text` (one line) takes on a terminal: colour codes none, a tab up to the next multiple of 8. */
export function textColumns(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  if (!text.includes('\t')) return widthOf(text);
  let width = 0;
  for (const piece of piecesOf(text)) width += piece === '\t' ? 8 - (width % 8) : pieceColumns(piece);
  return width;
}

// The columns of text without tabs; most words are plain ASCII, counted by length.
function widthOf(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  const shown = text.includes('\x1b') ? text.replace(ESCAPES, '') : text;
  if (PRINTABLE_ASCII.test(shown)) return shown.length;
  let width = 0;
  for (const char of shown) width += charColumns(char);
  return width;
}

const pieceColumns = (piece: string): number => (piece.charCodeAt(0) === 0x1b ? 0 : charColumns(piece));

// Characters and escape sequences, one at a time (only for what must be looked at one by one).
function piecesOf(text: string): string[] {
  return text.match(PIECE) ?? [];
}

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
