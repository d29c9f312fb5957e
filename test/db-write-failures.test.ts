/**
 * A store write that SQLite does not commit throws a BbsError saying so, and never hands out a
 * number: real SQLite files in a temp folder, made unwritable with chattr +i (the one thing that
 * stops root) or full with a size cap (max_page_count, what a full disk looks like to SQLite).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { isWriteFailure, sqliteCodeOf } from '../db/write-failure.js';
import { immutableUnsupported, makeImmutable } from './support/immutable-files.js';

const T0 = 1_700_000_000_000;

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-dbw-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'bbs.db');
}

function storeOn(file: string, maxBytes?: number): Store {
  const store = createStore(openDatabase(file, maxBytes === undefined ? {} : { maxBytes }));
  onTestFinished(() => store.close());
  return store;
}

/** What a write threw: its code and the SQLite code behind it. */
function failureOf(write: () => unknown): { code: string; sqlite: string | undefined } {
  try {
    write();
  } catch (err) {
    if (!isWriteFailure(err)) throw err;
    return { code: err.code, sqlite: sqliteCodeOf(err) };
  }
  throw new Error('Expected the write to fail, it was stored');
}

describe.skipIf(immutableUnsupported !== undefined)('an unwritable database file (chattr +i)', () => {
  it('a post whose commit fails is refused, and its number is not handed out (the reported bug)', () => {
    const file = tempFile();
    const store = storeOn(file);
    const author = store.createCaller('alice', 'hash', T0).id;
    expect(store.postMessage(author, 'first', T0)).toBe(1);

    // In WAL mode a commit writes the -wal file: immutable, the commit fails after the INSERT
    // has run, which `.get()` on INSERT ... RETURNING used to ignore and report number 2.
    const undo = makeImmutable(`${file}-wal`);
    onTestFinished(undo);
    expect(failureOf(() => store.postMessage(author, 'lost?', T0))).toEqual({ code: 'BBS_ERR_DB_WRITE', sqlite: expect.stringMatching(/^SQLITE_IOERR/) });
    expect(failureOf(() => store.postMessage(author, 'lost again?', T0)).code).toBe('BBS_ERR_DB_WRITE');
    expect(store.countMessages()).toBe(1);

    undo();
    expect(store.postMessage(author, 'second', T0)).toBe(2);
    expect(store.listMessages(0, 10).map((m) => [m.id, m.body])).toEqual([[1, 'first'], [2, 'second']]);
  });

  it('a backend started on an immutable file takes no write and says so, for every kind of write', () => {
    const file = tempFile();
    const first = storeOn(file);
    const alice = first.createCaller('alice', 'hash', T0).id;
    const bob = first.createCaller('bob', 'hash', T0).id;
    first.close();

    const undo = makeImmutable(file);
    onTestFinished(undo);
    const store = storeOn(file);
    expect(failureOf(() => store.postMessage(alice, 'hello', T0)).code).toBe('BBS_ERR_DB_WRITE');
    expect(failureOf(() => store.createCaller('carol', 'hash', T0)).code).toBe('BBS_ERR_DB_WRITE');
    expect(failureOf(() => store.mail.send(alice, bob, 'hi', T0)).code).toBe('BBS_ERR_DB_WRITE');
    expect(failureOf(() => store.postToWall('oneliners', alice, 'hi', T0)).code).toBe('BBS_ERR_DB_WRITE');
    expect(failureOf(() => store.recordCall(alice, T0)).code).toBe('BBS_ERR_DB_WRITE');
    // Reading goes on.
    expect(store.findCaller('bob')?.id).toBe(bob);
    expect(store.countMessages()).toBe(0);
  });
});

describe('a full database (--db-max-size, as a full disk)', () => {
  it('refuses the post that does not fit, hands out no number, and stores the next one once there is room', () => {
    const file = tempFile();
    const setup = storeOn(file);
    const alice = setup.createCaller('alice', 'hash', T0).id;
    const bob = setup.createCaller('bob', 'hash', T0).id;
    setup.close();

    // The cap is the size now: any write that needs a new page is refused.
    const store = storeOn(file, 1);
    const filler = 'x'.repeat(1000);
    let stored = 0;
    let refused: { code: string; sqlite: string | undefined } | undefined;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      try {
        store.postMessage(alice, filler, T0);
        stored += 1;
      } catch (err) {
        if (!isWriteFailure(err)) throw err;
        refused = { code: err.code, sqlite: sqliteCodeOf(err) };
      }
    }
    expect(refused).toEqual({ code: 'BBS_ERR_DB_FULL', sqlite: 'SQLITE_FULL' });
    expect(store.countMessages()).toBe(stored);
    // Other tables may have room left in their pages; more than a page needs a new one.
    const big = 'y'.repeat(10_000);
    expect(failureOf(() => store.mail.send(alice, bob, big, T0)).code).toBe('BBS_ERR_DB_FULL');
    expect(failureOf(() => store.postToWall('oneliners', alice, big, T0)).code).toBe('BBS_ERR_DB_FULL');
    expect(failureOf(() => store.createCaller('carol', big, T0)).code).toBe('BBS_ERR_DB_FULL');
    expect(store.countMessages()).toBe(stored);

    // Room is made by another connection (the sysop removing old mail, say): the caller's retry is stored once.
    // A post touches the messages table, its area and author indexes and its area's count: free ten pages' worth.
    const sysop = new Database(file);
    onTestFinished(() => {
      sysop.close();
    });
    for (let i = 0; i < 10; i++) sysop.prepare('INSERT INTO wall_lines (wall, author_id, body, created_at) VALUES (?, ?, ?, ?)').run('w', alice, filler, T0);
    // ...which this connection, capped, could not have done; now free it all.
    sysop.exec('DELETE FROM wall_lines');
    expect(store.postMessage(bob, 'kept', T0)).toBe(stored + 1);
    expect(store.countMessages()).toBe(stored + 1);
    expect(store.listMessages(stored, 10).map((m) => m.body)).toEqual(['kept']);
  });
});

describe('a write after the store closed (a clean-up finishing as the backend stops)', () => {
  it('is refused as not stored, saying the database is closed, and never makes its folder again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-dbw-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const store = createStore(openDatabase(join(dir, 'bbs.db')));
    const alice = store.createCaller('alice', 'h', T0).id;
    store.close();
    rmSync(dir, { recursive: true, force: true });
    let thrown: unknown;
    try {
      store.mail.send(alice, alice, 'hi', T0);
    } catch (err) {
      thrown = err;
    }
    expect(isWriteFailure(thrown) && thrown.code === 'BBS_ERR_DB_WRITE').toBe(true);
    expect((thrown as Error).message).toBe(`A mail was not stored: ${join(dir, 'bbs.db')} is closed (this backend is stopping)`);
    expect(existsSync(dir)).toBe(false);
  });
});
