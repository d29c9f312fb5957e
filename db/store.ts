import Database from 'better-sqlite3';
import { BbsError, isBbsError } from '../common/errors.js';
import { createAreasStore, type AreasStore } from './areas-store.js';
import { createBans, type Bans } from './bans.js';
import { createCallerPasswords, type CallerPasswords } from './caller-passwords.js';
import { createChatStore, type ChatStore } from './chat-store.js';
import { createDrafts, type Drafts } from './drafts.js';
import { fileCheck } from './file-identity.js';
import { createHashBuckets, type HashBuckets } from './hash-buckets.js';
import { checkInteger, checkString, checkWall } from './store-checks.js';
import { createHangUpOrders, type HangUpOrders } from './hang-up-orders.js';
import { createJournalStore, type JournalStore } from './journal-store.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';
import { createMailStore, type MailStore } from './mail-store.js';
import { NEXT_MESSAGE_ID } from './message-numbers.js';
import { createPresenceStore, type PresenceStore } from './presence-store.js';
import { writeRunner } from './write-failure.js';

/** A registered caller as other modules may see it. */
export interface Caller {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly lastCallAt: number | null;
  readonly calls: number;
}

/** A caller together with the stored password hash, for logging in. */
export interface CallerWithHash extends Caller {
  readonly passwordHash: string;
}

/** One message on the public board. */
export interface PublicMessage {
  readonly id: number;
  readonly author: string;
  readonly body: string;
  readonly createdAt: number;
}

/** One line on a wall. */
export interface WallLine {
  readonly id: number;
  readonly author: string;
  readonly body: string;
  readonly createdAt: number;
}

/**
 * Every database operation the BBS needs; times are integer ms since the epoch passed in by the
 * caller. A write either commits before it returns or throws BBS_ERR_DB_FULL, BBS_ERR_DB_WRITE
 * or BBS_ERR_DB_GONE (see write-failure.ts).
 */
export interface Store {
  /** The database file, for logs (`:memory:` for an in-memory one). */
  readonly file: string;
  /** Conversations and their journals (durable conversations). */
  readonly journal: JournalStore;
  /** Who is online (a row per open call) and who called (a row per login). */
  readonly presence: PresenceStore;
  /** Wrong passwords by name and by address, and the locks they set. */
  readonly throttle: LoginThrottle;
  /** Each caller's line, and orders to hang a line up. */
  readonly hangUps: HangUpOrders;
  /** Message areas, replies and read marks. */
  readonly areas: AreasStore;
  /** Private mail between callers. */
  readonly mail: MailStore;
  /** Chat lines, pages and do-not-disturb. */
  readonly chat: ChatStore;
  /** Names and addresses the sysop banned. */
  readonly bans: Bans;
  /** Passwords changed after sign-up, and one-time ones a sysop reset. */
  readonly passwords: CallerPasswords;
  /** What callers were writing when their line ended, kept for their next call. */
  readonly drafts: Drafts;
  /** Each address's password hashing left, shared by the backends (handler/hash-pacing.ts). */
  readonly hashBuckets: HashBuckets;
  /** The caller called `name` (any case), undefined for none or a deleted one. */
  findCaller(name: string): CallerWithHash | undefined;
  createCaller(name: string, passwordHash: string, now: number): Caller;
  recordCall(callerId: number, now: number): Caller;
  postMessage(authorId: number, body: string, now: number): number;
  /** Messages after `afterId` in every area in force (not archived ones), oldest first. */
  listMessages(afterId: number, limit: number): PublicMessage[];
  countMessages(): number;
  /** Adds a line to the wall called `wall` and returns its id. */
  postToWall(wall: string, authorId: number, body: string, now: number): number;
  /** The last `limit` lines of a wall, oldest first. */
  listWall(wall: string, limit: number): WallLine[];
  /**
   * When the caller's newest `limit` writes at or after `since` were stored (messages, mail and
   * wall lines together), newest first: what the writing limit counts (--writes-per-hour).
   */
  writtenSince(callerId: number, since: number, limit: number): number[];
  /**
   * Undefined while the database file is the one opened; else the BBS_ERR_DB_GONE error, which
   * names the rescue copy the first call to see the file gone saved (see rescue-copy.ts).
   */
  fileGone(): BbsError | undefined;
  /** Closes the database, saving a rescue copy first if its file went. */
  close(): void;
}

