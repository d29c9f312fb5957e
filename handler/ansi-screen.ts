/**
 * ANSI art screens, `NAME.ans`: CP437 bytes with ANSI colour (SGR), as classic BBS art is drawn,
 * decoded to Unicode when the folder is read and usable anywhere a `.txt` is. Only colour is
 * allowed: an escape that moves the cursor, clears the screen or retitles the window is a problem,
 * but for cursor forward (`ESC[nC`), which art editors (TheDraw, PabloDraw, Moebius) save for a run
 * of spaces and which is read as those spaces. Art is shown as drawn, never word-wrapped.
 */
import { decodeCp437 } from '../common/cp437.js';
import { PLACEHOLDER, type PlaceholderUse, type ScreenProblem } from './screen-markup.js';
import type { ScreenFile } from './screen-file.js';

const SUB = 0x1a;
const RESET = '\x1b[0m';
// An escape sequence as terminals read one: CSI with its parameters, or ESC and one character.
const ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\s\S]?)/g;
const SGR = /^\x1b\[[0-9;]*m$/;
// Cursor forward over what is already blank: the spaces it stands for (ESC[C is one).
const CURSOR_FORWARD = /\x1b\[(\d*)C/g;
// More than this is no run of spaces on any terminal (the widest honoured is 250 columns).
const MAX_FORWARD = 250;

/** Reads a `.ans` file's bytes into a screen; every escape that is not a colour is added to `problems`. */
export function parseAnsiScreen(name: string, file: string, bytes: Uint8Array, problems: ScreenProblem[]): ScreenFile {
  // Ctrl-Z ends the art: a SAUCE record (title, author) may follow it.
  const end = bytes.indexOf(SUB);
  const text = decodeCp437(end < 0 ? bytes : bytes.subarray(0, end))
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '');
  const placeholders: PlaceholderUse[] = [];
  let coloured = false;
  const lines = text.split('\n').map((raw, index) => {
    const line = raw.replace(CURSOR_FORWARD, (whole, count: string) => {
      const n = count === '' ? 1 : Number(count);
      return n <= MAX_FORWARD ? ' '.repeat(Math.max(n, 1)) : whole;
    });
    const nul = raw.indexOf('\u0000');
    if (nul >= 0) problems.push({ file, line: index + 1, message: `a NUL byte (0x00) at column ${nul + 1}: terminals draw nothing for it, so what follows would be out of place; save the art with spaces` });
    for (const match of line.matchAll(ESCAPE)) {
      if (SGR.test(match[0])) {
        coloured = true;
        continue;
      }
      problems.push({ file, line: index + 1, message: `escape sequence ${shown(match[0])} is not a colour (SGR, ESC[...m): an .ans screen may colour text, but not move the cursor, clear the screen or set the title` });
    }
    for (const match of line.matchAll(PLACEHOLDER)) placeholders.push({ key: match[1] ?? '', line: index + 1 });
    return line;
  });
  const art = lines.join('\n');
  // Colour never runs on into whatever the caller sees next.
  return { name, file, text: coloured && !art.endsWith(RESET) ? art + RESET : art, placeholders, placement: undefined, art: true };
}

/** An escape sequence as a sysop can read it in a message: `ESC[2J`. */
function shown(sequence: string): string {
  return `"${sequence.replace(/\x1b/g, 'ESC').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}
