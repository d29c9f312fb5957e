/** The record of what sysops did: one `sysop_actions` row per change, naming who made it. */
import type Database from 'better-sqlite3';

/** One action a sysop took. */
export interface SysopAction {
  readonly at: number;
  /** Who ran the command (the operating system's user). */
  readonly sysop: string;
  /** The subcommand, e.g. `kick`. */
  readonly action: string;
  /** Whom or what it was done to: a name, a message id, a call. */
  readonly target: string;
  readonly detail?: string | undefined;
}

/** Records `action` in the board's database. */
export function recordAction(db: Database.Database, action: SysopAction): void {
  db.prepare('INSERT INTO sysop_actions (at, sysop, action, target, detail) VALUES (?, ?, ?, ?, ?)').run(action.at, action.sysop, action.action, action.target, action.detail ?? null);
}

/** The newest `limit` actions, newest first. */
export function recentActions(db: Database.Database, limit: number): SysopAction[] {
  return db.prepare<[number], SysopAction>('SELECT at, sysop, action, target, detail FROM sysop_actions ORDER BY id DESC LIMIT +?').all(limit);
}
