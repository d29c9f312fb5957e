import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { MIGRATIONS, migrate } from '../db/migrations.js';
import { openDatabase } from '../db/open-database.js';
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
    expect(tableNames(db)).toEqual(['areas', 'bans', 'board_counts', 'caller_lines', 'callers', 'calls', 'chat_entries', 'chat_lines', 'conversations', 'hang_up_orders', 'journal', 'journal_shared', 'login_failures', 'login_known', 'mail', 'message_high', 'message_moves', 'messages', 'pages', 'presence', 'read_marks', 'server_epochs', 'sysop_actions', 'wall_lines']);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
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
    expect(() => store.getMail(1, 'x' as unknown as number[])).toThrow(TypeError);
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
  it('lists unread first, keeps mail after reading and counts unread', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    const ann = store.createCaller('ann', 'h', T0);
    const m1 = store.sendMail(ann.id, zed.id, 'one', T0 + 1);
    const m2 = store.sendMail(ann.id, zed.id, 'two', T0 + 2);
    const m3 = store.sendMail(ann.id, zed.id, 'three', T0 + 3);
    const toAnn = store.sendMail(zed.id, ann.id, 'reply', T0 + 4);

    expect(store.inboxIds(zed.id)).toEqual([m1, m2, m3]);
    expect(store.countUnreadMail(zed.id)).toBe(3);

    store.markMailRead(zed.id, [m2, m1], T0 + 10);
    expect(store.inboxIds(zed.id)).toEqual([m3, m1, m2]);
    expect(store.countUnreadMail(zed.id)).toBe(1);
    expect(store.getMail(zed.id, [m1, m3])).toEqual([
      { id: m1, from: 'ann', body: 'one', createdAt: T0 + 1, readAt: T0 + 10 },
      { id: m3, from: 'ann', body: 'three', createdAt: T0 + 3, readAt: null },
    ]);

    // Marking again keeps the first read time.
    store.markMailRead(zed.id, [m1], T0 + 99);
    expect(store.getMail(zed.id, [m1])[0]?.readAt).toBe(T0 + 10);
    expect(store.inboxIds(ann.id)).toEqual([toAnn]);
  });

  it('returns mail in the order of the ids asked for', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    const ann = store.createCaller('ann', 'h', T0);
    const m1 = store.sendMail(ann.id, zed.id, 'one', T0 + 1);
    const m2 = store.sendMail(ann.id, zed.id, 'two', T0 + 2);
    expect(store.getMail(zed.id, [m2, m1]).map((m) => m.body)).toEqual(['two', 'one']);
    expect(store.getMail(zed.id, [])).toEqual([]);
  });

  it("never lets another caller read or mark someone's mail", () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    const ann = store.createCaller('ann', 'h', T0);
    const eve = store.createCaller('eve', 'h', T0);
    const secret = store.sendMail(ann.id, zed.id, 'for zed only', T0 + 1);

    expect(store.inboxIds(eve.id)).toEqual([]);
    expect(store.getMail(eve.id, [secret])).toEqual([]);
    // The sender cannot read it back through getMail either: it is the recipient's inbox.
    expect(store.getMail(ann.id, [secret])).toEqual([]);

    store.markMailRead(eve.id, [secret], T0 + 5);
    expect(store.countUnreadMail(zed.id)).toBe(1);
    expect(store.getMail(zed.id, [secret])[0]?.readAt).toBeNull();
  });

  it('refuses mail to a caller who does not exist', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0);
    expect(() => store.sendMail(zed.id, 404, 'lost', T0)).toThrow(RangeError);
    expect(store.countUnreadMail(404)).toBe(0);
  });
});
