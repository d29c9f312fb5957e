/** Listings as the sysop's terminal shows them: columns padded to their widest cell, callers' text escaped. */
import { escapeForTerminal } from '../common/terminal-safe.js';
import { textColumns } from '../common/text-columns.js';

/** `rows` under `headers`, each column as wide as its widest cell, two spaces apart. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  // A name or an address came from a caller: it must not move the sysop's cursor or hide itself.
  const safe = rows.map((row) => row.map((cell) => escapeForTerminal(cell)));
  const widths = headers.map((header, i) => Math.max(textColumns(header), ...safe.map((row) => textColumns(row[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - textColumns(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...safe.map(line)].join('\n');
}

/** `ms` as a sysop reads a call's length: `45s`, `12m 05s`, `3h 02m`, `2d 04h`. */
export function lengthOf(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${two(Math.floor(s / 3600) % 24)}h`;
}
