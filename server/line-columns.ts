/** The caller's width a door reports, as the `COLUMNS` header says it. */
import { DEFAULT_COLUMNS, clampColumns } from '../common/terminal-columns.js';
import type { Line } from './line.js';

/** The width to send with `line`'s next request: what its door knows, clamped to 20..250, else 80. */
export function columnsOf(line: Line): number {
  return clampColumns(line.columns?.()) ?? DEFAULT_COLUMNS;
}
