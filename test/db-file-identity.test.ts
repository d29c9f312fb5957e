/**
 * A database file deleted or replaced under an open store: writes are refused from then on, and
 * a later start refuses to put an empty database in its place. Real SQLite files in a temp folder.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { markerOf, rescueCopiesOf } from '../db/db-files.js';
import { fileCheck } from '../db/file-identity.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';

const T0 = 1_700_000_000_000;

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-dbi-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'bbs.db');
}

function storeOn(file: string): Store {
  const store = createStore(openDatabase(file));
  onTestFinished(() => {
    try {
      store.close();
    } catch {
      // Already closed by the test.
    }
  });
  return store;
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return err;
  }
  throw new Error('Expected an error, got none');
}

describe('the database file goes away under a running store', () => {
  it('deleted: every later write is refused with BBS_ERR_DB_GONE, even once a copy is put back; reads go on', () => {
    const file = tempFile();
    const store = storeOn(file);
    const alice = store.createCaller('alice', 'hash', T0).id;
    expect(store.postMessage(alice, 'before', T0)).toBe(1);
    copyFileSync(file, `${file}.backup`);

    rmSync(file);
    const err = thrown(() => store.postMessage(alice, 'after', T0));
    expect(isBbsError(err, 'BBS_ERR_DB_GONE')).toBe(true);
    expect((err as Error).message).toContain(`${file} was deleted`);
    expect(isBbsError(thrown(() => store.createCaller('bob', 'hash', T0)), 'BBS_ERR_DB_GONE')).toBe(true);
    expect(store.countMessages()).toBe(1);

    copyFileSync(`${file}.backup`, file);
    expect(isBbsError(thrown(() => store.mail.send(alice, alice, 'hi', T0)), 'BBS_ERR_DB_GONE')).toBe(true);
  });

  it('the first refusal saves a 0600 copy of everything the store still reads, beside the path, and names it', () => {
    const file = tempFile();
    const store = storeOn(file);
    const alice = store.createCaller('alice', 'hash', T0).id;
    store.postMessage(alice, 'keep me', T0);
    rmSync(file);
    const message = (thrown(() => store.postMessage(alice, 'after', T0)) as Error).message;
    const copies = rescueCopiesOf(file);
    expect(copies).toHaveLength(1);
    expect(message).toContain(`Everything it held is saved in ${copies[0]}`);
    expect(statSync(copies[0]!).mode & 0o777).toBe(0o600);
    const copy = createStore(openDatabase(copies[0]!));
    expect(copy.findCaller('alice')?.name).toBe('alice');
    expect(copy.listMessages(0, 10).map((m) => m.body)).toEqual(['keep me']);
    copy.close();
    // Later refusals name the same copy; no second one is made.
    expect((thrown(() => store.postMessage(alice, 'again', T0)) as Error).message).toBe(message);
    expect(rescueCopiesOf(file)).toHaveLength(1);
  });

  it('deleted and never written to again: close saves the copy, and the refusal to start names it', () => {
    const file = tempFile();
    const store = storeOn(file);
    store.createCaller('alice', 'hash', T0);
    rmSync(file);
    expect(store.fileGone()?.code).toBe('BBS_ERR_DB_GONE');
    store.close();
    const [copy] = rescueCopiesOf(file);
    expect(copy).toBeDefined();
    const err = thrown(() => openDatabase(file)) as Error;
    expect(err.message).toContain(`move ${copy} to ${file}`);
  });

  it('the folder removed with the file: the copy makes it again (0700), and a restart refuses the empty folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-dbi-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'data', 'bbs.db');
    const store = storeOn(file);
    const alice = store.createCaller('alice', 'hash', T0).id;
    store.postMessage(alice, 'keep me', T0);
    rmSync(join(dir, 'data'), { recursive: true });
    const message = (thrown(() => store.postMessage(alice, 'after', T0)) as Error).message;
    const [copy] = rescueCopiesOf(file);
    expect(message).toContain(`Everything it held is saved in ${copy}`);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    store.close();

    const err = thrown(() => openDatabase(file)) as Error;
    expect(isBbsError(err, 'BBS_ERR_DB_MISSING')).toBe(true);
    expect(err.message).toContain(`the database ${file} is missing, but ${copy} says a board was there`);
    expect(err.message).toContain(`, or, to start a new empty board, move ${copy} elsewhere.`);
    expect(existsSync(file)).toBe(false);
  });

  it('replaced by another file: writes are refused', () => {
    const file = tempFile();
    const store = storeOn(file);
    const alice = store.createCaller('alice', 'hash', T0).id;
    writeFileSync(`${file}.new`, '');
    renameSync(`${file}.new`, file);
    const err = thrown(() => store.postToWall('oneliners', alice, 'hi', T0));
    expect(isBbsError(err, 'BBS_ERR_DB_GONE')).toBe(true);
    expect((err as Error).message).toContain(`${file} was replaced`);
  });
});

describe('starting on a folder whose database is missing', () => {
  it('the very first start creates the database and a marker that explains itself', () => {
    const file = tempFile();
    storeOn(file).close();
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(markerOf(file), 'utf8')).toContain('refuses to start if bbs.db is missing');
  });

  it('refuses to start an empty board where one was, naming the file and both ways on; deleting the marker starts anew', () => {
    const file = tempFile();
    const first = storeOn(file);
    first.createCaller('alice', 'hash', T0);
    first.close();
    rmSync(file);

    const err = thrown(() => openDatabase(file));
    expect(isBbsError(err, 'BBS_ERR_DB_MISSING')).toBe(true);
    expect((err as Error).message).toContain(`the database ${file} is missing, but ${markerOf(file)} says a board`);
    expect((err as Error).message).toContain(`Restore ${file}, or, to start a new empty board, delete ${markerOf(file)}.`);
    expect(existsSync(file)).toBe(false);

    rmSync(markerOf(file));
    const fresh = storeOn(file);
    expect(fresh.findCaller('alice')).toBeUndefined();
    expect(existsSync(markerOf(file))).toBe(true);
  });

  it('a -wal left without its database (a board from before the marker) is refused too', () => {
    const file = tempFile();
    writeFileSync(`${file}-wal`, '');
    const err = thrown(() => openDatabase(file));
    expect(isBbsError(err, 'BBS_ERR_DB_MISSING')).toBe(true);
    expect((err as Error).message).toContain(`${file}-wal says a board was there`);
  });

  it('a database from before the marker gets one when opened', () => {
    const file = tempFile();
    storeOn(file).close();
    rmSync(markerOf(file));
    storeOn(file).close();
    expect(existsSync(markerOf(file))).toBe(true);
  });
});

describe('starting on a folder whose database file is empty or not SQLite', () => {
  it.each([
    ['empty (a copy cut short)', '', 'is empty'],
    ['a short file of text', 'junk junk\n', 'is not an SQLite database'],
    ['a long file of text', 'x'.repeat(8192), 'is not an SQLite database'],
  ])('%s where a board was: refused, naming the file, the rescue copy and both ways on', (_, text, said) => {
    const file = tempFile();
    const first = storeOn(file);
    first.createCaller('alice', 'hash', T0);
    rmSync(file);
    first.close();
    const [copy] = rescueCopiesOf(file);
    writeFileSync(file, text);

    const err = thrown(() => openDatabase(file));
    expect(isBbsError(err, 'BBS_ERR_DB_NOT_SQLITE')).toBe(true);
    expect((err as Error).message).toContain(`the database ${file} ${said}, but ${markerOf(file)}`);
    expect((err as Error).message).toContain(`move ${copy} to ${file}, or, to start a new empty board, delete ${file} and ${markerOf(file)}`);
    expect((err as Error).message.endsWith(` and move ${copy} elsewhere.`)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a real database is opened as ever, and a new folder still starts on an empty file', () => {
    const file = tempFile();
    storeOn(file).createCaller('alice', 'hash', T0);
    expect(storeOn(file).findCaller('alice')?.name).toBe('alice');
    const fresh = tempFile();
    writeFileSync(fresh, '');
    expect(storeOn(fresh).countMessages()).toBe(0);
  });
});

describe('a rescue copy that cannot be written', () => {
  it('is not tried again at every write: each try copies the whole board', () => {
    const file = tempFile();
    const db = openDatabase(file);
    onTestFinished(() => {
      db.close();
    });
    let tries = 0;
    const check = fileCheck(db, () => {
      tries++;
      throw new Error('ENOSPC: no space left on device');
    });
    rmSync(file);
    for (let write = 0; write < 5; write++) {
      const err = thrown(check);
      expect(isBbsError(err, 'BBS_ERR_DB_GONE')).toBe(true);
      expect((err as Error).message).toContain('Saving a copy of what it held failed (ENOSPC');
    }
    expect(tries).toBe(1);
  });
});
