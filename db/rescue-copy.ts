/**
 * A copy of a board whose file was deleted or replaced under a running backend. The backend's
 * open descriptor is then the only place everything callers wrote still lives, and it is gone
 * for good once the backend stops; so, as soon as the loss is noticed, the backend writes what it
 * still reads to a new file beside the old path, for the sysop to put back.
 */
import { chmodSync, closeSync, openSync, rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { FILE_MODE, prepareFolder, rescuePath } from './db-files.js';

/**
 * Writes everything `db` can still read to a new file (mode 0600: it holds password hashes) and
 * returns its path, or throws why it could not (a full disk, say); a half-written copy is removed.
 */
export function writeRescueCopy(db: Database.Database, now: Date = new Date()): string {
  const target = rescuePath(db.name, now);
  // A folder removed with the file is made again (0700): the copy, beside the path, then also
  // keeps a restarted backend from taking the empty folder for a first start.
  prepareFolder(db.name);
  // VACUUM INTO accepts an empty file: made first, with the mode, so it is never readable to others.
  closeSync(openSync(target, 'wx', FILE_MODE));
  try {
    chmodSync(target, FILE_MODE);
    db.prepare('VACUUM INTO ?').run(target);
    return target;
  } catch (err) {
    rmSync(target, { force: true });
    throw err;
  }
}
