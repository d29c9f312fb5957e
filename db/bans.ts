/**
 * Bans (migration 13): names and addresses the sysop refuses. A banned name cannot log in nor
 * sign up; a caller from a banned address is refused when they dial in. Names and addresses
 * compare without regard to case (the column is NOCASE), addresses as common/remote-address.ts
 * spells them.
 */
import type Database from 'better-sqlite3';

/** What a ban is on: a caller's name, or the address they call from. */
export type BanKind = 'name' | 'address';

/** One ban in force. */
export interface Ban {
  readonly kind: BanKind;
  readonly value: string;
  /** The sysop's reason, shown to the banned caller; null when none was given. */
  readonly reason: string | null;
  readonly madeAt: number;
  /** Who made it (the operating system's user who ran `m2bbs sysop ban`). */
  readonly madeBy: string;
}

/** The bans table, as the store offers it. */
export interface Bans {
  /** Bans `value`, or gives a ban in force a new reason; true when the ban is new. */
  ban(ban: Ban): boolean;
  /** Lifts the ban on `value`; false when there was none. */
  unban(kind: BanKind, value: string): boolean;
  /** The ban in force on `value`, if any. */
  banOf(kind: BanKind, value: string): Ban | undefined;
  /** Every ban in force, oldest first. */
  list(): Ban[];
}

const COLUMNS = 'kind, value, reason, made_at AS madeAt, made_by AS madeBy';

/** Prepares the statements of bans on a migrated database; `write` runs each write. */
export function createBans(db: Database.Database, write: <T>(what: string, run: () => T) => T): Bans {
  const sql = {
    exists: db.prepare<[string, string], number>('SELECT 1 FROM bans WHERE kind = ? AND value = ?').pluck(),
    ban: db.prepare<[string, string, string | null, number, string]>(
      'INSERT INTO bans (kind, value, reason, made_at, made_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET reason = excluded.reason, made_at = excluded.made_at, made_by = excluded.made_by',
    ),
    unban: db.prepare<[string, string]>('DELETE FROM bans WHERE kind = ? AND value = ?'),
    banOf: db.prepare<[string, string], Ban>(`SELECT ${COLUMNS} FROM bans WHERE kind = ? AND value = ?`),
    list: db.prepare<[], Ban>(`SELECT ${COLUMNS} FROM bans ORDER BY id`),
  };
  const banTx = db.transaction((ban: Ban): boolean => {
    const known = sql.exists.get(ban.kind, ban.value) !== undefined;
    sql.ban.run(ban.kind, ban.value, ban.reason, ban.madeAt, ban.madeBy);
    return !known;
  });
  return {
    ban: (ban) => write('A ban', () => banTx.immediate(ban)),
    unban: (kind, value) => write('A ban lifted', () => sql.unban.run(kind, value).changes > 0),
    banOf: (kind, value) => sql.banOf.get(kind, value),
    list: () => sql.list.all(),
  };
}
