/**
 * What a caller types is shown to other callers (posts, mail, one-liners), so nothing in it may act
 * on another caller's terminal or page: control characters (terminal escape sequences, C1 controls
 * such as 0x9B, the single-byte CSI) and the invisible format characters that reorder or hide text.
 */

// C0 and C1 control characters other than tab and newline, which splitLines deals with itself.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Invisible characters that change how the text around them reads: BiDi embeddings, overrides,
// isolates and marks (U+202E turns "exe.txt" around), zero-width spaces and joiners, the word
// joiner and invisible operators, the byte order mark, the Mongolian vowel separator, deprecated
// format controls, line and paragraph separators (a terminal may break the line there),
// interlinear annotations, and the tag characters (invisible text smuggled inside visible text).
const INVISIBLE_FORMAT =
  /[\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|\u{e0001}|[\u{e0020}-\u{e007f}]/gu;

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
