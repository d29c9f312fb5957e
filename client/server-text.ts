/**
 * What the BBS says, made safe for the caller's terminal: colour (SGR) sequences may stay, every
 * other escape or control sequence goes, so a backend cannot move the cursor, retitle the window,
 * switch character sets or paint over the client's own lines.
 */

// ESC [ params intermediates final (CSI); ESC ] ... BEL or ST (OSC); ESC P/X/^/_ ... ST (DCS, SOS,
// PM, APC); any other ESC sequence; the 8-bit CSI; a lone ESC at the end; then C0 controls but tab
// and line feed, DEL, C1 controls, and the bidirectional overrides. One pass, so a colour sequence
// that is kept keeps its ESC.
const UNSAFE =
  /\x1b\[([0-?]*)([ -/]*)([@-~])?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?|\x9b[0-?]*[ -/]*[@-~]?|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const SGR_PARAMS = /^[0-9;:]{0,48}$/;

/** The reset that ends any colour a sanitised text turned on. */
export const RESET = '\x1b[0m';

/** Options for sanitising server text. */
export interface SanitiseOptions {
  /** Keep colour (SGR) sequences; false strips them too. */
  readonly colour: boolean;
}

/** Server text with line ends made `\n`, colour kept when asked, and every other control removed. */
export function sanitiseServerText(text: string, options: SanitiseOptions): string {
  let coloured = false;
  const cleaned = text
    .replace(/\r\n?/g, '\n')
    .replace(UNSAFE, (seq: string, params: string | undefined, intermediates: string | undefined, final: string | undefined) => {
      if (!options.colour || final !== 'm' || intermediates !== '' || params === undefined || !SGR_PARAMS.test(params)) return '';
      coloured = true;
      return seq;
    });
  return coloured ? `${cleaned}${RESET}` : cleaned;
}

/** One line of plain text with nothing but printable characters (for prompt characters and notes). */
export function plainLine(text: string, maxLength = 200): string {
  return sanitiseServerText(text, { colour: false }).replace(/[\n\t]+/g, ' ').slice(0, maxLength);
}

/** Splits sanitised text into lines, carrying colour across each break so every line stands alone. */
export function splitColouredLines(text: string): string[] {
  let active: string[] = [];
  return text.split('\n').map((line) => {
    const shown = `${active.join('')}${line}`;
    for (const [sgr] of line.matchAll(/\x1b\[([0-9;:]*)m/g)) {
      // Only the last few sequences can matter, which also keeps a hostile text from growing here.
      active = sgr === '\x1b[m' || sgr === RESET ? [] : [...active, sgr].slice(-8);
    }
    return active.length === 0 ? shown : `${shown}${RESET}`;
  });
}
