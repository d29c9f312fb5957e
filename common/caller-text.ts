/**
 * What a caller types is shown to other callers (posts, mail, one-liners), so nothing in it may act
 * on another caller's terminal or page: control characters (terminal escape sequences, C1 controls
 * such as 0x9B, the single-byte CSI) and the invisible format characters that reorder or hide text.
 */

// C0 and C1 control characters other than tab and newline, which splitLines deals with itself.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Invisible characters that change how the text around them reads: Unicode's default-ignorable
// code points (what a font draws as nothing: BiDi embeddings, overrides, isolates and marks, which
// turn "fdp.exe" around; zero-width spaces and joiners; the word joiner and invisible operators;
// the byte order mark; soft hyphens; Hangul fillers; variation selectors; tag characters, which
// smuggle invisible text inside visible text), every other format character (the Arabic number
// signs and the like, which change the look of what follows), line and paragraph separators (a
// terminal may break the line there) and interlinear annotations. Emoji drawn with
// a joiner or a variation selector come out as their parts, which is the price of reading true.
const INVISIBLE_FORMAT = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2028\u2029]/gu;

/** `text` without control characters or invisible format characters; tabs become spaces. */
export function neutraliseCallerText(text: string): string {
  return text.replace(/\t/g, ' ').replace(CONTROL_CHARS, '').replace(INVISIBLE_FORMAT, '');
}

/**
 * `text` without invisible format characters, for text that reaches a caller through a screen's
 * placeholder: what was stored before those characters were dropped on input is shown without them.
 */
export function withoutInvisibleFormat(text: string): string {
  return text.replace(INVISIBLE_FORMAT, '');
}