const CALLER_COLUMNS = 'id, name, created_at AS createdAt, last_call_at AS lastCallAt, calls';

// INSERT/COUNT ... always yield one row; a missing one means the schema is not what this code expects.
function one<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new Error(`Expected a row from ${what}, got none`);
  return row;
}

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Database.SqliteError && err.code === code;
}

/**
 * Creates a store over a migrated database, preparing every statement once up front. A LIMIT is
 * bound as `+?`: SQLite prepares a statement again each time a bare `LIMIT ?` is bound (measured:
 * 11 us a call instead of 2).
 */
export function createStore(db: Database.Database): Store {
  const sql = {
    // A deleted caller (m2bbs sysop delete-user) is nobody: not to log in as, mail or page. Their
    // row keeps the name, so signing up with it is refused as a name taken.
    findCaller: db.prepare<[string], CallerWithHash>(
      `SELECT ${CALLER_COLUMNS}, password_hash AS passwordHash FROM callers WHERE name = ? AND deleted_at IS NULL`,
    ),
    createCaller: db.prepare<[string, string, number], Caller>(
      `INSERT INTO callers (name, password_hash, created_at, calls) VALUES (?, ?, ?, 0) RETURNING ${CALLER_COLUMNS}`,
    ),
    recordCall: db.prepare<[number, number], Caller>(
      `UPDATE callers SET calls = calls + 1, last_call_at = ? WHERE id = ? RETURNING ${CALLER_COLUMNS}`,
    ),
    postMessage: db
      .prepare<[number, string, number], number>(
        `INSERT INTO messages (id, author_id, body, created_at) VALUES (${NEXT_MESSAGE_ID}, ?, ?, ?) RETURNING id`,
      )
      .pluck(),
    // Archived areas' messages are kept but not on the board: a sysop's flow listing it skips them.
    listMessages: db.prepare<[number, number], PublicMessage>(
      `SELECT m.id, c.name AS author, m.body, m.created_at AS createdAt
       FROM messages m JOIN callers c ON c.id = m.author_id JOIN areas a ON a.id = m.area_id
       WHERE m.id > ? AND a.position IS NOT NULL ORDER BY m.id LIMIT +?`,
    ),
    countMessages: db.prepare<[], number>('SELECT messages FROM board_counts').pluck(),
    postToWall: db
      .prepare<[string, number, string, number], number>(
        'INSERT INTO wall_lines (wall, author_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id',
      )
      .pluck(),
    listWall: db.prepare<[string, number], WallLine>(
      `SELECT id, author, body, createdAt FROM (
         SELECT w.id, c.name AS author, w.body, w.created_at AS createdAt
         FROM wall_lines w JOIN callers c ON c.id = w.author_id
         WHERE w.wall = ? ORDER BY w.id DESC LIMIT +?
       ) ORDER BY id`,
    ),
    // Each table's newest `limit` from its (author, created_at) index (migration 17), then the
    // newest `limit` of those: a seek and at most 3 × limit rows, however much the caller wrote.
    writtenSince: db
      .prepare<{ caller: number; since: number; limit: number }, number>(
        `SELECT at FROM (
           SELECT at FROM (SELECT created_at AS at FROM messages WHERE author_id = $caller AND created_at >= $since ORDER BY created_at DESC LIMIT +$limit)
           UNION ALL SELECT at FROM (SELECT created_at AS at FROM mail WHERE from_id = $caller AND created_at >= $since ORDER BY created_at DESC LIMIT +$limit)
           UNION ALL SELECT at FROM (SELECT created_at AS at FROM wall_lines WHERE author_id = $caller AND created_at >= $since ORDER BY created_at DESC LIMIT +$limit)
         ) ORDER BY at DESC LIMIT +$limit`,
      )
      .pluck(),
  };

  // Writes with RETURNING are read with `.all()`, never `.get()`: `.get()` stops after the first
  // row and does not report a commit that then fails (write-failure.ts).
  const checkFile = fileCheck(db);
  const write = writeRunner(db, checkFile);
  const fileGone = (): BbsError | undefined => {
    try {
      checkFile();
      return undefined;
    } catch (err) {
      if (isBbsError(err, 'BBS_ERR_DB_GONE')) return err;
      throw err;
    }
  };
  const returned = <T>(rows: T[], what: string): T => one(rows[0], what);

  // A missing caller id surfaces from SQLite as a foreign-key failure; report it as a bad argument.
  function insertFor<T>(what: string, ids: readonly number[], insert: () => T): T {
    try {
      return insert();
    } catch (err) {
      if (!hasCode(err, 'SQLITE_CONSTRAINT_FOREIGNKEY')) throw err;
      throw new RangeError(`Expected existing caller ids for ${what}, got ${ids.join(', ')}`, { cause: err });
    }
  }

  return Object.freeze({
    file: db.name,
    journal: createJournalStore(db, write),
    presence: createPresenceStore(db, write),
    throttle: createLoginThrottle(db, write),
    hangUps: createHangUpOrders(db, write),
    areas: createAreasStore(db, write),
    mail: createMailStore(db, write),
    chat: createChatStore(db, write),
    bans: createBans(db, write),
    passwords: createCallerPasswords(db, write),
    drafts: createDrafts(db, write),
    hashBuckets: createHashBuckets(db, write),
    findCaller(name: string): CallerWithHash | undefined {
      return sql.findCaller.get(checkString('name', name));
    },
    createCaller(name: string, passwordHash: string, now: number): Caller {
      checkString('name', name);
      checkString('passwordHash', passwordHash);
      checkInteger('now', now, 0);
      try {
        return write('A new caller', () => returned(sql.createCaller.all(name, passwordHash, now), 'createCaller'));
      } catch (err) {
        if (!hasCode(err, 'SQLITE_CONSTRAINT_UNIQUE')) throw err;
        throw new BbsError('BBS_ERR_NAME_TAKEN', `The name ${JSON.stringify(name)} is already taken`, { cause: err });
      }
    },
    recordCall(callerId: number, now: number): Caller {
      checkInteger('now', now, 0);
      checkInteger('callerId', callerId, 1);
      const caller = write('A call', () => sql.recordCall.all(now, callerId)[0]);
      if (caller === undefined) throw new RangeError(`Expected an existing caller id, got ${callerId}`);
      return caller;
    },
    postMessage(authorId: number, body: string, now: number): number {
      checkInteger('authorId', authorId, 1);
      checkString('body', body);
      checkInteger('now', now, 0);
      return insertFor('authorId', [authorId], () => write('A message', () => returned(sql.postMessage.all(authorId, body, now), 'postMessage')));
    },
    listMessages(afterId: number, limit: number): PublicMessage[] {
      return sql.listMessages.all(checkInteger('afterId', afterId, 0), checkInteger('limit', limit, 1));
    },
    countMessages(): number {
      return one(sql.countMessages.get(), 'countMessages');
    },
    postToWall(wall: string, authorId: number, body: string, now: number): number {
      checkWall(wall);
      checkInteger('authorId', authorId, 1);
      checkString('body', body);
      checkInteger('now', now, 0);
      return insertFor('authorId', [authorId], () => write('A wall line', () => returned(sql.postToWall.all(wall, authorId, body, now), 'postToWall')));
    },
    listWall(wall: string, limit: number): WallLine[] {
      return sql.listWall.all(checkWall(wall), checkInteger('limit', limit, 1));
    },
    writtenSince(callerId: number, since: number, limit: number): number[] {
      return sql.writtenSince.all({ caller: checkInteger('callerId', callerId, 1), since: checkInteger('since', since, Number.MIN_SAFE_INTEGER), limit: checkInteger('limit', limit, 1) });
    },
    fileGone,
    close(): void {
      // Last chance to save a copy of a board whose file went: after this it is gone for good.
      fileGone();
      db.close();
    },
  });
}
