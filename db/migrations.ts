import type Database from 'better-sqlite3';
import { BbsError } from '../common/errors.js';

/** Forward-only schema steps in order: running step i brings the database to `user_version` i + 1. */
export const MIGRATIONS: readonly string[] = Object.freeze([
  // v1: callers, public messages and private mail; times are integer ms since the epoch.
  `
  CREATE TABLE callers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_call_at INTEGER,
    calls INTEGER NOT NULL DEFAULT 0
  ) STRICT;

  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES callers (id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE mail (
    id INTEGER PRIMARY KEY,
    from_id INTEGER NOT NULL REFERENCES callers (id),
    to_id INTEGER NOT NULL REFERENCES callers (id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
  ) STRICT;

  CREATE INDEX mail_inbox ON mail (to_id, read_at, created_at);
  `,
  // v2: walls, short lines callers leave for everyone on a named wall (screens/flows/oneliners.ts).
  `
  CREATE TABLE wall_lines (
    id INTEGER PRIMARY KEY,
    wall TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES callers (id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE INDEX wall_lines_recent ON wall_lines (wall, id);
  `,
  // v3: the board's message count, kept by triggers: count(*) reads the whole table, and the
  // board is counted at every read of it.
  `
  CREATE TABLE board_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    messages INTEGER NOT NULL
  ) STRICT;

  INSERT INTO board_counts (id, messages) VALUES (1, (SELECT count(*) FROM messages));

  CREATE TRIGGER messages_counted_in AFTER INSERT ON messages
  BEGIN UPDATE board_counts SET messages = messages + 1; END;

  CREATE TRIGGER messages_counted_out AFTER DELETE ON messages
  BEGIN UPDATE board_counts SET messages = messages - 1; END;
  `,
  // v4: durable conversations (docs/design/durable-conversations.md). A conversation is one call,
  // whichever backend serves it; its journal is what its flow consumed, replayed from start_n.
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL,
    owner TEXT NOT NULL,
    code TEXT NOT NULL,
    caller_id INTEGER,
    conn INTEGER NOT NULL DEFAULT 0,
    remote TEXT,
    last_row INTEGER,
    start_n INTEGER NOT NULL DEFAULT 0,
    next_n INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_part INTEGER NOT NULL DEFAULT -1,
    opened_at INTEGER NOT NULL,
    heard_at INTEGER NOT NULL,
    closed_at INTEGER
  ) STRICT;

  CREATE INDEX conversations_closed ON conversations (closed_at) WHERE closed_at IS NOT NULL;

  -- Append-only, in commit order: a commit writes its rows at the end of the table, not into
  -- each conversation's part of an index. A conversation's rows are chained by \`prev\` from its
  -- \`last_row\`, newest first.
  CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    conversation TEXT NOT NULL,
    n INTEGER NOT NULL,
    prev INTEGER,
    kind TEXT NOT NULL,
    print TEXT NOT NULL,
    seq INTEGER,
    value TEXT
  ) STRICT;

  CREATE TABLE server_epochs (
    uuid TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL
  ) STRICT;
  `,
  // v5: logins (issue 15). Wrong passwords counted by name and by address, shared by every
  // backend (db/login-throttle.ts); each caller's current line and the orders to hang up another
  // one (db/hang-up-orders.ts), which every backend watches for the lines it holds.
  `
  CREATE TABLE login_failures (
    kind TEXT NOT NULL CHECK (kind IN ('name', 'address')),
    key TEXT NOT NULL COLLATE NOCASE,
    failures INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    locked_until INTEGER,
    PRIMARY KEY (kind, key)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE caller_lines (
    caller_id INTEGER PRIMARY KEY REFERENCES callers (id),
    line TEXT NOT NULL,
    since INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE hang_up_orders (
    id INTEGER PRIMARY KEY,
    line TEXT NOT NULL,
    caller_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    made_at INTEGER NOT NULL,
    done_at INTEGER
  ) STRICT;

  CREATE INDEX hang_up_orders_line ON hang_up_orders (line) WHERE done_at IS NULL;
  `,
  // v6: the addresses each name has logged in from, which a lock on the name spares, and failures
  // counted per name and address together ('pair'), which bound that sparing where callers share
  // an address (db/login-throttle.ts). login_failures is rebuilt, SQLite's way to widen a CHECK.
  `
  CREATE TABLE login_known (
    name TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (name, address)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE login_failures_v6 (
    kind TEXT NOT NULL CHECK (kind IN ('name', 'address', 'pair')),
    key TEXT NOT NULL COLLATE NOCASE,
    failures INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    locked_until INTEGER,
    PRIMARY KEY (kind, key)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO login_failures_v6 SELECT kind, key, failures, first_at, last_at, locked_until FROM login_failures;
  DROP TABLE login_failures;
  ALTER TABLE login_failures_v6 RENAME TO login_failures;
  `,
  // v7: message areas, replies and read marks (issue 17; db/areas-store.ts). General (id 1) always
  // exists and holds every message from before, ids kept. Areas come from screens/areas.conf,
  // reconciled into this table at load; one taken out of the file keeps its row and its messages,
  // archived (position NULL). Per-area counts are kept by triggers, as board_counts is (v3).
  // messages.area_id has no REFERENCES: ALTER TABLE cannot add one with a non-NULL default, and
  // areas are never deleted. read_marks: the highest message id each caller has read in each area.
  `
  CREATE TABLE areas (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    title TEXT NOT NULL,
    position INTEGER,
    messages INTEGER NOT NULL DEFAULT 0
  ) STRICT;

  INSERT INTO areas (id, name, title, position, messages) VALUES (1, 'general', 'General', 0, (SELECT count(*) FROM messages));

  ALTER TABLE messages ADD COLUMN area_id INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE messages ADD COLUMN reply_to INTEGER REFERENCES messages (id);
  CREATE INDEX messages_by_area ON messages (area_id, id);

  CREATE TRIGGER messages_area_counted_in AFTER INSERT ON messages
  BEGIN UPDATE areas SET messages = messages + 1 WHERE id = NEW.area_id; END;

  CREATE TRIGGER messages_area_counted_out AFTER DELETE ON messages
  BEGIN UPDATE areas SET messages = messages - 1 WHERE id = OLD.area_id; END;

  CREATE TABLE read_marks (
    caller_id INTEGER NOT NULL REFERENCES callers (id),
    area_id INTEGER NOT NULL REFERENCES areas (id),
    last_read_id INTEGER NOT NULL,
    PRIMARY KEY (caller_id, area_id)
  ) STRICT, WITHOUT ROWID;
  `,
  // v8: chat and paging (issue 17; db/chat-store.ts). The lines said in each room, for the backlog
  // a caller entering is shown (pruned to the newest few hundred per room); pages between callers
  // and how each was answered; each caller's do-not-disturb.
  `
  CREATE TABLE chat_lines (
    id INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    caller_id INTEGER NOT NULL REFERENCES callers (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('chat', 'me')),
    body TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;

  CREATE INDEX chat_lines_room ON chat_lines (room, id);

  CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    from_id INTEGER NOT NULL REFERENCES callers (id),
    to_id INTEGER NOT NULL REFERENCES callers (id),
    made_at INTEGER NOT NULL,
    answer TEXT CHECK (answer IN ('joined', 'ignored')),
    answered_at INTEGER
  ) STRICT;

  CREATE INDEX pages_to ON pages (to_id, id);
  CREATE INDEX pages_from ON pages (from_id, made_at);

  ALTER TABLE callers ADD COLUMN dnd INTEGER NOT NULL DEFAULT 0;
  `,
  // v9: who's online and last callers (issue 17; db/presence-store.ts). One presence row per open
  // call, keyed by its conversation id, written by the backend holding it (owner) and kept fresh
  // by its heartbeat: a row whose heartbeat is old belongs to a backend that died, and is shown
  // again once another takes the call over. calls: one row per login, for Last callers (pruned).
  `
  CREATE TABLE presence (
    line TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    door TEXT NOT NULL,
    caller_id INTEGER REFERENCES callers (id),
    name TEXT,
    since INTEGER NOT NULL,
    doing TEXT NOT NULL,
    owner TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX presence_owner ON presence (owner);

  CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    caller_id INTEGER REFERENCES callers (id),
    name TEXT NOT NULL,
    number TEXT NOT NULL,
    door TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;
  `,
  // v10: each author's messages per area (issue 17): the new-message scan counts what others
  // wrote since a caller's read mark as all of it less the caller's own, and the own part then
  // reads this index (micro-seconds) rather than every message after the mark (db/areas-store.ts).
  `
  CREATE INDEX messages_by_author ON messages (author_id, area_id, id);
  `,
  // v11: chat's limits kept in the database, not in one flow's memory (issue 17 review). A caller's
  // lines of the last seconds are counted for the flood limit (chat_lines_caller); each entry into
  // a room is a row, so a caller going in and out is not announced every time (chat_entries);
  // old lines, entries and pages are pruned by age (the *_at indexes). A page its pager gave up on
  // is 'withdrawn' (the CHECK changes: the table is rebuilt, ids kept). Who is online is asked by
  // caller (presence_caller).
  `
  CREATE INDEX chat_lines_caller ON chat_lines (caller_id, at);
  CREATE INDEX chat_lines_at ON chat_lines (at);

  CREATE TABLE chat_entries (
    id INTEGER PRIMARY KEY,
    caller_id INTEGER NOT NULL REFERENCES callers (id),
    room TEXT NOT NULL,
    at INTEGER NOT NULL,
    announced INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX chat_entries_caller ON chat_entries (caller_id, at);
  CREATE INDEX chat_entries_at ON chat_entries (at);

  CREATE TABLE pages_v11 (
    id INTEGER PRIMARY KEY,
    from_id INTEGER NOT NULL REFERENCES callers (id),
    to_id INTEGER NOT NULL REFERENCES callers (id),
    made_at INTEGER NOT NULL,
    answer TEXT CHECK (answer IN ('joined', 'ignored', 'withdrawn')),
    answered_at INTEGER
  ) STRICT;
  INSERT INTO pages_v11 SELECT id, from_id, to_id, made_at, answer, answered_at FROM pages;
  DROP TABLE pages;
  ALTER TABLE pages_v11 RENAME TO pages;
  CREATE INDEX pages_to ON pages (to_id, id);
  CREATE INDEX pages_from ON pages (from_id, made_at);
  CREATE INDEX pages_made ON pages (made_at);

  CREATE INDEX presence_caller ON presence (caller_id);
  `,
  // v12: a value many conversations' rows journal alike (the events of a chat room resuming every
  // listener's listen) is stored once and named by each row: a busy room wrote each line said
  // once per listener, about a kilobyte a delivery.
  `
  CREATE TABLE journal_shared (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX journal_shared_at ON journal_shared (at);
  ALTER TABLE journal ADD COLUMN shared TEXT;
  `,
  // v13: the sysop's console (issue 18): each action a sysop took (who, what, to whom), bans of
  // names and addresses, a password the caller must change at their next login, callers deleted
  // (their name kept out of reuse by the row), and the free text a kick or ban shows its caller.
  `
  CREATE TABLE sysop_actions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    sysop TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT
  ) STRICT;
  CREATE INDEX sysop_actions_at ON sysop_actions (at);

  CREATE TABLE bans (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('name', 'address')),
    value TEXT NOT NULL COLLATE NOCASE,
    reason TEXT,
    made_at INTEGER NOT NULL,
    made_by TEXT NOT NULL,
    UNIQUE (kind, value)
  ) STRICT;

  ALTER TABLE callers ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE callers ADD COLUMN deleted_at INTEGER;
  ALTER TABLE hang_up_orders ADD COLUMN detail TEXT;
  `,
  // v14: the caller's address on their presence row, for the sysop's \`m2bbs sysop who\` (callers'
  // own who's online never shows it). Null on rows written before, and when the server gave none.
  `
  ALTER TABLE presence ADD COLUMN remote TEXT;
  `,
  // v15: message numbers are never given twice (issue 18). messages.id has no AUTOINCREMENT, so
  // SQLite would give a deleted or moved newest message's number again: a caller whose read mark
  // is that number would never see the new post as new. The highest number ever given is kept
  // here by a trigger, and every insert asks for one past it (db/message-numbers.ts). A moved
  // message's old number names its new one, so a reply written while it moved still finds it.
  `
  CREATE TABLE message_high (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    id INTEGER NOT NULL
  ) STRICT;
  INSERT INTO message_high (one, id) VALUES (1, coalesce((SELECT max(id) FROM messages), 0));
  CREATE TRIGGER message_high_insert AFTER INSERT ON messages BEGIN
    UPDATE message_high SET id = NEW.id WHERE one = 1 AND id < NEW.id;
  END;

  CREATE TABLE message_moves (
    old_id INTEGER PRIMARY KEY,
    new_id INTEGER NOT NULL
  ) STRICT;
  `,
  // v16: an inbox is read a page at a time from a cursor (issue 19): the mail read before, oldest
  // first, straight from this index in their order (created_at, id), with read_at in it so the
  // mail a page steps over is told apart without reading its row, instead of sorting the whole
  // inbox at every visit (a caller sent 50,000 mails made each visit block the backend 19 ms and
  // journal 289 KB of ids).
  `
  CREATE INDEX mail_by_date ON mail (to_id, created_at, id, read_at);
  `,
  // v17: what each caller wrote lately, by time (issue 19: a caller's writes are bounded per hour,
  // --writes-per-hour): their newest messages, mail and wall lines, read newest first without a
  // scan of what they ever wrote.
  `
  CREATE INDEX messages_by_author_date ON messages (author_id, created_at);
  CREATE INDEX mail_sent ON mail (from_id, created_at);
  CREATE INDEX wall_lines_author ON wall_lines (author_id, created_at);
  `,
  // v18: a call's journal keeps a bounded history (issue 19): rows well before where a takeover
  // replays from are deleted while the call goes on, and the call's first row left is numbered
  // kept_from_n (0: none deleted); history_tried_n is the replay start of the last try, so a try
  // that found no checkpoint to cut at is not made again at every commit; trim_row is the newest
  // row cut off and not deleted yet (a trim deletes a slice a commit). A caller typing at the menu
  // for hours journaled without bound.
  `
  ALTER TABLE conversations ADD COLUMN kept_from_n INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN history_tried_n INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN trim_row INTEGER;
  `,
  // v19: what a caller was writing when their line ended under them, for their next call (db/drafts.ts).
  `
  CREATE TABLE drafts (
    caller_id INTEGER PRIMARY KEY REFERENCES callers (id),
    what TEXT NOT NULL,
    body TEXT NOT NULL,
    kept_at INTEGER NOT NULL
  ) STRICT;
  `,
  // v20: each address's bucket of password hashing (db/hash-buckets.ts), shared by the backends:
  // kept in each process, an address had the burst once per backend.
  `
  CREATE TABLE hash_buckets (
    address TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // v21: answers to the (Y/n) questions journaled before they were kept as what they mean
  // (handler/effects.ts askYesNo): a password typed at "Sign up as NAME? (Y/n)" by mistake was kept
  // in clear, and the sysop's replay showed it. Rewritten as the flows read them.
  `
  UPDATE journal SET value = CASE
      WHEN NOT json_valid(value) OR json_type(value) != 'text' THEN '"(neither Y nor N)"'
      WHEN lower(trim(json_extract(value, '$'))) = '' THEN '""'
      WHEN lower(trim(json_extract(value, '$'))) IN ('y', 'yes') THEN '"y"'
      WHEN lower(trim(json_extract(value, '$'))) IN ('n', 'no') THEN '"n"'
      ELSE '"(neither Y nor N)"'
    END
  WHERE kind = 'line' AND value IS NOT NULL AND (print LIKE 'ask:new^_user:%' ESCAPE '^' OR print LIKE 'ask:motd:%' OR print LIKE 'ask:try^_again:%' ESCAPE '^');
  `,
]);

function userVersion(db: Database.Database): number {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number') throw new TypeError(`Expected user_version to be a number, got ${typeof version}`);
  return version;
}

/** Runs every pending step, each in its own transaction, and returns the resulting schema version. */
export function migrate(db: Database.Database, steps: readonly string[] = MIGRATIONS): number {
  const known = steps.length;
  const found = userVersion(db);
  if (found > known) {
    throw new BbsError(
      'BBS_ERR_DB_MIGRATION',
      `Database ${db.name} has schema version ${found}, but this m2bbs only knows up to version ${known}`,
    );
  }
  for (let index = found; index < known; index += 1) {
    const target = index + 1;
    const step = steps[index] ?? '';
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have run this step while we waited.
      if (userVersion(db) >= target) return;
      db.exec(step);
      // PRAGMA takes no bound parameters; target is an integer computed here, never outside input.
      db.pragma(`user_version = ${target}`);
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new BbsError('BBS_ERR_DB_MIGRATION', `Migration to schema version ${target} failed in ${db.name}`, {
        cause: err,
      });
    }
  }
  return userVersion(db);
}
