/** How dates read on screen; pure, so flows stay deterministic. */

/** Formats ms since the epoch as `2026-11-22 04:54 UTC`. */
export function formatDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
