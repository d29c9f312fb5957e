/**
 * Text the sysop wrote in a screens folder (a menu's title, its entries' labels), with the colour
 * its markup rendered: filled into a screen as it is, where every other value is made display-safe.
 */

// Not a registered symbol and never in JSON: no text from a caller, a row or the bus can carry it,
// so only code that imports this module can mark text as the sysop's.
const SYSOP = Symbol('sysop text');

/** Text from the sysop's own files, trusted with colour (see sysopText). */
export interface SysopText {
  readonly [SYSOP]: string;
}

/** Marks `text` as the sysop's: only for text read from the screens folder, never for anything a caller wrote. */
export function sysopText(text: string): SysopText {
  return Object.freeze({ [SYSOP]: text });
}

/** The sysop's text inside `value`, or undefined when `value` is anything else (a caller's text, a number). */
export function sysopTextOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && SYSOP in value ? (value as SysopText)[SYSOP] : undefined;
}
