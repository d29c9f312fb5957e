/**
 * What one `m2bbs sysop` subcommand is (its name, arguments, flags and run) and what it runs with:
 * the board's database, the running BBS's control socket, output in text or JSON, and the audit
 * of every action that changes something (who did it, what, to whom).
 */
import type Database from 'better-sqlite3';
import type { Store } from '../db/store.js';
import type { ControlAnswer } from '../server/control-client.js';
import type { SYSOP_FLAGS, SysopFlags } from './flags.js';

/** What a subcommand runs with. */
export interface SysopContext {
  /** The database file (`--db`, `M2BBS_DB`). */
  readonly db: string;
  readonly flags: SysopFlags;
  /** Who runs the command (the operating system's user name): the audit and the BBS's log name them. */
  readonly sysop: string;
  /** The board's database, opened (and migrated) on first use; one that does not exist is an error, never made empty. */
  database(): Database.Database;
  /** The board's store over that database. */
  store(): Store;
  /** Sends `op` to the `m2bbs start` running on the database (BBS_ERR_NOT_RUNNING when none is). */
  control(op: string, fields?: Readonly<Record<string, unknown>>): Promise<ControlAnswer>;
  /** Records an action in `sysop_actions`, and in the running BBS's log if one runs (a board behind a real Mongrel2 has no m2bbs start to tell). */
  audit(action: string, target: string, detail?: string): Promise<void>;
  /** Prints `text` in text mode, or `json` (one line) with `--json`. */
  out(text: string, json: unknown): void;
}

/** One subcommand. */
export interface SysopCommand {
  readonly name: string;
  /** Its arguments as the usage shows them, e.g. `NAME|CONN`. */
  readonly args: string;
  readonly summary: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The flags it takes besides the common ones. */
  readonly flags: readonly (keyof typeof SYSOP_FLAGS)[];
  run(context: SysopContext, args: readonly string[]): Promise<void>;
}
