/** How dates, and the bodies of messages and mail, read on screen; pure, so flows stay deterministic. */

/** Formats ms since the epoch as `2026-11-22 04:54 UTC`. */
export function formatDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

// A line of a shown message or mail that starts as the shipped screens' headers do (`--- #12 from`);
// or, after a space, where the screen's word wrap may start a row, a header's very look (`--- #`, `--- [`).
const LOOKS_LIKE_HEADER = /^---|(?<=\s)(?=-{3,}\s*[#[])/gm;

/**
 * A message's or a mail's body as readers see it: a line of it starting `---`, as every header of
 * the shipped screens does, is shown after a `|`, and so is a header's look (`--- #`, `--- [`) after
 * a space, where wrapping may begin a row: nobody can write what reads as another message from
 * someone else (a hostile tester's "--- #99 from sysop" asking readers for passwords).
 */
export function bodyShown(body: string): string {
  return body.replace(LOOKS_LIKE_HEADER, (found) => (found === '' ? '| ' : '| ---'));
}
