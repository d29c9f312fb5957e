/**
 * The one choke point for text one caller wrote that another caller sees: every value filled into
 * a screen's placeholders passes here (handler/screen-markup.ts), so a post, a mail, a chat line
 * or a name can never paint over, retitle, move the cursor of or set the clipboard of another
 * caller's terminal, nor reorder or hide what it shows. Screens themselves (a sysop's colour and
 * ANSI art) do not pass here.
 */

// C0 controls but tab and newline (ESC starts every escape sequence: CSI, OSC 0 titles, OSC 52
// clipboard writes; CR rewrites the line), DEL, and C1 controls (U+009B is a one-character CSI on
// some terminals, U+009D an OSC).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Invisible characters that change how the text around them reads: format characters (BiDi
// embeddings, overrides and isolates U+202A..U+202E and U+2066..U+2069, which turn "fdp.exe"
// around; LRM, RLM and ALM; zero-width spaces and joiners; the byte order mark; the Arabic number
// signs), every other default-ignorable code point (soft hyphens, Hangul fillers, variation
// selectors, tag characters that smuggle invisible text), and line and paragraph separators (a
// terminal may break the line there). Emoji drawn with a joiner come out as their parts.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2028\u2029]/gu;

// Combining marks stacked on one character past what any script writes ("Zalgo" text: a letter
// with dozens of accents draws over the lines above and below it in most terminals): the first
// MAX_MARKS are kept. Vietnamese stacks two, Indic and Tibetan clusters up to four.
const MAX_MARKS = 4;
const STACKED_MARKS = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');

/** `text` without control characters (but `\n` and `\t`), escape sequences' ESC, invisible format characters, or more than 4 combining marks in a row. */
export function displaySafe(text: string): string {
  return text.replace(CONTROLS, '').replace(INVISIBLE, '').replace(STACKED_MARKS, '$1');
}
