/**
 * `m2bbs sysop [flags] COMMAND [ARGS...]`: the sysop's console against the board's database (WAL,
 * so it works while callers are on) and the `m2bbs start` running on it. Exit codes: 0 done, 1
 * failed (or no BBS running where one is needed), 2 usage, 3 no such caller, message or call.
 */
import { userInfo } from 'node:os';
import { existsSync } from 'node:fs';
import { BbsError } from '../common/errors.js';
import { escapeForTerminal } from '../common/terminal-safe.js';
import { parseTable, usageText } from '../common/flag-table.js';
import Database from 'better-sqlite3';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { controlRequest } from '../server/control-client.js';
import type { SysopCommand, SysopContext } from './command.js';
import { ACCESS_COMMANDS } from './commands-access.js';
import { BOARD_COMMANDS } from './commands-board.js';
import { JOURNAL_COMMANDS } from './commands-journal.js';
import { LIVE_COMMANDS } from './commands-live.js';
import { COMMON_FLAGS, SYSOP_FLAGS, type SysopFlags } from './flags.js';
import { recordAction } from './audit.js';

// How long an action waits for a running BBS to take its log line.
const LOG_SILENCE_MS = 2000;

const COMMANDS: readonly SysopCommand[] = [...LIVE_COMMANDS, ...BOARD_COMMANDS, ...ACCESS_COMMANDS, ...JOURNAL_COMMANDS];

/** What `m2bbs sysop --help` prints. */
export const SYSOP_USAGE = usageText(
  'm2bbs sysop [flags] COMMAND [ARGS...]',
  `The sysop's console. It works on the board's database (--db, M2BBS_DB, as given to m2bbs start)
while callers are on, and reaches the m2bbs start running on it for what only the running BBS can
do. Every change is recorded with the name of who made it. Exit codes: 0 done, 1 failed (or no BBS
running where one is needed), 2 usage, 3 no such caller, message or call.

Commands:
${COMMANDS.length === 0 ? '  (none yet)' : COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(30)} ${c.summary}`).join('\n')}`,
  SYSOP_FLAGS,
);

/** Throws unless `db` is an SQLite file m2bbs made (its schema version set, its callers table there). */
function refuseUnlessBoard(db: string): void {
  let probe: Database.Database | undefined;
  try {
    probe = new Database(db, { readonly: true, fileMustExist: true });
    const version = probe.pragma('user_version', { simple: true });
    const callers = probe.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'callers'").get();
    if (typeof version !== 'number' || version < 1 || callers === undefined) throw new BbsError('BBS_ERR_DB_OPEN', `m2bbs sysop: ${db} is an SQLite database but not an m2bbs board; name the database m2bbs start runs on with --db or M2BBS_DB`);
  } catch (error) {
    if (error instanceof BbsError) throw error;
    throw new BbsError('BBS_ERR_DB_NOT_SQLITE', `m2bbs sysop: ${db} is not a board (${(error as Error).message}); name the database m2bbs start runs on with --db or M2BBS_DB`, { cause: error });
  } finally {
    probe?.close();
  }
}

/** Who runs the command, for the audit: the operating system's user, or the uid when it has no name. */
function whoRuns(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

function contextFor(db: string, flags: SysopFlags): SysopContext & { close(): void } {
  let database: Database.Database | undefined;
  let store: Store | undefined;
  const sysop = whoRuns();
  const open = (): Database.Database => {
    if (database !== undefined) return database;
    // A sysop who mistyped --db must not get an empty board made there.
    if (!existsSync(db)) throw new BbsError('BBS_ERR_DB_OPEN', `m2bbs sysop: no board at ${db}; name the database m2bbs start runs on with --db or M2BBS_DB`);
    // Nor may it make one of another program's database (opening a board migrates it).
    refuseUnlessBoard(db);
    database = openDatabase(db);
    return database;
  };
  return {
    db,
    flags,
    sysop,
    database: open,
    store: () => (store ??= createStore(open())),
    control: (op, fields = {}) => controlRequest('m2bbs sysop', db, op, { ...fields, sysop }, () => undefined, flags['silence-ms']),
    async audit(action, target, detail) {
      recordAction(open(), { sysop, action, target, detail, at: Date.now() });
      // Best effort and brief: a BBS stopped (SIGSTOP) must not hold the sysop's command up.
      await controlRequest('m2bbs sysop', db, 'log', { action, target, detail, sysop }, () => undefined, Math.min(LOG_SILENCE_MS, flags['silence-ms'])).catch(() => undefined);
    },
    out: (text, json) => console.log(flags.json ? JSON.stringify(json) : text),
    close: () => (store !== undefined ? store.close() : database?.close()),
  };
}

/** `m2bbs sysop`. */
export async function runSysop(argv: readonly string[]): Promise<void> {
  try {
    await runCommand(argv);
  } catch (error) {
    if (!(error instanceof BbsError)) throw error;
    // With --json a script reads the failure from stdout too (the message and exit code are as without).
    if (argv.includes('--json')) console.log(JSON.stringify({ ok: false, code: error.code, error: error.message }));
    // A message may quote what was typed or found (a name, a reason): never for the terminal to act on.
    throw new BbsError(error.code, error.message.split('\n').map(escapeForTerminal).join('\n'), { cause: error.cause });
  }
}

async function runCommand(argv: readonly string[]): Promise<void> {
  const { values, positionals, problems, sources } = parseTable('m2bbs sysop', SYSOP_USAGE, SYSOP_FLAGS, argv, process.env, 8);
  const [name, ...args] = positionals;
  const command = COMMANDS.find((c) => c.name === name);
  if (name === undefined) problems.add('which command? e.g. m2bbs sysop who');
  else if (command === undefined) problems.add(`unknown command "${name}"`);
  else {
    if (args.length < command.minArgs || args.length > command.maxArgs) problems.add(`${name} takes ${command.args === '' ? 'no arguments' : command.args}`);
    for (const [flag, source] of Object.entries(sources)) {
      if (source?.startsWith('--') === true && !(COMMON_FLAGS as readonly string[]).includes(flag) && !(command.flags as readonly string[]).includes(flag)) problems.add(`${name} does not take --${flag}`);
    }
  }
  problems.check('m2bbs sysop');
  const context = contextFor(values.db, values);
  try {
    await (command as SysopCommand).run(context, args);
  } finally {
    context.close();
  }
}
