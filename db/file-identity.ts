/**
 * Whether the database file a connection has open is still the one at its path. A file deleted
 * or replaced under a running backend keeps taking writes through the open descriptor, and they
 * are lost when the backend stops; checking before each write turns that into a refusal.
 */
import { renameSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { BbsError } from '../common/errors.js';
import { writeRescueCopy } from './rescue-copy.js';

interface Identity {
  readonly dev: number;
  readonly ino: number;
}

const remembered = new WeakMap<Database.Database, Identity>();

function identityOf(file: string): Identity | undefined {
  try {
    const { dev, ino } = statSync(file);
    return { dev, ino };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Notes which file `db` has open, right after opening it; in-memory databases have none. */
export function rememberFile(db: Database.Database): void {
  if (db.memory) return;
  const identity = identityOf(db.name);
  if (identity !== undefined) remembered.set(db, identity);
}

/** A check to run before each write: throws BBS_ERR_DB_GONE, from then on, once the path names another file or none. */
export type FileCheck = () => void;

/**
 * Makes the write check for `db`, from the identity noted at open (or noted now). The first time
 * it finds the file gone it saves a rescue copy (see rescue-copy.ts), moves the old file's -wal
 * and -shm out of the new one's way, and says both in the error.
 */
export function fileCheck(db: Database.Database, rescue: (db: Database.Database) => string = writeRescueCopy): FileCheck {
  if (db.memory) return () => {};
  if (!remembered.has(db)) rememberFile(db);
  const expected = remembered.get(db);
  // The -wal and -shm this connection uses: while it is open nobody deletes or replaces them.
  const journals = JOURNALS.map((suffix) => ({ path: `${db.name}${suffix}`, identity: identityOf(`${db.name}${suffix}`) }));
  let gone: string | undefined;
  let moved = '';
  let copy: string | undefined;
  let error: BbsError | undefined;
  let copyTriedAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (gone === undefined) {
      const now = identityOf(db.name);
      if (expected !== undefined && now !== undefined && now.dev === expected.dev && now.ino === expected.ino) return;
      // Sticky: a file put back at the path later is still not the one this connection writes to.
      gone = `The database file ${db.name} was ${now === undefined ? 'deleted' : 'replaced'} while this backend had it open; writes are off until the backend is restarted`;
      moved = moveAside(journals);
    }
    // A copy that could not be written (a full disk) is tried again, but at most every 30 s: each
    // try copies the whole board, and the writes of every caller pass through this check.
    if (error === undefined || (copy === undefined && Date.now() - copyTriedAt >= COPY_RETRY_MS)) {
      copyTriedAt = Date.now();
      let why: string;
      try {
        copy = rescue(db);
        const stale = JOURNALS.map((suffix) => `${db.name}${suffix}`).filter((path) => journals.some((j) => j.path === path && j.identity !== undefined && sameFile(path, j.identity)));
        const first = stale.length === 0 ? '' : `delete ${stale.join(' and ')} (they belong to the old file) and `;
        why = `Everything it held is saved in ${copy}: to keep it, stop the BBS, ${first}move the copy to ${db.name}`;
      } catch (err) {
        why = `Saving a copy of what it held failed (${err instanceof Error ? err.message : String(err)}); it lives only in this running backend (pid ${process.pid}) until that copy can be made`;
      }
      error = new BbsError('BBS_ERR_DB_GONE', `${gone}. ${moved}${why}`);
    }
    throw error;
  };
}

const JOURNALS = ['-wal', '-shm'] as const;
const COPY_RETRY_MS = 30_000;

function sameFile(path: string, identity: Identity): boolean {
  const now = identityOf(path);
  return now !== undefined && now.dev === identity.dev && now.ino === identity.ino;
}

/**
 * Renames the old file's -wal and -shm (still the ones at their paths) to `...-old-<time>`: left
 * there, SQLite would lay the old board's last writes over whatever file a restarted backend finds
 * at the path. Other backends keep theirs open, and, their file having moved, never delete them.
 */
function moveAside(journals: readonly { readonly path: string; readonly identity: Identity | undefined }[]): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const done: string[] = [];
  for (const { path, identity } of journals) {
    if (identity === undefined || !sameFile(path, identity)) continue;
    try {
      renameSync(path, `${path}-old-${stamp}`);
      done.push(`${path}-old-${stamp}`);
    } catch {
      // Another backend of the same board moved it a moment ago.
    }
  }
  return done.length === 0 ? '' : `Its journal, which would spoil any file put at the path, is moved aside: ${done.join(' and ')}. `;
}
