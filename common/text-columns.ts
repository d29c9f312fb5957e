/**
 * How many columns text takes on a terminal: colour codes (ANSI SGR) none, wide characters (CJK,
 * emoji) two, combining marks none. Shared by the backend's word wrap and the doors' input-line redraw.
 */

// An SGR sequence (colour) or any other CSI: drawn, but takes no column.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const PIECE = /\x1b\[[0-?]*[ -/]*[@-~]|[\s\S]/gu;
const MARK = /\p{M}/u;
/** Text of printable ASCII only: its columns are its length. */
export const PRINTABLE_ASCII = /^[ -~]*$/;

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

/** The columns of text without tabs; most words are plain ASCII, counted by length. */
export function widthOf(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  const shown = text.includes('\x1b') ? text.replace(ESCAPES, '') : text;
  if (PRINTABLE_ASCII.test(shown)) return shown.length;
  let width = 0;
  for (const char of shown) width += charColumns(char);
  return width;
}

/** The columns of one character or escape sequence (escapes none). */
export const pieceColumns = (piece: string): number => (piece.charCodeAt(0) === 0x1b ? 0 : charColumns(piece));

// Characters and escape sequences, one at a time (only for what must be looked at one by one).
export function piecesOf(text: string): string[] {
  return text.match(PIECE) ?? [];
}

