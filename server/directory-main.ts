/** `m2bbs directory [HOST[:PORT]]`: prints the proxy's directory of backend numbers as a table. */
import { BbsError } from '../common/errors.js';
import { parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import type { DirectoryEntry } from './line.js';

/** The flags of `m2bbs directory`. */
export const DIRECTORY_FLAGS = {
  json: { kind: 'boolean', help: 'print the directory as the proxy sends it (JSON) instead of a table' },
} as const satisfies FlagTable;

/** What `m2bbs directory --help` prints, generated from its flag table. */
export const DIRECTORY_USAGE = usageText(
  'm2bbs directory [HOST[:PORT]] [flags]',
  `Asks a running m2bbs proxy (default 127.0.0.1:6767) for its directory: every backend number,
whether it is up, draining (taking no new calls) or DOWN, its lines in use and free, and when it
was last heard from.`,
  DIRECTORY_FLAGS,
);

/** Fetches and prints the directory. */
export async function runDirectory(argv: readonly string[]): Promise<void> {
  const { values, positionals, problems } = parseTable('m2bbs directory', DIRECTORY_USAGE, DIRECTORY_FLAGS, argv, process.env, 1);
  problems.check('m2bbs directory');
  const { json } = values;
  const target = positionals[0] ?? '127.0.0.1:6767';
  const address = target.includes(':') ? target : `${target}:6767`;
  const url = `http://${address}/directory`;
  let body: { numbers: DirectoryEntry[]; at: string };
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new BbsError('BBS_ERR_UNREACHABLE', `m2bbs directory: no m2bbs proxy answered at ${url} (${(error as Error).message})`, { cause: error });
  }
  if (json) {
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  console.log(formatDirectory(body.numbers, Date.parse(body.at)));
}

/** The directory as an aligned text table. */
export function formatDirectory(numbers: readonly DirectoryEntry[], now: number): string {
  const rows = [
    ['NUMBER', 'STATE', 'LINES', 'IN USE', 'FREE', 'LAST HEARD'],
    ...numbers.map((n) => [
      n.route,
      n.draining === true ? 'draining' : n.up ? 'up' : 'DOWN',
      n.lines === null ? '?' : String(n.lines),
      String(n.inUse),
      n.free === null ? '?' : String(n.free),
      n.lastHeard === null ? 'never' : `${Math.max(0, Math.round((now - Date.parse(n.lastHeard)) / 1000))} s ago`,
    ]),
  ];
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd()).join('\n');
}
