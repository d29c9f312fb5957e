/** `m2bbs sysop` subcommands on the journal of calls: what a caller saw and typed (replay). */
import type { SysopCommand } from './command.js';
import { REPLAY } from './replay.js';

export const JOURNAL_COMMANDS: readonly SysopCommand[] = [REPLAY];
