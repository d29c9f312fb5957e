/**
 * The database holds password hashes: the folder m2bbs makes is 0700, and the database, its -wal,
 * -shm and marker are 0600, whatever the umask. A folder the sysop made is left as it is.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { markerOf } from '../db/db-files.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';

const T0 = 1_700_000_000_000;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-dbm-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** Runs `action` with the process umask at `mask`, as a careless service manager might set it. */
function withUmask<T>(mask: number, action: () => T): T {
  const before = process.umask(mask);
  try {
    return action();
  } finally {
    process.umask(before);
  }
}

describe('file modes', () => {
  it('with umask 000, new folders are 0700 and the database, -wal, -shm and marker 0600', () => {
    const base = tempDir();
    const file = join(base, 'data', 'board', 'bbs.db');
    const store = withUmask(0o000, () => {
      const opened = createStore(openDatabase(file));
      // A write makes SQLite create the -wal and -shm (it gives them the database's mode).
      opened.createCaller('alice', 'hash', T0);
      return opened;
    });
    onTestFinished(() => store.close());
    expect(modeOf(join(base, 'data'))).toBe('700');
    expect(modeOf(join(base, 'data', 'board'))).toBe('700');
    for (const path of [file, `${file}-wal`, `${file}-shm`, markerOf(file)]) expect([path, modeOf(path)]).toEqual([path, '600']);
  });

  it('a folder that already exists keeps the mode its owner gave it', () => {
    const shared = join(tempDir(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    const file = join(shared, 'bbs.db');
    const store = createStore(openDatabase(file));
    onTestFinished(() => store.close());
    store.createCaller('alice', 'hash', T0);
    expect(modeOf(shared)).toBe('755');
    expect(modeOf(file)).toBe('600');
    expect(modeOf(`${file}-wal`)).toBe('600');
  });
});
