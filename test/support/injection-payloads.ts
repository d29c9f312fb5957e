/**
 * Text a hostile caller writes to act on another caller's terminal or page, and the check that it
 * arrived harmless. Shared by the content-safety tests of posts and mail (display-safety.test.ts)
 * and of chat lines: reuse `INJECTION_LINE` as what one caller says and `assertHarmless` on the
 * bytes (or the decoded `msg`) another caller received, then `assertSurvives` on its text.
 */

/** Each attack on its own: what it would do on a terminal or a page. */
export const INJECTION_PAYLOADS = {
  /** Clears the screen (CSI 2 J). */
  clearScreen: '\x1b[2J',
  /** Writes "pwned" to the clipboard (OSC 52, BEL-terminated). */
  clipboard: '\x1b]52;c;cHduZWQ=\x07',
  /** Retitles the window (OSC 0). */
  title: '\x1b]0;pwned\x07',
  /** The single-character CSI (C1 0x9B) moving the cursor home. */
  c1Csi: '\u009b1;1H',
  /** A right-to-left override that turns what follows around. */
  bidiOverride: '\u202Eexe.txt',
  /** Script, had the page ever put the text in as HTML. */
  script: '<script>alert(1)</script>',
  /** Script that runs from innerHTML too (a `<script>` put in that way does not). */
  image: '<img src=x onerror=alert(2)>',
} as const;

/** One line carrying every payload, between words that must come through. */
export const INJECTION_LINE = `inject-start ${Object.values(INJECTION_PAYLOADS).join(' ')} inject-end`;

/** What must still show of INJECTION_LINE once made harmless: the printable text around the controls. */
export const SURVIVING_TEXT = ['inject-start', '[2J', ']52;c;cHduZWQ=', ']0;pwned', '1;1H', 'exe.txt', '<script>alert(1)</script>', '<img src=x onerror=alert(2)>', 'inject-end'] as const;

/** The raw byte 0x9B (not UTF-8 on its own), for a client that can send bytes as they are. */
export const RAW_C1_CSI = Buffer.from([0x9b]);

const SGR = /\x1b\[[0-9;]*m/g;
// Controls but tab, LF and CR (line ends), C1 controls, BiDi embeddings, overrides, isolates and marks.
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/u;

/**
 * Throws unless `received` is harmless: no ESC (but, with `colour`, the door's own SGR colour
 * sequences), no BEL or other control, no 0x9B byte, no U+009B or other C1 control, no BiDi control.
 */
export function assertHarmless(received: Buffer | string, options: { readonly colour?: boolean } = {}): void {
  if (Buffer.isBuffer(received) && received.includes(0x9b)) throw new Error(`a raw 0x9B byte reached the caller at ${received.indexOf(0x9b)}`);
  const text = Buffer.isBuffer(received) ? received.toString('utf8') : received;
  const checked = options.colour === true ? text.replace(SGR, '') : text;
  const found = UNSAFE.exec(checked.replace(/\x1b/g, '\u0000'));
  if (found !== null) {
    const at = found.index;
    throw new Error(`unsafe U+${(checked.codePointAt(at) ?? 0).toString(16).padStart(4, '0')} reached the caller: ${JSON.stringify(checked.slice(Math.max(0, at - 30), at + 30))}`);
  }
}

/** Throws unless every piece of SURVIVING_TEXT shows in `text`: made harmless, not thrown away. */
export function assertSurvives(text: string): void {
  // Screens are word-wrapped to the caller's width: a space may have become a line end.
  const plain = text.replace(SGR, '').replace(/\s+/g, ' ');
  const missing = SURVIVING_TEXT.filter((piece) => !plain.includes(piece));
  if (missing.length > 0) throw new Error(`missing from what the caller saw: ${JSON.stringify(missing)}`);
}
