/**
 * `m2bbs sysop`'s flags: one table for every subcommand (each says which of them it takes), so
 * `--help` lists them all and a flag given to a command that does not take it is a usage error.
 */
import { SILENCE_FLAG } from '../server/control-client.js';
import type { FlagTable, FlagValues } from '../common/flag-table.js';

export const SYSOP_FLAGS = {
  db: { kind: 'string', arg: 'FILE', env: 'M2BBS_DB', default: 'data/m2bbs.db', help: 'the database of the BBS, as given to m2bbs start (its running BBS is found through FILE.run next to it)' },
  listen: {
    kind: 'string',
    arg: 'HOST:PORT',
    env: 'M2BBS_LISTEN',
    help: "taken as m2bbs start takes it, so its flags and environment work here unchanged; the running BBS itself is found through --db's run file",
  },
  json: { kind: 'boolean', help: 'print a listing or result as one line of JSON instead of text' },
  reason: { kind: 'string', arg: 'TEXT', help: 'kick, ban: the reason the caller is shown and the log keeps' },
  search: { kind: 'string', arg: 'TEXT', help: 'users: only names containing TEXT' },
  area: { kind: 'string', arg: 'AREA', help: 'messages: only those in AREA' },
  from: { kind: 'string', arg: 'NAME', help: 'messages: only those written by NAME' },
  posts: { kind: 'string', arg: 'WHAT', choices: ['keep', 'delete'], help: 'delete-user: keep their posts (shown as from a deleted caller) or delete them' },
  address: { kind: 'boolean', help: 'ban, unban: the argument is a caller\'s address (an IP), not a name' },
  screens: { kind: 'string', arg: 'DIR', env: 'M2BBS_SCREENS', help: 'replay: the screens folder the BBS runs with, as given to m2bbs start (default: the shipped screens)' },
  'silence-ms': SILENCE_FLAG,
} as const satisfies FlagTable;

/** The parsed flags. */
export type SysopFlags = FlagValues<typeof SYSOP_FLAGS>;

/** The flags every subcommand takes. */
export const COMMON_FLAGS = ['db', 'listen', 'json', 'silence-ms'] as const satisfies readonly (keyof typeof SYSOP_FLAGS)[];
