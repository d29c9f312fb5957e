/**
 * A caller's terminal width, as the proxy tells backends in the `COLUMNS` header and clients tell
 * the proxy: one rule for every door and the backend, clamped to 20..250, 80 when unknown.
 */

/** The width a caller is taken to have when nobody says (a client behind a real Mongrel2). */
export const DEFAULT_COLUMNS = 80;
/** The narrowest width honoured: narrower is taken as this. */
export const MIN_COLUMNS = 20;
/** The widest width honoured: wider is taken as this. */
export const MAX_COLUMNS = 250;

/** A width as given (`60`, or `"60"` from a header), clamped to 20..250; undefined when it is not a positive integer. */
export function clampColumns(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n <= 0) return undefined;
  return Math.min(MAX_COLUMNS, Math.max(MIN_COLUMNS, n));
}
