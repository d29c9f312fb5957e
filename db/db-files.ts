/**
 * The database's files on disk: its folder (0700 when m2bbs makes it), the file itself (0600, as
 * are the -wal and -shm SQLite makes from its mode; they hold password hashes), and a marker that
 * says a board was created here, so that a missing database is refused rather than replaced by an
 * empty one.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BbsError } from '../common/errors.js';

/** Mode of the folder m2bbs creates for a database. */
export const FOLDER_MODE = 0o700;
/** Mode of the database file m2bbs creates (SQLite gives its -wal and -shm the same). */
export const FILE_MODE = 0o600;

/** The marker next to `file` that says m2bbs created a database there. */
export function markerOf(file: string): string {
  return `${file}-created`;
}

const RESCUED = '.rescued-';

/** Where a rescue copy of `file` made at `now` by process `pid` goes: beside it, never at its path. */
export function rescuePath(file: string, now: Date = new Date(), pid: number = process.pid): string {
  // A file name without ':' so the copy can be moved anywhere; sorted by name is sorted by time.
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${file}${RESCUED}${stamp}-${pid}`;
}

/** Rescue copies beside `file`, oldest first (by name, which holds the time). */
export function rescueCopiesOf(file: string): string[] {
  const prefix = `${basename(file)}${RESCUED}`;
  // Only the copies themselves: not the -wal, -shm or marker of a copy someone opened where it lies.
  const copy = /^\d{4}-\d\d-\d\dT[\d-]+Z-\d+$/;
  try {
    return readdirSync(dirname(file))
      .filter((name) => name.startsWith(prefix) && copy.test(name.slice(prefix.length)))
      .sort()
      .map((name) => join(dirname(file), name));
  } catch {
    return [];
  }
}

/** Makes the folder of `file` if it is missing, 0700 whatever the umask; a folder that exists is left as it is. */
export function prepareFolder(file: string): void {
  const dir = dirname(file);
  if (existsSync(dir)) return;
  const first = mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  // mkdir applies the umask; set the mode of every folder made here explicitly, and only those.
  for (let made = dir; first !== undefined; made = dirname(made)) {
    chmodSync(made, FOLDER_MODE);
    if (made === first || dirname(made) === made) break;
  }
}

/**
 * Makes sure `file` exists before SQLite opens it: creates it empty (a valid empty database) with
 * mode 0600 on the very first start, and refuses when a database was there before and is gone.
 */
export function ensureDatabaseFile(file: string): void {
  const marker = markerOf(file);
  const leftovers = [...[marker, `${file}-wal`, `${file}-shm`].filter((path) => existsSync(path)), ...rescueCopiesOf(file)];
  if (existsSync(file)) {
    // Only with the marker, written once the board was set up: backends starting together on a
    // new file may see it empty, with a -wal, while the first of them sets it up.
    if (leftovers.includes(marker)) checkHeader(file, leftovers);
    return;
  }
  if (leftovers.length > 0) throw missingDatabase(file, leftovers);
  let fd: number;
  try {
    fd = openSync(file, 'wx', FILE_MODE);
  } catch (err) {
    // Another backend started at the same moment made it first: that one is ours too.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    chmodSync(file, FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Writes the marker once the database is usable; a marker already there is kept. */
export function writeMarker(file: string, now: Date = new Date()): void {
  const text =
    `m2bbs opened the database ${basename(file)} in this folder first on ${now.toISOString()}.\n` +
    `While this file is here, m2bbs refuses to start if ${basename(file)} is missing, rather than\n` +
    `start an empty board in its place. Restore the database, or delete this file to start anew.\n`;
  try {
    writeFileSync(markerOf(file), text, { flag: 'wx', mode: FILE_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses a file at the path that is empty or no SQLite database where a board was (a copy cut
 * short on a full disk, a file put there by mistake): SQLite would take a short one for an empty
 * database and lay the old -wal over it, or start an empty board.
 */
function checkHeader(file: string, leftovers: readonly string[]): void {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let read = 0;
  const fd = openSync(file, 'r');
  try {
    read = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read === head.length && head.equals(SQLITE_HEADER)) return;
  const what = read === 0 ? 'is empty' : 'is not an SQLite database';
  const copies = rescueCopiesOf(file);
  const latest = copies[copies.length - 1];
  const restore = latest === undefined ? `Put the board's database back at ${file}` : `Put the board back: ${staleJournal(file)}move ${latest} to ${file}`;
  throw new BbsError(
    'BBS_ERR_DB_NOT_SQLITE',
    `m2bbs: the database ${file} ${what}, but ${leftovers.join(' and ')} say${leftovers.length === 1 ? 's' : ''} a board was there; ` +
      `not starting on it. ${restore}, or, to start a new empty board, ${clearAway([file, ...leftovers])}.`,
  );
}

function missingDatabase(file: string, leftovers: readonly string[]): BbsError {
  const marker = markerOf(file);
  let since = '';
  if (leftovers.includes(marker)) {
    const match = /first on (\S+)\./.exec(safeRead(marker));
    since = match === null ? '' : ` (first opened ${match[1]})`;
  }
  const copies = rescueCopiesOf(file);
  const latest = copies[copies.length - 1];
  const restore = latest === undefined ? `Restore ${file}` : `Restore ${file} (a running backend saved a copy when it went: ${staleJournal(file)}move ${latest} to ${file})`;
  return new BbsError(
    'BBS_ERR_DB_MISSING',
    `m2bbs: the database ${file} is missing, but ${leftovers.join(' and ')} say${leftovers.length === 1 ? 's' : ''} a board${since} was there; ` +
      `not starting an empty one in its place. ${restore}, or, to start a new empty board, ${clearAway(leftovers)}.`,
  );
}

/** "delete X-wal and X-shm, which belong to the old file, and " for those there, or nothing. */
function staleJournal(file: string): string {
  const stale = [`${file}-wal`, `${file}-shm`].filter((path) => existsSync(path));
  return stale.length === 0 ? '' : `delete ${stale.join(' and ')}, which belong${stale.length === 1 ? 's' : ''} to the old file, and `;
}

/** "delete A and B" for the files that say a board was here, "move C elsewhere" for its copies. */
function clearAway(paths: readonly string[]): string {
  const copies = paths.filter((path) => basename(path).includes(RESCUED));
  const others = paths.filter((path) => !copies.includes(path));
  const steps = [others.length > 0 ? `delete ${others.join(' and ')}` : '', copies.length > 0 ? `move ${copies.join(' and ')} elsewhere` : ''];
  return steps.filter((step) => step !== '').join(' and ');
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
