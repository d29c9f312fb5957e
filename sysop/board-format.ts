/** How the board's commands of `m2bbs sysop` print: times, message numbers, and what callers wrote made safe for the sysop's terminal (listings: text-table.ts). */
import { BbsError } from '../common/errors.js';
import { escapeForTerminal } from '../common/terminal-safe.js';
import { formatDate } from '../handler/flows/format.js';

/** A time for the text listings (`2026-12-06 15:14 UTC`), `-` for none. */
export function when(ms: number | null): string {
  return ms === null ? '-' : formatDate(ms);
}

/** A time for --json: ISO 8601, null for none. */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Text a caller wrote, as the sysop's terminal may print it (escape sequences written out, never run). */
export const safe = escapeForTerminal;

/** A message number typed as an argument; a usage error (exit 2) when it is not one. */
export function messageId(command: string, text: string): number {
  const id = /^#?(\d{1,15})$/.exec(text.trim());
  const value = id === null ? Number.NaN : Number(id[1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop: ${command} takes a message number (as messages lists them), got ${JSON.stringify(text)}`);
  return value;
}

/** The exit-3 error for something the board does not have. */
export function notFound(text: string): BbsError {
  return new BbsError('BBS_ERR_SYSOP_NOT_FOUND', `m2bbs sysop: ${text}`);
}
