/**
 * Code page 437, the IBM PC character set classic ANSI art is drawn in: decoding a `.ans` file to
 * Unicode, and encoding text back to CP437 bytes for terminals that show CP437 (telnet TTYPE
 * `ANSI`, `PCANSI`, `SCOANSI`, SyncTERM).
 */

// Bytes 0x01..0x1F are drawn as glyphs on a PC screen; a file's tab, line ends and ESC stay controls.
const LOW = '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼';
const HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const CONTROLS_KEPT = new Set([0x09, 0x0a, 0x0d, 0x1b]);

/** The Unicode character each CP437 byte shows as. */
export const CP437: readonly string[] = Object.freeze(
  Array.from({ length: 256 }, (_, byte) => {
    if (byte < 0x20) return CONTROLS_KEPT.has(byte) ? String.fromCharCode(byte) : (LOW[byte] ?? '?');
    if (byte === 0x7f) return '⌂';
    if (byte < 0x80) return String.fromCharCode(byte);
    return HIGH[byte - 0x80] ?? '?';
  }),
);

// Only the printable half maps back: the glyphs CP437 draws at 0x01..0x1F and 0x7F (◘ ♀ ♂ ‼ ⌂ ...)
// would reach the terminal as BS, FF, VT, BEL, DEL..., so text carrying them falls back like any
// character CP437 lacks.
const TO_BYTE: ReadonlyMap<string, number> = new Map(
  CP437.flatMap((char, byte) => (byte >= 0x20 && byte !== 0x7f ? [[char, byte] as const] : [])),
);

/** Decodes CP437 bytes (a `.ans` file) to a string: every byte is one character. */
export function decodeCp437(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += CP437[byte] ?? '?';
  return out;
}

/**
 * Encodes text as CP437 bytes; a character CP437 does not have becomes what `fallback` makes of it (ASCII), else `?`.
 * A control (below 0x20, or DEL) goes as the same byte: callers pass only their own (CR LF, TAB, ESC, the editor's BS).
 */
export function encodeCp437(text: string, fallback?: (char: string) => string): Buffer {
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      out.push(code);
      continue;
    }
    const byte = TO_BYTE.get(char);
    if (byte !== undefined) out.push(byte);
    else for (const unit of fallback?.(char) ?? '?') out.push(TO_BYTE.get(unit) ?? 0x3f);
  }
  return Buffer.from(out);
}

/** What a CP437 terminal typed, as UTF-8: bytes from 0x80 up become their characters, the rest (ASCII, controls) stay as they are. */
export function typedCp437ToUtf8(bytes: Buffer): Buffer {
  if (!bytes.some((byte) => byte >= 0x80)) return bytes;
  const out: number[] = [];
  for (const byte of bytes) {
    if (byte < 0x80) out.push(byte);
    else out.push(...Buffer.from(CP437[byte] ?? '?', 'utf8'));
  }
  return Buffer.from(out);
}
