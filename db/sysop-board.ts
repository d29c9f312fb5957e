/**
 * What the sysop's console reads of the board's callers and messages (`m2bbs sysop users`, `user`,
 * `messages`): plain queries on the raw database handle, so they work whether or not the BBS runs.
 * Deleted callers (callers.deleted_at, see sysop-board-changes.ts) are left out of every listing.
 */
import type Database from 'better-sqlite3';

/** The name the posts of deleted callers are shown under (a row of its own, which no caller can type: names have no spaces). */
export const DELETED_CALLER_NAME = 'a deleted caller';

/** One caller as `m2bbs sysop users` lists them. */
export interface CallerSummary {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly calls: number;
  readonly lastCallAt: number | null;
  readonly banned: boolean;
}

/** A ban on a caller's name: why, who made it and when. */
export interface NameBan {
  readonly reason: string | null;
  readonly madeBy: string;
  readonly madeAt: number;
}

/** One caller as `m2bbs sysop user NAME` shows them. */
export interface CallerDetail extends CallerSummary {
  readonly posts: number;
  readonly mailSent: number;
  readonly mailReceived: number;
  readonly mustChangePassword: boolean;
  readonly ban: NameBan | null;
}

/** A caller row found by name, deleted or not. */
export interface CallerRef {
  readonly id: number;
  readonly name: string;
  readonly deletedAt: number | null;
}

/** An area found by name. */
export interface AreaRef {
  readonly id: number;
  readonly name: string;
  readonly title: string;
  /** Taken out of screens/areas.conf: its messages are kept, callers do not see them. */
  readonly archived: boolean;
}

/** One message as `m2bbs sysop messages` lists it. */
export interface MessageSummary {
  readonly id: number;
  readonly area: string;
  readonly archived: boolean;
  readonly author: string;
  readonly createdAt: number;
  readonly replyTo: number | null;
  readonly body: string;
}

/** Which messages to list: all, or those of one area, of one author, or both. */
export interface MessageFilter {
  readonly areaId?: number | undefined;
  readonly authorId?: number | undefined;
}

const SUMMARY = `c.id, c.name, c.created_at AS createdAt, c.calls, c.last_call_at AS lastCallAt,
  EXISTS (SELECT 1 FROM bans b WHERE b.kind = 'name' AND b.value = c.name) AS banned`;

type Flagged<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]: number };

const summary = (row: Flagged<CallerSummary, 'banned'>): CallerSummary => ({ ...row, banned: row.banned !== 0 });

/** Callers not deleted whose names contain `search` (any case; every one when undefined), by name. */
export function listCallers(db: Database.Database, search: string | undefined): CallerSummary[] {
  // instr, not LIKE: names often hold `_`, which LIKE reads as a wildcard.
  const rows = db
    .prepare<[{ search: string | null }], Flagged<CallerSummary, 'banned'>>(
      `SELECT ${SUMMARY} FROM callers c
       WHERE c.deleted_at IS NULL AND (@search IS NULL OR instr(lower(c.name), lower(@search)) > 0)
       ORDER BY c.name COLLATE NOCASE`,
    )
    .all({ search: search ?? null });
  return rows.map(summary);
}

/** The caller row called `name` (any case), deleted ones and the deleted callers' own row included. */
export function findCallerRow(db: Database.Database, name: string): CallerRef | undefined {
  return db.prepare<[string], CallerRef>('SELECT id, name, deleted_at AS deletedAt FROM callers WHERE name = ?').get(name);
}

/** Everything `m2bbs sysop user` shows of a caller not deleted, or undefined. */
export function callerDetail(db: Database.Database, name: string): CallerDetail | undefined {
  const read = db.transaction((): CallerDetail | undefined => {
    const row = db
      .prepare<[string], Flagged<CallerSummary, 'banned'> & { mustChangePassword: number }>(
        `SELECT ${SUMMARY}, c.must_change_password AS mustChangePassword FROM callers c WHERE c.name = ? AND c.deleted_at IS NULL`,
      )
      .get(name);
    if (row === undefined) return undefined;
    const count = (sql: string): number => db.prepare<[number], number>(sql).pluck().get(row.id) ?? 0;
    const ban = db
      .prepare<[string], NameBan>("SELECT reason, made_by AS madeBy, made_at AS madeAt FROM bans WHERE kind = 'name' AND value = ?")
      .get(row.name);
    return {
      ...summary(row),
      posts: count('SELECT count(*) FROM messages WHERE author_id = ?'),
      mailSent: count('SELECT count(*) FROM mail WHERE from_id = ?'),
      mailReceived: count('SELECT count(*) FROM mail WHERE to_id = ?'),
      mustChangePassword: row.mustChangePassword !== 0,
      ban: ban ?? null,
    };
  });
  // One snapshot: the counts agree with each other though the BBS writes meanwhile.
  return read.deferred();
}

/** The area called `name` (any case), archived or not. */
export function findArea(db: Database.Database, name: string): AreaRef | undefined {
  const row = db
    .prepare<[string], Flagged<AreaRef, 'archived'>>('SELECT id, name, title, position IS NULL AS archived FROM areas WHERE name = ?')
    .get(name);
  return row === undefined ? undefined : { ...row, archived: row.archived !== 0 };
}

/** The messages `filter` picks, in every area (archived ones too), oldest first. */
export function listBoardMessages(db: Database.Database, filter: MessageFilter): MessageSummary[] {
  const rows = db
    .prepare<[{ area: number | null; author: number | null }], Flagged<MessageSummary, 'archived'>>(
      `SELECT m.id, a.name AS area, a.position IS NULL AS archived, c.name AS author, m.created_at AS createdAt,
         m.reply_to AS replyTo, m.body
       FROM messages m JOIN areas a ON a.id = m.area_id JOIN callers c ON c.id = m.author_id
       WHERE (@area IS NULL OR m.area_id = @area) AND (@author IS NULL OR m.author_id = @author)
       ORDER BY m.id`,
    )
    .all({ area: filter.areaId ?? null, author: filter.authorId ?? null });
  return rows.map((row) => ({ ...row, archived: row.archived !== 0 }));
}

/** The line of `body` that says what a message is: its first that is not quoted nor blank (a reply starts with its quote). */
export function firstLine(body: string): string {
  const lines = body.split('\n');
  return (lines.find((line) => line.trim() !== '' && !line.startsWith('>')) ?? lines[0] ?? '').trim();
}

/**
 * The lines caller `callerId` is on: those their presence rows show (beaten since `freshSince`)
 * and the one their last login recorded, unless its conversation is closed. Both, as a login
 * records its line in its own commit and its presence row takes the name a moment later.
 */
export function openLinesOf(db: Database.Database, callerId: number, freshSince: number): string[] {
  return db
    .prepare<[{ caller: number; fresh: number }], string>(
      `SELECT line FROM presence WHERE caller_id = @caller AND heartbeat_at >= @fresh
       UNION
       SELECT l.line FROM caller_lines l WHERE l.caller_id = @caller
         AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = l.line AND c.closed_at IS NOT NULL)`,
    )
    .pluck()
    .all({ caller: callerId, fresh: freshSince });
}
