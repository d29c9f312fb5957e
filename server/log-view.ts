/**
 * Where `m2bbs start` puts the log lines of its processes: JSON lines on stderr as they come, or,
 * for a person at a terminal, one short line each on stderr with every JSON line kept in a file.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogSink } from '../common/log.js';
import { escapeForTerminal } from '../common/terminal-safe.js';

/** Receives each log line of one source (a child, or the supervisor itself), as written. */
export interface LogOutput {
  /** A sink for the lines of `source` ('proxy', 'bbs.10', 'start'). */
  sink(source: string): LogSink;
  /** The file every JSON line also goes to, when there is one. */
  readonly file: string | undefined;
  close(): void;
}

// Fields every record has, or that only repeat who wrote it: the line shows them another way.
const SHOWN_APART = new Set(['time', 'level', 'msg', 'proxy', 'handler', 'supervisor']);

/** JSON lines on `err` unchanged. */
export function jsonLogOutput(err: LogSink): LogOutput {
  return { sink: () => err, file: undefined, close: () => undefined };
}

/**
 * Short human lines on `err` (cut to `columns` when given, but for warnings and errors, which are
 * shown whole), every line appended as it came to `file` (its folder made if need be). A file
 * that cannot be written (a full disk) is said once on `err` and never stops the BBS.
 */
export function textLogOutput(err: LogSink, file: string, columns?: number): LogOutput {
  // Caller names and addresses are in it: for the operator's eyes only, like the database.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'a', 0o600);
  let open = true;
  let failing = false;
  const keep = (text: string): void => {
    try {
      // Written at once, so nothing is lost when the supervisor exits right after.
      writeSync(fd, text);
      if (failing) err.write(`m2bbs: the log file ${file} can be written again.\n`);
      failing = false;
    } catch (error) {
      if (!failing) err.write(`m2bbs: cannot write the log file ${file} (${(error as Error).message}); log lines are shown here only until it can.\n`);
      failing = true;
    }
  };
  return {
    file,
    sink: (source) => ({
      write(text: string) {
        if (open) keep(text);
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const { text: shown, loud } = render(line, source);
          const safe = withoutControls(shown);
          err.write(`${loud ? safe : fit(safe, columns)}\n`);
        }
        return true;
      },
    }),
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** One JSON log line as "01:02:03 bbs.10  msg key=value"; a line that is not JSON stays as it is. */
export function renderLogLine(line: string, source: string): string {
  return withoutControls(render(line, source).text);
}

// Callers' words reach the log (names, message types, Host headers): on the sysop's terminal a
// control or format character is shown as an escape, never obeyed or drawn (no cleared screen, title
// or clipboard write, no text turned around by a BiDi override). The JSON line had them escaped; the
// record read back has them again.
const withoutControls = escapeForTerminal;

// `loud`: a warning, an error, or a line that is not a record (a child's last words): shown whole.
function render(line: string, source: string): { text: string; loud: boolean } {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { text: line, loud: true };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return { text: line, loud: true };
  const r = record as Record<string, unknown>;
  const time = typeof r.time === 'string' ? clock(r.time) : '';
  const loud = r.level === 'warn' || r.level === 'error';
  const level = loud ? `${String(r.level).toUpperCase()} ` : '';
  // Lists and objects (bound endpoints, error stacks) are for the file; the line keeps a message.
  const fields = Object.entries(r)
    .filter(([key, value]) => !SHOWN_APART.has(key) && (typeof value !== 'object' || value === null || isErrorLike(value)))
    .map(([key, value]) => `${key}=${show(value)}`);
  return { text: [`${time} ${source.padEnd(7)} ${level}${String(r.msg ?? '')}`, ...fields].join(' ').trimStart(), loud };
}

function fit(line: string, columns: number | undefined): string {
  return columns === undefined || line.length <= columns ? line : `${line.slice(0, Math.max(0, columns - 1))}…`;
}

function isErrorLike(value: object): value is { message: string } {
  return 'message' in value && typeof value.message === 'string';
}

// Local time of day: the date is in the file, a person watching knows what day it is.
function clock(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null && isErrorLike(value)) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}
