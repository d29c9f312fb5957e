import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { MIGRATIONS, migrate } from '../db/migrations.js';
import { openDatabase } from '../db/open-database.js';
import { mailCursorAfter, type MailCursor, type MailItem } from '../db/mail-store.js';
import { createStore, type Store } from '../db/store.js';

const T0 = 1_700_000_000_000;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-db-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function memoryStore(): Store {
  const store = createStore(openDatabase(':memory:'));
  onTestFinished(() => store.close());
  return store;
}

function tableNames(db: Database.Database): string[] {
  return db
    .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all();
}

describe('migrations', () => {
  it('brings an empty database to the latest version with every table', () => {
    const db = openDatabase(':memory:');
    onTestFinished(() => {
      db.close();
    });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(tableNames(db)).toEqual(['areas', 'bans', 'board_counts', 'caller_lines', 'callers', 'calls', 'chat_entries', 'chat_lines', 'conversations', 'drafts', 'hang_up_orders', 'hash_buckets', 'journal', 'journal_shared', 'login_failures', 'login_known', 'mail', 'message_high', 'message_moves', 'messages', 'pages', 'presence', 'read_marks', 'server_epochs', 'sysop_actions', 'wall_lines']);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('rewrites answers to the (Y/n) questions journaled in clear as what they mean (v21): a password typed there is gone', () => {
    const db = new Database(':memory:');
    onTestFinished(() => {
      db.close();
    });
    migrate(db, MIGRATIONS.slice(0, 20));
    const add = db.prepare('INSERT INTO journal (conversation, n, kind, print, value) VALUES (?, ?, ?, ?, ?)');
    const rows: [string, string, string | null][] = [
      ['line', 'ask:new_user:> ', '"Sam-Secret-42"'],
      ['line', 'ask:new_user:> ', '" Yes "'],
      ['line', 'ask:motd:> ', '""'],
      ['line', 'ask:motd:> ', '"no"'],
      ['line', 'ask:try_again:> ', '"N"'],
      ['line', 'ask:newxuser:> ', '"untouched"'],
      ['line', 'ask:name:> ', '"sam"'],
      ['line', 'ask:pass:> :secret', null],
      ['result', 'call:countMessages:[]', '3'],
    ];
    rows.forEach(([kind, print, value], n) => add.run('m2/x/0/1', n, kind, print, value));
    migrate(db);
    expect(db.prepare('SELECT value FROM journal ORDER BY n').pluck().all()).toEqual(['"(neither Y nor N)"', '"y"', '""', '"n"', '"n"', '"untouched"', '"sam"', null, '3']);
  });

  it('creates the parent folder, uses WAL and re-opens without migrating again', () => {
    const file = join(tempDir(), 'nested', 'deeper', 'bbs.db');
    const first = openDatabase(file);
    expect(existsSync(file)).toBe(true);
    expect(first.pragma('journal_mode', { simple: true })).toBe('wal');
    createStore(first).createCaller('zed', 'hash', T0);
    first.close();

    const again = openDatabase(file);
    const store = createStore(again);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(migrate(again)).toBe(MIGRATIONS.length);
    expect(store.findCaller('zed')?.createdAt).toBe(T0);
    store.close();
  });

  it('opens a database left at v5 by an earlier build (no login_known): migrated on, its failure counts kept, the same schema as a new one', () => {
    const file = join(tempDir(), 'bbs.db');
    const old = new Database(file);
    // Migrations up to v5 only: the database an earlier build left.
    migrate(old, MIGRATIONS.slice(0, 5));
    old.prepare("INSERT INTO login_failures (kind, key, failures, first_at, last_at, locked_until) VALUES ('name', 'zed', 2, ?, ?, NULL)").run(T0, T0);
    old.close();

    const store = createStore(openDatabase(file));
    onTestFinished(() => store.close());
    expect(store.throttle.failuresOf('zed', T0 + 1, 60_000)).toBe(2);
    store.throttle.succeeded('zed', '192.0.2.7', T0 + 2);
    expect(store.throttle.lockOf('zed', '192.0.2.7', T0 + 3)).toBeUndefined();
    const fresh = openDatabase(':memory:');
    onTestFinished(() => void fresh.close());
    const schema = (db: Database.Database): string[] => db.prepare<[], string>("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name").pluck().all();
    const migrated = new Database(file, { readonly: true });
    onTestFinished(() => void migrated.close());
    expect(schema(migrated)).toEqual(schema(fresh));
    expect(migrated.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('refuses a database whose schema is newer than the code', () => {
    const file = join(tempDir(), 'future.db');
    const future = new Database(file);
    future.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    future.close();

    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(isBbsError(caught, 'BBS_ERR_DB_MIGRATION')).toBe(true);
    expect((caught as Error).message).toContain(String(MIGRATIONS.length + 1));
    expect((caught as Error).message).toContain(`up to version ${MIGRATIONS.length}`);
  });

  it('wraps a failing step with its cause and rolls that step back', () => {
    const db = new Database(':memory:');
    onTestFinished(() => {
      db.close();
    });
    const steps = ['CREATE TABLE kept (x INTEGER)', 'CREATE TABLE lost (x INTEGER); CREATE TABLE broken ('];

    let caught: unknown;
    try {
      migrate(db, steps);
    } catch (err) {
      caught = err;
    }
    expect(isBbsError(caught, 'BBS_ERR_DB_MIGRATION')).toBe(true);
    expect((caught as Error).cause).toBeInstanceOf(Database.SqliteError);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tableNames(db)).toEqual(['kept']);
  });
});

describe('store: callers', () => {
  it('creates, finds case-insensitively and records calls', () => {
    const store = memoryStore();
    const created = store.createCaller('Zed', 'scrypt$hash', T0);
    expect(created).toEqual({ id: created.id, name: 'Zed', createdAt: T0, lastCallAt: null, calls: 0 });

    expect(store.findCaller('zED')).toEqual({ ...created, passwordHash: 'scrypt$hash' });
    expect(store.findCaller('nobody')).toBeUndefined();

    expect(store.recordCall(created.id, T0 + 10)).toEqual({ ...created, lastCallAt: T0 + 10, calls: 1 });
    expect(store.recordCall(created.id, T0 + 20)).toMatchObject({ lastCallAt: T0 + 20, calls: 2 });
    expect(store.findCaller('zed')).toMatchObject({ lastCallAt: T0 + 20, calls: 2 });
    expect(() => store.recordCall(9999, T0)).toThrow(RangeError);
  });

  it('refuses a name that differs only in case', () => {
    const store = memoryStore();
    store.createCaller('Zed', 'h1', T0);
    let caught: unknown;
    try {
      store.createCaller('ZED', 'h2', T0);
    } catch (err) {
      caught = err;
    }
    expect(isBbsError(caught, 'BBS_ERR_NAME_TAKEN')).toBe(true);
    expect((caught as Error).message).toContain('ZED');
    expect(store.findCaller('zed')?.passwordHash).toBe('h1');
  });

  it('rejects bad argument types with TypeError and RangeError', () => {
    const store = memoryStore();
    expect(() => store.createCaller(42 as unknown as string, 'h', T0)).toThrow(/Expected name to be a string, got 42/);
    expect(() => store.createCaller('a', 'h', 1.5)).toThrow(TypeError);
    expect(() => store.listMessages(0, 0)).toThrow(/Expected limit to be at least 1, got 0/);
    expect(() => store.mail.markRead(1, 'x' as unknown as number[], T0)).toThrow(TypeError);
    expect(() => store.mail.page(1, { unread: 'yes' } as unknown as MailCursor, T0, 5)).toThrow(/Expected the mail cursor's unread to be a boolean/);
  });
});

describe('store: public messages', () => {
  it('posts, lists oldest first after an id and counts', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    const ann = store.createCaller('ann', 'h', T0);
    expect(store.countMessages()).toBe(0);
    expect(store.listMessages(0, 10)).toEqual([]);

    const first = store.postMessage(zed.id, 'first!', T0 + 1);
    const second = store.postMessage(ann.id, 'second', T0 + 2);
    const third = store.postMessage(zed.id, 'third', T0 + 3);
    expect(store.countMessages()).toBe(3);
    expect(store.listMessages(0, 2)).toEqual([
      { id: first, author: 'zed', body: 'first!', createdAt: T0 + 1 },
      { id: second, author: 'ann', body: 'second', createdAt: T0 + 2 },
    ]);
    expect(store.listMessages(second, 10).map((m) => m.id)).toEqual([third]);
    expect(store.listMessages(third, 10)).toEqual([]);
  });

  it('keeps its count when a sysop deletes messages by hand, and when a database with messages is migrated', () => {
    const db = new Database(':memory:');
    onTestFinished(() => {
      db.close();
    });
    migrate(db, MIGRATIONS.slice(0, 2));
    db.exec(`INSERT INTO callers (id, name, password_hash, created_at) VALUES (1, 'zed', 'h', ${T0});
             INSERT INTO messages (author_id, body, created_at) VALUES (1, 'old one', ${T0}), (1, 'old two', ${T0})`);
    migrate(db);
    const store = createStore(db);
    expect(store.countMessages()).toBe(2);
    store.postMessage(1, 'new', T0 + 1);
    expect(store.countMessages()).toBe(3);
    db.exec("DELETE FROM messages WHERE body LIKE 'old%'");
    expect(store.countMessages()).toBe(1);
    expect(store.listMessages(0, 10).map((m) => m.body)).toEqual(['new']);
  });

  it('refuses a message from a caller who does not exist', () => {
    const store = memoryStore();
    expect(() => store.postMessage(404, 'ghost', T0)).toThrow(/Expected existing caller ids for authorId, got 404/);
    expect(store.countMessages()).toBe(0);
  });
});

describe('store: private mail', () => {
  /** Sends a mail that must be stored; its id. */
  function mailed(store: Store, fromId: number, toId: number, body: string, now: number): number {
    const id = store.mail.send(fromId, toId, body, now);
    if (id === undefined) throw new Error(`mail to ${toId} not stored`);
    return id;
  }

  /** Every mail of `callerId` in the order an inbox opened at `openedAt` shows them, one page of `size` at a time. */
  function walk(store: Store, callerId: number, openedAt: number, size = 2): MailItem[] {
    const seen: MailItem[] = [];
    let after: MailCursor | undefined;
    for (;;) {
      const { mails, more } = store.mail.page(callerId, after, openedAt, size);
      seen.push(...mails);
      const last = mails[mails.length - 1];
      if (!more || last === undefined) return seen;
      after = mailCursorAfter(last);
    }
  }

  it('pages unread first, then mail read before the inbox was opened, each oldest first; counts unread and all', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    const ann = store.createCaller('ann', 'h', T0);
    const m1 = mailed(store, ann.id, zed.id, 'one', T0 + 1);
    const m2 = mailed(store, ann.id, zed.id, 'two', T0 + 2);
    const m3 = mailed(store, ann.id, zed.id, 'three', T0 + 3);
    const toAnn = mailed(store, zed.id, ann.id, 'reply', T0 + 4);

    expect(walk(store, zed.id, T0 + 5).map((m) => m.id)).toEqual([m1, m2, m3]);
    expect(store.mail.countUnread(zed.id)).toBe(3);
    expect(store.mail.count(zed.id)).toBe(3);

    store.mail.markRead(zed.id, [m2, m1], T0 + 10);
    expect(store.mail.lastRead(zed.id)).toBe(T0 + 10);
    expect(walk(store, zed.id, T0 + 11)).toEqual([
      { id: m3, from: 'ann', body: 'three', createdAt: T0 + 3, readAt: null },
      { id: m1, from: 'ann', body: 'one', createdAt: T0 + 1, readAt: T0 + 10 },
      { id: m2, from: 'ann', body: 'two', createdAt: T0 + 2, readAt: T0 + 10 },
    ]);
    expect(store.mail.countUnread(zed.id)).toBe(1);
    // Mail read at or after the inbox was opened was shown as unread in this walk: not again.
    expect(walk(store, zed.id, T0 + 10).map((m) => m.id)).toEqual([m3]);

    // Marking again keeps the first read time.
    store.mail.markRead(zed.id, [m1], T0 + 99);
    expect(store.mail.page(zed.id, undefined, T0 + 100, 10).mails.find((m) => m.id === m1)?.readAt).toBe(T0 + 10);
    expect(walk(store, ann.id, T0 + 100).map((m) => m.id)).toEqual([toAnn]);
  });

  it('reads a page from its cursor: mail marked read while walking is shown once, unread mail sent meanwhile comes in its place', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    const ann = store.createCaller('ann', 'h', T0);
    const old = mailed(store, ann.id, zed.id, 'old', T0 + 1);
    store.mail.markRead(zed.id, [old], T0 + 2);
    const ids = [3, 4, 5, 6, 7].map((n) => mailed(store, ann.id, zed.id, `new ${n}`, T0 + n));
    const openedAt = T0 + 50;

    const first = store.mail.page(zed.id, undefined, openedAt, 2);
    expect(first).toEqual({ mails: [expect.objectContaining({ id: ids[0] }), expect.objectContaining({ id: ids[1] })], more: true });
    store.mail.markRead(zed.id, first.mails.map((m) => m.id), openedAt + 1);
    const late = mailed(store, ann.id, zed.id, 'late', T0 + 60);
    const rest: number[] = [];
    let after = mailCursorAfter(first.mails[1] as MailItem);
    for (;;) {
      const { mails, more } = store.mail.page(zed.id, after, openedAt, 2);
      rest.push(...mails.map((m) => m.id));
      store.mail.markRead(zed.id, mails.map((m) => m.id), openedAt + 2);
      if (!more) break;
      after = mailCursorAfter(mails[1] as MailItem);
    }
    expect(rest).toEqual([...ids.slice(2), late, old]);
  });

  it('serves a page of a full inbox from its cursor in an index, without sorting or scanning the inbox', () => {
    const db = openDatabase(':memory:');
    onTestFinished(() => {
      db.close();
    });
    const cursor = 'm.created_at >= 5 AND (m.created_at > 5 OR m.id > 7) ORDER BY m.created_at, m.id LIMIT 6';
    const plans = [`FROM mail m WHERE m.to_id = 1 AND m.read_at IS NULL AND ${cursor}`, `FROM mail m INDEXED BY mail_by_date WHERE m.to_id = 1 AND m.read_at < 9 AND ${cursor}`].map((query) =>
      (db.prepare(`EXPLAIN QUERY PLAN SELECT m.id ${query}`).all() as { detail: string }[]).map((row) => row.detail).join('; '),
    );
    // Each page starts at its cursor in the index (a seek), neither at the inbox's start nor after a sort.
    expect(plans[0]).toMatch(/USING (COVERING )?INDEX mail_inbox \(to_id=\? AND read_at=\? AND created_at>\?\)/);
    expect(plans[1]).toMatch(/USING (COVERING )?INDEX mail_by_date \(to_id=\? AND created_at>\?\)/);
    expect(plans.join('; ')).not.toMatch(/TEMP B-TREE/);
  });

  it("gives a caller's newest writes since a time, messages, mail and wall lines together, each table from its index", () => {
    const store = memoryStore();
    const ann = store.createCaller('ann', 'h', T0);
    const bob = store.createCaller('bob', 'h', T0);
    store.postMessage(ann.id, 'old post', T0 + 1);
    store.postMessage(ann.id, 'post', T0 + 10);
    mailed(store, ann.id, bob.id, 'mail', T0 + 20);
    store.postToWall('oneliners', ann.id, 'line', T0 + 30);
    store.postMessage(bob.id, "bob's", T0 + 40);
    mailed(store, bob.id, ann.id, "bob's mail", T0 + 50);
    expect(store.writtenSince(ann.id, T0 + 2, 10)).toEqual([T0 + 30, T0 + 20, T0 + 10]);
    expect(store.writtenSince(ann.id, T0, 2)).toEqual([T0 + 30, T0 + 20]);
    expect(store.writtenSince(bob.id, T0 + 45, 10)).toEqual([T0 + 50]);
    expect(() => store.writtenSince(ann.id, T0, 0)).toThrow(RangeError);

    const db = openDatabase(':memory:');
    onTestFinished(() => {
      db.close();
    });
    const plans = ['messages WHERE author_id', 'mail WHERE from_id', 'wall_lines WHERE author_id'].map((from) =>
      (db.prepare(`EXPLAIN QUERY PLAN SELECT created_at FROM ${from} = 1 AND created_at >= 5 ORDER BY created_at DESC LIMIT 30`).all() as { detail: string }[]).map((row) => row.detail).join('; '),
    );
    expect(plans[0]).toMatch(/INDEX messages_by_author_date \(author_id=\? AND created_at>\?\)/);
    expect(plans[1]).toMatch(/INDEX mail_sent \(from_id=\? AND created_at>\?\)/);
    expect(plans[2]).toMatch(/INDEX wall_lines_author \(author_id=\? AND created_at>\?\)/);
    expect(plans.join('; ')).not.toMatch(/TEMP B-TREE/);
  });

  it("never lets another caller read or mark someone's mail", () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    const ann = store.createCaller('ann', 'h', T0);
    const eve = store.createCaller('eve', 'h', T0);
    const secret = mailed(store, ann.id, zed.id, 'for zed only', T0 + 1);

    expect(store.mail.page(eve.id, undefined, T0 + 10, 10)).toEqual({ mails: [], more: false });
    // The sender cannot read it back either: it is the recipient's inbox.
    expect(store.mail.page(ann.id, undefined, T0 + 10, 10)).toEqual({ mails: [], more: false });

    store.mail.markRead(eve.id, [secret], T0 + 5);
    expect(store.mail.countUnread(zed.id)).toBe(1);
    expect(store.mail.page(zed.id, undefined, T0 + 10, 10).mails[0]?.readAt).toBeNull();
  });

  it('stores nothing for a recipient who is no caller, and refuses a sender who does not exist', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    expect(store.mail.send(zed.id, 404, 'lost', T0)).toBeUndefined();
    expect(store.mail.countUnread(404)).toBe(0);
    expect(() => store.mail.send(404, zed.id, 'ghost', T0)).toThrow(/Expected an existing caller id for fromId, got 404/);
    expect(store.mail.count(zed.id)).toBe(0);
  });
});
